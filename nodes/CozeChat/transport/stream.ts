import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { CozeApiError } from '../chat/errors';
import { cozeHttp, headerValue, parseEnvelope, sleepWithAbort, type ByteStream } from './request';

/** Largest body read when a stream request is answered with JSON (an error envelope). */
const MAX_ERROR_BODY = 1024 * 1024;

/**
 * Starts a Coze SSE request. Returns the open body only if Coze really answered with an event
 * stream; an HTTP error or a JSON body (Coze rejects bad requests with HTTP 200 + JSON) throws
 * CozeApiError with Coze's code, msg and logid.
 */
export async function openCozeStream(
	this: IExecuteFunctions,
	options: { path: string; qs?: IDataObject; body: IDataObject },
): Promise<{ body: ByteStream; logid: string | undefined }> {
	const response = await cozeHttp.call(this, { method: 'POST', ...options, encoding: 'stream' });
	const body = response.body as ByteStream;
	const contentType = headerValue(response, 'content-type') ?? '';
	const logid = headerValue(response, 'x-tt-logid');
	if (response.statusCode < 400 && contentType.includes('text/event-stream')) return { body, logid };
	const text = await readSmallBody(body);
	parseEnvelope(response, text); // throws for every error envelope
	throw new CozeApiError({
		msg: `Coze answered a streaming request with '${contentType || 'no content type'}' instead of an event stream: ${text.slice(0, 300)}`,
		logid,
	});
}

async function readSmallBody(body: ByteStream): Promise<string> {
	const decoder = new TextDecoder();
	let text = '';
	try {
		for await (const chunk of body) {
			text += decoder.decode(chunk, { stream: true });
			if (text.length > MAX_ERROR_BODY) break;
		}
	} finally {
		body.destroy();
	}
	return text + decoder.decode();
}

export type StreamStopReason = 'timeout' | 'idle' | 'canceled' | 'socket';

/** The stream stopped before Coze ended it: why, and the underlying error if any. */
export class StreamBrokenError extends Error {
	constructor(
		readonly reason: StreamStopReason,
		message: string,
	) {
		super(message);
		this.name = 'StreamBrokenError';
	}
}

/** Limits for reading one stream; `idleMs` may be lowered while reading. */
export interface StreamLimits {
	/** Longest silence (no bytes) accepted. */
	idleMs: number;
	/** Epoch ms at which the whole chat must be over; undefined = no limit. */
	deadline?: number;
	/** The execution's cancel signal. */
	signal?: AbortSignal;
}

/**
 * Yields the chunks of `body` until it ends, and destroys the socket when the deadline passes,
 * the stream stays silent longer than `idleMs`, or the execution is canceled. A single watchdog
 * loop on n8n's sleep does the timing (community nodes may not use timers directly).
 */
export async function* guardStream(
	body: ByteStream,
	limits: StreamLimits,
): AsyncGenerator<Uint8Array> {
	let lastActivity = Date.now();
	let stopReason: StreamBrokenError | undefined;
	let tick: AbortController | undefined;
	let finished = false;
	const stop = (reason: StreamBrokenError) => {
		if (stopReason || finished) return;
		stopReason = reason;
		body.destroy();
	};
	const onCancel = () =>
		stop(new StreamBrokenError('canceled', 'The execution was canceled while Coze was answering'));
	if (limits.signal?.aborted) onCancel();
	limits.signal?.addEventListener('abort', onCancel);
	const watchdog = (async () => {
		while (!finished && !stopReason) {
			tick = new AbortController();
			await sleepWithAbort(Math.min(1000, limits.idleMs), tick.signal).catch(() => undefined);
			if (finished || stopReason) return;
			const now = Date.now();
			if (limits.deadline !== undefined && now >= limits.deadline) {
				stop(new StreamBrokenError('timeout', 'The chat ran past its time limit'));
			} else if (now - lastActivity >= limits.idleMs) {
				stop(
					new StreamBrokenError(
						'idle',
						`Coze sent nothing for ${Math.round(limits.idleMs / 1000)} s`,
					),
				);
			}
		}
	})();
	try {
		for await (const chunk of body) {
			if (stopReason) break;
			lastActivity = Date.now();
			yield chunk;
		}
	} catch (error) {
		if (!stopReason) {
			stopReason = new StreamBrokenError(
				'socket',
				`The connection to Coze broke: ${(error as Error).message}`,
			);
		}
	} finally {
		finished = true;
		tick?.abort();
		limits.signal?.removeEventListener('abort', onCancel);
		body.destroy();
		await watchdog;
	}
	if (stopReason) throw stopReason;
}
