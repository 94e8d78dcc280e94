import type { IDataObject } from 'n8n-workflow';

import { CozeApiError, MalformedEventError, TransportError } from '../core/errors';
import { SseDecoder } from '../core/sse';
import type { SseEvent } from '../core/types';
import { LIMITS, type ItemBudget } from '../boundaries/budget';
import { consume, parseEnvelope, readErrorText } from './body';
import { withRetries } from './request';
import type { CozeContext } from './session';
import { describeUrl, type HttpResponse } from './wire';

/** What a caller does with the events of one Coze stream. */
export interface StreamHandler {
	/** The response headers arrived (its log id, for errors). */
	onOpen?(logid: string | undefined): void;
	/** One event, synchronously as it is parsed; throwing ends the stream with that error. */
	onEvent(event: SseEvent): void;
	/**
	 * True once the caller has all it needs (`done`): the node reads on for at most LIMITS.drainMs,
	 * so that Coze can close the connection cleanly, then closes it itself.
	 */
	finished(): boolean;
	/**
	 * Once the answer is complete but for its last event (a terminal chat status, an Interrupt), the
	 * ms that event may still take — however many heartbeats arrive meanwhile; undefined until then.
	 */
	tailMs?(): number | undefined;
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
 * and time (the item's budget, the idle rule, the execution's cancel signal, and the settling rules
 * of StreamHandler); a stop closes the socket and throws TransportError with the reason and phase.
 *
 * A stream that ends in the middle of an event (its last event unterminated and unreadable) broke
 * off, exactly like a connection reset at that point: TransportError 'network', which callers may
 * recover from — never "a malformed event".
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
				const text = await readErrorText(response, exchange);
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
			// stream (it does, right after `done`; closing it ourselves would cost the connection),
			// for at most LIMITS.drainMs.
			const failure = await consume(response, exchange, (chunk) => {
				received += chunk.length;
				if (received > LIMITS.maxStreamBytes) {
					exchange.stop('limit');
					return new TransportError('limit', `Coze's stream grew beyond ${LIMITS.maxStreamBytes / 1024 / 1024} MB; the node closed it`, { logid });
				}
				if (finished) return true;
				decoder.push(chunk);
				finished = handler.finished();
				if (finished) {
					exchange.settle(LIMITS.drainMs);
				} else {
					const tail = handler.tailMs?.();
					if (tail !== undefined) exchange.settle(tail);
				}
				return true;
			});
			if (failure && !(finished && failure instanceof TransportError)) throw failure;
			if (!finished) endStream(decoder, response, exchange.phase);
			if (decoder.events === 0) throw noEventError(response, request.path, decoder.head);
			return { logid, events: decoder.events, ended: finished ? 'finished' : 'eof' };
		},
	);
}

/** Delivers the last event of a stream Coze closed; one cut off in the middle is a broken stream. */
function endStream(decoder: SseDecoder, response: HttpResponse, phase: string): void {
	let failure: unknown;
	try {
		decoder.end();
	} catch (error) {
		failure = error;
	}
	if (failure === undefined) return;
	if (decoder.unterminated && failure instanceof MalformedEventError) {
		throw new TransportError('network', `Coze closed the stream in the middle of an event while ${phase}`, { logid: response.logid });
	}
	throw failure;
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
