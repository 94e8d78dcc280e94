import type { IDataObject } from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import { SseDecoder } from '../core/sse';
import type { SseEvent } from '../core/types';
import { consume, describeUrl, ItemBudget, LIMITS, readText, TransportError, type HttpResponse } from './http';
import { parseEnvelope, withRetries } from './request';
import type { CozeContext } from './session';

/** What a caller does with the events of one Coze stream. */
export interface StreamHandler {
	/** The response headers arrived (its log id, for errors). */
	onOpen?(logid: string | undefined): void;
	/** One event, synchronously as it is parsed; throwing ends the stream with that error. */
	onEvent(event: SseEvent): void;
	/** True once the caller has all it needs: the node stops reading and closes the connection. */
	finished(): boolean;
	/** The silence allowed before the next byte, asked after each chunk (e.g. shorter once only `done` is left). */
	idleMs?(): number;
}

export interface StreamOutcome {
	logid: string | undefined;
	events: number;
	/** `finished`: the handler had all it needed; `eof`: Coze closed the stream. */
	ended: 'finished' | 'eof';
}

/**
 * Sends a request Coze answers with server-sent events and reads the stream in one loop, from the
 * socket straight into the handler: bytes → SseDecoder → `onEvent`. The stream is bounded in size
 * and time (the item's deadline, an idle limit, the execution's cancel signal); a stop closes the
 * socket and throws TransportError with the reason and phase.
 *
 * A stream request Coze refuses (an error status, or a JSON envelope where events were expected,
 * even under `text/event-stream`) throws Coze's code, msg and logid; a "too many requests" refusal
 * is sent again after a backoff (nothing was created). Once an event arrived the request is never
 * sent again.
 */
export async function streamCoze(
	this: CozeContext,
	request: { path: string; qs?: IDataObject; body: IDataObject },
	options: { budget: ItemBudget; retryRateLimit?: boolean; handler: StreamHandler },
): Promise<StreamOutcome> {
	const { handler } = options;
	return await withRetries(
		this,
		{ method: 'POST', path: request.path, qs: request.qs, body: request.body, accept: 'text/event-stream' },
		options,
		async (response, exchange) => {
			const logid = response.logid;
			if (response.statusCode >= 400 || !response.mediaType.includes('event-stream')) {
				const text = await readText(response, exchange, LIMITS.maxErrorBodyBytes, { truncate: true });
				parseEnvelope(response, text, `POST ${request.path}`); // throws for every error envelope
				throw new CozeApiError({
					msg: `Coze answered a streaming request with '${response.mediaType || 'no content type'}' instead of an event stream: ${text.slice(0, 300)}`,
					logid,
				});
			}
			handler.onOpen?.(logid);
			exchange.phase = `receiving the answer from ${describeUrl(response.url)}`;
			const decoder = new SseDecoder((event) => {
				exchange.committed = true;
				handler.onEvent(event);
			});
			let received = 0;
			let finished = false;
			// Once the handler has all it needs, the rest is read and dropped until Coze ends the
			// stream (it does, right after `done`): closing it ourselves would cost an abort per item.
			// A server that keeps it open is cut off by the handler's (short) idle limit.
			const failure = await consume(response, exchange, (chunk) => {
				received += chunk.length;
				if (received > LIMITS.maxStreamBytes) {
					exchange.stop('limit');
					return new TransportError('limit', `Coze's stream grew beyond ${LIMITS.maxStreamBytes / 1024 / 1024} MB; the node closed it`, { logid });
				}
				if (finished) return true;
				decoder.push(chunk);
				finished = handler.finished();
				if (handler.idleMs) exchange.setIdle(handler.idleMs());
				return true;
			});
			if (failure && !(finished && failure instanceof TransportError)) throw failure;
			if (!finished) decoder.end();
			if (decoder.events === 0) throw noEventError(response, request.path, decoder.head);
			return { logid, events: decoder.events, ended: finished ? 'finished' : 'eof' };
		},
	);
}

/**
 * A stream that carried no event at all: Coze sometimes answers a stream request with a bare JSON
 * envelope under `text/event-stream` (a rejection); say what it was, or at least what is known.
 */
function noEventError(response: HttpResponse, path: string, head: string): CozeApiError {
	const text = head.trim();
	if (text.startsWith('{')) parseEnvelope(response, text, `POST ${path}`); // throws Coze's code and msg
	return new CozeApiError({
		msg: `Coze answered POST ${path} with HTTP ${response.statusCode} and an event stream without any event${text ? `: ${text.slice(0, 300)}` : ' (the body was empty)'}`,
		logid: response.logid,
		httpStatus: response.statusCode >= 400 ? response.statusCode : undefined,
	});
}

export { ItemBudget, TransportError };
