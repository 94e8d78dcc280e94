/**
 * The one reader of response bodies. Every answer is judged before its body is read whole: its
 * HTTP status first, then its media type, each with its own bound — an error answer (any status of
 * 400 or more, or a 2xx page that is not what the request asked for: a proxy's HTML, an outage
 * notice) is read only as far as LIMITS.maxErrorBodyBytes, whatever its size; a JSON answer up to
 * LIMITS.maxJsonBytes; audio up to LIMITS.maxAudioBytes. Event streams are read by stream.ts
 * through `consume` and judged the same way first.
 */
import type { IDataObject, IN8nHttpFullResponse } from 'n8n-workflow';

import { CozeApiError, TransportError, unwrapServerError } from '../core/errors';
import { tryParseJsonExact } from '../core/json';
import { LIMITS } from '../boundaries/budget';
import type { Exchange } from './exchange';
import { parseRetryAfter } from './rateLimit';
import { describeUrl, headerValue, networkMessage, type HttpResponse } from './wire';

/** The first bytes of an answer that is not what was asked for, read to say what it was. */
export async function readErrorText(response: HttpResponse, exchange: Exchange): Promise<string> {
	return await readText(response, exchange, LIMITS.maxErrorBodyBytes, { truncate: true });
}

/** A media type a JSON answer may carry: JSON itself, or none (Coze's own answers always name one). */
function mayBeJson(mediaType: string): boolean {
	return mediaType === '' || mediaType.includes('json');
}

/**
 * Reads a JSON answer and returns Coze's envelope, or throws its error (see parseEnvelope). An
 * error status, or a 2xx answer labelled as something other than JSON (HTML, plain text), is read
 * only up to LIMITS.maxErrorBodyBytes: it is an error unless those bytes hold a whole JSON envelope
 * (a small answer under the wrong label, or Coze Studio's plain-text errors).
 */
export async function readEnvelope(response: HttpResponse, exchange: Exchange, endpoint: string): Promise<IDataObject> {
	if (response.statusCode >= 400 || !mayBeJson(response.mediaType)) {
		return parseEnvelope(response, await readErrorText(response, exchange), endpoint);
	}
	return parseEnvelope(response, await readText(response, exchange, LIMITS.maxJsonBytes), endpoint);
}

/** Media types that are audio: audio/*, Ogg's application/ogg, and the generic octet-stream. */
function isAudioType(mediaType: string): boolean {
	return mediaType.startsWith('audio/') || mediaType === 'application/ogg' || mediaType === 'application/octet-stream';
}

/** Audio containers and frames recognised by their first bytes (for an answer without a media type). */
function looksLikeAudio(head: Buffer): boolean {
	const ascii = head.subarray(0, 12).toString('latin1');
	if (ascii.startsWith('ID3') || ascii.startsWith('OggS') || ascii.startsWith('fLaC')) return true;
	if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WAVE') return true;
	return head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0; // an MPEG audio frame
}

/**
 * Reads an answer that should be audio. Coze reports a failure as JSON, often with HTTP 200: an
 * error status, a JSON answer (whatever its label) or an empty body throws Coze's error. Anything
 * else that is not audio (a proxy's HTML page with HTTP 200, an outage notice in plain text) is an
 * error naming the status, the media type and its first bytes — never saved as audio.
 */
export async function readAudio(response: HttpResponse, exchange: Exchange, endpoint: string): Promise<Buffer> {
	const { statusCode: status, mediaType } = response;
	if (status >= 400 || mediaType.includes('json')) throw envelopeInsteadOfAudio(response, endpoint, Buffer.from(await readErrorText(response, exchange), 'utf8'));
	if (!isAudioType(mediaType)) {
		const head = await readBytes(response, exchange, LIMITS.maxErrorBodyBytes, { truncate: true });
		if (mediaType !== '' || !looksLikeAudio(head) || head.length >= LIMITS.maxErrorBodyBytes) {
			if (startsLikeJson(head)) parseEnvelope(response, head.toString('utf8'), endpoint);
			throw notAudio(response, endpoint, head);
		}
		return head; // a small audio file without a media type, recognised by its first bytes
	}
	const data = await readBytes(response, exchange, LIMITS.maxAudioBytes);
	if (data.length === 0 || startsLikeJson(data)) throw envelopeInsteadOfAudio(response, endpoint, data);
	return data;
}

function startsLikeJson(bytes: Buffer): boolean {
	return /^\s*[{[]/.test(bytes.subarray(0, 64).toString('utf8'));
}

/** Coze's error in a JSON (or empty) answer where audio was expected; a JSON answer without an error code is still no audio. */
function envelopeInsteadOfAudio(response: HttpResponse, endpoint: string, body: Buffer): CozeApiError {
	const envelope = parseEnvelope(response, body.toString('utf8'), endpoint);
	const said = typeof envelope.msg === 'string' && envelope.msg ? `: ${envelope.msg}` : '';
	return new CozeApiError({ msg: `Coze answered ${endpoint} with ${body.length === 0 ? 'an empty body' : 'JSON'} instead of audio${said}`, logid: response.logid });
}

function notAudio(response: HttpResponse, endpoint: string, head: Buffer): CozeApiError {
	const text = head.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim();
	return new CozeApiError({
		msg: `Coze answered ${endpoint} with HTTP ${response.statusCode} and '${response.mediaType || 'no content type'}' instead of audio${text ? `: ${text}` : ' (an empty body)'}`,
		logid: response.logid,
		httpStatus: response.statusCode >= 400 ? response.statusCode : undefined,
	});
}

/**
 * Reads a whole body as text, within `maxBytes`. `truncate` keeps the first `maxBytes` and closes
 * the connection (error pages); otherwise a larger body fails.
 */
export async function readText(
	response: HttpResponse,
	exchange: Exchange,
	maxBytes: number,
	options: { truncate?: boolean } = {},
): Promise<string> {
	return (await readBytes(response, exchange, maxBytes, options)).toString('utf8');
}

/** Reads a whole body as bytes (audio, say), within `maxBytes`; see readText. */
export async function readBytes(
	response: HttpResponse,
	exchange: Exchange,
	maxBytes: number,
	options: { truncate?: boolean } = {},
): Promise<Buffer> {
	exchange.phase = `reading Coze's answer from ${describeUrl(response.url)}`;
	const chunks: Uint8Array[] = [];
	let size = 0;
	const failure = await consume(response, exchange, (chunk) => {
		size += chunk.length;
		if (size <= maxBytes) {
			chunks.push(chunk);
			return true;
		}
		if (!options.truncate) {
			exchange.stop('limit');
			return new TransportError(
				'limit',
				`Coze's answer from ${describeUrl(response.url)} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; the node stopped reading it`,
				{ logid: response.logid },
			);
		}
		chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)));
		exchange.close();
		return false;
	});
	if (failure) throw failure;
	return Buffer.concat(chunks);
}

/**
 * The one read loop over a response body: hands each chunk to `onChunk` (true: go on, false:
 * stop, an error: fail) and returns the failure, if any — the handler's own error (a Coze error
 * from the events), or why the connection stopped (timeout, idle, cancel, network).
 */
export async function consume(
	response: HttpResponse,
	exchange: Exchange,
	onChunk: (chunk: Uint8Array) => boolean | Error,
): Promise<Error | undefined> {
	try {
		for await (const chunk of response.body) {
			exchange.touch();
			let verdict: boolean | Error;
			try {
				verdict = onChunk(chunk);
			} catch (error) {
				return error as Error; // the handler's failure, as it is
			}
			if (verdict === true) continue;
			if (verdict instanceof Error) return verdict;
			return undefined;
		}
		return undefined;
	} catch (error) {
		if (exchange.stopReason) return exchange.stoppedError(response.logid);
		return new TransportError('network', `The connection to Coze broke while ${exchange.phase}: ${networkMessage(error)}`, {
			logid: response.logid,
		});
	}
}

/**
 * Reads Coze's `{code, msg, data, detail}` envelope and throws CozeApiError when the HTTP status
 * or `code` says it failed (Coze often reports errors with HTTP 200). Like both official SDKs, an
 * envelope without `code` is a success (Coze's own cancel example has none; Coze Studio's cancel
 * answers `{"ChatV3ChatDetail":…,"BaseResp":null}`). An error never has an empty message: without
 * one, it names the HTTP status, the code, the endpoint and the log id.
 */
export function parseEnvelope(response: IN8nHttpFullResponse, text: string, endpoint?: string): IDataObject {
	// Coze Studio sends its log id as X-Log-ID.
	const headerLogid = headerValue(response, 'x-tt-logid') ?? headerValue(response, 'x-log-id');
	const parsed = tryParseJsonExact(text);
	const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : undefined) as
		| IDataObject
		| undefined;
	const status = response.statusCode;
	const retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'));
	const rawCode = envelope?.code ?? envelope?.error_code;
	const hasCode = rawCode !== undefined && rawCode !== null && rawCode !== '';
	if (envelope && status < 400 && (!hasCode || rawCode === 0 || rawCode === '0')) return envelope;
	if (!envelope) {
		// Coze Studio answers /v3/chat/retrieve errors as text/plain ("code=… message=…\nstack=…").
		const inner = unwrapServerError(undefined, text);
		if (inner.code !== undefined) {
			throw new CozeApiError({ code: inner.code, msg: inner.msg, httpStatus: status, logid: headerLogid, retryAfterMs });
		}
		throw new CozeApiError({
			msg: `Coze answered HTTP ${status}${endpoint ? ` to ${endpoint}` : ''} with a body that is not JSON: ${text.slice(0, 300) || '(empty)'}`,
			httpStatus: status,
			logid: headerLogid,
			retryAfterMs,
		});
	}
	const detail = envelope.detail as IDataObject | undefined;
	const logid = headerLogid ?? (detail?.logid as string | undefined);
	const rawMsg = [envelope.msg, envelope.error_message, envelope.message].find(
		(value) => typeof value === 'string' && value.trim() !== '',
	) as string | undefined;
	const { code, msg } = unwrapServerError(rawCode, rawMsg ?? '');
	throw new CozeApiError({
		code,
		msg:
			msg ||
			`Coze answered HTTP ${status}${endpoint ? ` to ${endpoint}` : ''}${hasCode ? ` with code ${String(rawCode)}` : ''} and no error message${logid ? ` (logid ${logid})` : ''}`,
		logid,
		httpStatus: status >= 400 ? status : undefined,
		retryAfterMs,
	});
}

