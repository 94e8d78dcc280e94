import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { CozeApiError, TransportError } from '../core/errors';
import { stringifyJson } from '../core/json';
import { LIMITS } from '../boundaries/budget';
import { UploadPace, type Exchange } from './exchange';
import type { CozeContext, CozeSession } from './session';
import { describeUrl, headerValue, networkMessage, rawBodyLength, rawBodyPieces, type ByteStream, type HttpRequest, type HttpResponse, type RawBody } from './wire';

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/**
 * Sends one request through n8n's `httpRequestWithAuthentication` (n8n adds the credential's
 * auth and runs its pre-authentication), with the credential decrypted once per execution, the
 * body as a stream the caller reads within limits, and this exchange's abort signal.
 *
 * Redirects are never followed by n8n (it would resend the token to any host): a redirect within
 * the base URL's origin is followed here, one to another origin is an error naming both.
 */
export async function sendHttp(
	context: CozeContext,
	session: CozeSession,
	request: HttpRequest,
	exchange: Exchange,
): Promise<HttpResponse> {
	let url = `${session.baseUrl}${request.path}`;
	let qs = request.qs;
	let method = request.method;
	const headers: IDataObject = { ...request.headers, Accept: request.accept };
	let body: IHttpRequestOptions['body'];
	const raw = request.rawBody;
	if (raw) {
		headers['Content-Type'] = raw.contentType;
		headers['Content-Length'] = String(rawBodyLength(raw));
	} else if (request.body !== undefined) {
		// Integers beyond 2^53 a person gave as JSON text go out with all their digits.
		body = stringifyJson(request.body);
		headers['Content-Type'] = 'application/json';
	}
	if (request.activity) exchange.phase = request.activity;
	const helperContext = withOwnAbortSignal(context);
	for (let hop = 0; ; hop++) {
		// An upload's bytes leave as the socket accepts them, and each piece counts as activity.
		if (raw) body = sentBytesCounted(raw, exchange) as unknown as IHttpRequestOptions['body'];
		const options: IHttpRequestOptions = {
			method,
			url,
			qs,
			headers,
			body,
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			abortSignal: exchange.signal,
		};
		const release = await session.tokenGate?.before(exchange.signal).catch(() => {
			// Another request of this execution is getting the token; this one's Timeout (or a cancel)
			// ended its wait: its own error, saying what it waited for.
			exchange.phase = `waiting for an access token from Coze's OAuth token endpoint at ${session.origin}`;
			throw exchange.stoppedError();
		});
		exchange.sentToken = session.tokenGate?.currentToken();

		const call = helperContext.helpers.httpRequestWithAuthentication
			.call(helperContext, session.credentialType, options, { credentialsDecrypted: session.credentials })
			.then((answer: unknown) => {
				// This request minted (other requests wait at the gate): it carried the new token.
				if (release) exchange.sentToken = session.tokenGate?.currentToken();
				return answer;
			})
			.catch((error: unknown) => {
				// This request was minting (its signal also ends the token request) and no token came.
				if (release && exchange.stopReason && !session.tokenGate?.currentToken()) {
					exchange.phase = `getting an access token from Coze's OAuth token endpoint at ${session.origin}`;
				}
				if (exchange.stopReason) return exchange.stoppedError();
				// The credential's own failure (a JWT credential that could not mint a token) says what to fix.
				const credentialFailure = notANetworkError(error);
				if (credentialFailure) return credentialFailure;
				// A fresh error on purpose: n8n's error holds the request options (and the token).
				return new TransportError('network', `Could not reach Coze at ${describeUrl(url)}: ${networkMessage(error)}`);
			})
			.finally(() => release?.()) as Promise<IN8nHttpFullResponse | CozeApiError>;
		// The request ends with this exchange, whatever n8n's helper is still waiting for (a token mint
		// shared with other executions): each request leaves at its own deadline, with its own error.
		const response = await Promise.race([
			call,
			exchange.stopped.then(() => {
				// This request was minting and no token came: that is what the item waited for.
				if (release && !session.tokenGate?.currentToken()) {
					exchange.phase = `getting an access token from Coze's OAuth token endpoint at ${session.origin}`;
				}
				return exchange.stoppedError();
			}),
		]);
		if (response instanceof CozeApiError) {
			void call.then((late) => (late instanceof CozeApiError ? undefined : (late.body as ByteStream | undefined)?.destroy?.()));
			throw response;
		}
		exchange.touch();
		const status = response.statusCode;
		const location = headerValue(response, 'location');
		if (!REDIRECT_STATUSES.includes(status) || location === undefined) {
			const contentType = headerValue(response, 'content-type') ?? '';
			return {
				...response,
				body: response.body as ByteStream,
				url,
				logid: headerValue(response, 'x-tt-logid') ?? headerValue(response, 'x-log-id'),
				mediaType: contentType.split(';')[0].trim().toLowerCase(),
			};
		}
		(response.body as ByteStream | undefined)?.destroy?.();
		const target = resolveLocation(location, url);
		const keepsMethod = status === 307 || status === 308 || method === 'GET';
		if (!target || new URL(target).origin !== session.origin) {
			throw new TransportError(
				'redirect',
				`Coze at ${session.origin} answered HTTP ${status} with a redirect to ${target ? new URL(target).origin : `'${location}'`}; the node does not follow redirects to another host, because its requests carry your access token. Check the credential's region and Base URL (for example http:// vs https://).`,
				{ httpStatus: status },
			);
		}
		if (!keepsMethod || hop >= LIMITS.maxRedirects) {
			throw new TransportError(
				'redirect',
				`Coze at ${session.origin} answered ${method} ${describeUrl(url)} with HTTP ${status} (redirect to ${describeUrl(target)}), which the node does not follow${hop >= LIMITS.maxRedirects ? ' more than 3 times' : ` for a ${method} request`}. Check the credential's Base URL.`,
				{ httpStatus: status },
			);
		}
		url = target;
		qs = undefined; // the Location carries its own query
		method = request.method;
		exchange.nextAttempt();
	}
}

/**
 * n8n 2.x's `httpRequestWithAuthentication` replaces `abortSignal` with the execution's cancel
 * signal whenever the calling context has `getExecutionCancelSignal`. The exchange's signal
 * already includes that cancel signal, plus the item's deadline and idle limit, so the helper is
 * called on a view of the context that hides the method; everything else reads through.
 */
export function withOwnAbortSignal(context: CozeContext): CozeContext {
	if (!('getExecutionCancelSignal' in context)) return context;
	let view = views.get(context);
	if (!view) {
		view = new Proxy(context, {
			has: (target, key) => key !== 'getExecutionCancelSignal' && Reflect.has(target, key),
			get: (target, key) => (key === 'getExecutionCancelSignal' ? undefined : Reflect.get(target, key)),
		});
		views.set(context, view);
	}
	return view;
}
const views = new WeakMap<object, CozeContext>();

function resolveLocation(location: string, base: string): string | undefined {
	try {
		const url = new URL(location, base);
		return /^https?:$/.test(url.protocol) ? url.href : undefined;
	} catch {
		return undefined;
	}
}

/**
 * n8n wraps both a failed request and a failed pre-authentication in NodeApiError; only the first
 * has an HTTP client error as its cause. The second is rebuilt with its message and description
 * (never its cause, which may hold the request).
 */
function notANetworkError(error: unknown): CozeApiError | undefined {
	const record = error as { cause?: { isAxiosError?: unknown; name?: unknown; code?: unknown; message?: unknown; description?: unknown } };
	const cause = record?.cause;
	if (!cause || typeof cause.message !== 'string' || !cause.message) return undefined;
	// The JWT credential's own failures say so (n8n 1.x wraps them with a string `code`).
	const ownCredential = cause.message.startsWith('Coze OAuth (JWT): ');
	if (!ownCredential && (cause.isAxiosError || cause.name === 'AxiosError' || typeof cause.code === 'string')) return undefined;
	const description = typeof cause.description === 'string' && cause.description ? ` (${cause.description})` : '';
	return new CozeApiError({ msg: `${cause.message}${description}` });
}

/** Piece size in which an upload is handed to the socket. */
const UPLOAD_CHUNK_BYTES = 64 * 1024;

/**
 * A request body that tells the exchange each time the connection accepted another piece of it, so
 * a slow upload is activity, not silence, and when the last piece was accepted, with the time the
 * server may still need to read what the sockets hold (UploadPace). n8n hands the body to axios, which takes it as a stream
 * (it has `pipe`) and either pipes it into the request (n8n 1.x) or pulls it as an async iterable
 * through a size check (n8n 2.x); both are served, with the connection's back-pressure. No stream
 * module is imported: community nodes may not.
 */
function sentBytesCounted(data: RawBody, exchange: Exchange): object {
	const pace = new UploadPace();
	const accepted = (piece: Uint8Array) => {
		pace.accept(piece.length);
		exchange.touch();
	};
	// The last byte is accepted: its buffered tail may take a while to reach the server (UploadPace).
	const sent = () => exchange.bodySent(pace.tailMs());
	type Listener = (...args: unknown[]) => void;
	const listeners = new Map<string, Listener[]>();
	let ended = false;
	const end = () => {
		if (ended) return;
		ended = true;
		for (const name of ['end', 'close']) for (const listener of listeners.get(name) ?? []) listener();
	};
	const body = {
		on(name: string, listener: Listener) {
			listeners.set(name, [...(listeners.get(name) ?? []), listener]);
			return body;
		},
		once(name: string, listener: Listener) {
			const once: Listener = (...args) => {
				body.off(name, once);
				listener(...args);
			};
			return body.on(name, once);
		},
		off(name: string, listener: Listener) {
			listeners.set(name, (listeners.get(name) ?? []).filter((l) => l !== listener));
			return body;
		},
		removeListener(name: string, listener: Listener) {
			return body.off(name, listener);
		},
		pipe<W extends { write(chunk: Uint8Array): boolean; end(): void; once(event: string, fn: () => void): unknown; destroyed?: boolean }>(destination: W): W {
			const pieces = rawBodyPieces(data, UPLOAD_CHUNK_BYTES);
			const more = () => {
				for (let next = pieces.next(); !next.done; next = pieces.next()) {
					if (destination.destroyed) return;
					const piece = next.value;
					accepted(piece);
					if (!destination.write(piece)) {
						const since = Date.now();
						destination.once('drain', () => {
							pace.waited(since);
							more();
						});
						return;
					}
				}
				sent();
				destination.end();
				end();
			};
			more();
			return destination;
		},
		async *[Symbol.asyncIterator]() {
			for (const piece of rawBodyPieces(data, UPLOAD_CHUNK_BYTES)) {
				accepted(piece);
				const since = Date.now();
				yield piece; // resumes when the consumer asks for the next piece
				pace.waited(since);
			}
			sent();
			end();
		},
	};
	return body;
}
