import { createParser, type EventSourceParser } from 'eventsource-parser';

import { CozeApiError } from './errors';
import type { SseEvent } from './types';

/** Largest event (or unterminated line) accepted, in characters: Coze answers are a few MB at most. */
export const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/** How much of a stream's beginning is kept while no event has been seen (to report a bare JSON body). */
const HEAD_CHARS = 64 * 1024;

/**
 * Turns the bytes of a server-sent event stream into events, pushed to `onEvent` as they complete.
 * The only place that knows the SSE wire format: bytes are decoded with a streaming TextDecoder
 * (multi-byte characters may be split across chunks), framing (CRLF, optional space after the
 * colon, multi-line data, comments) is eventsource-parser's job, the last event is delivered even
 * without a trailing blank line, and no event or line may grow beyond `maxEventChars`.
 *
 * Push-style on purpose: the caller's one read loop feeds chunks straight from the socket, and
 * `onEvent` runs synchronously inside `push` (an exception there propagates out of `push`).
 */
export class SseDecoder {
	/** Events delivered so far. */
	events = 0;

	/** The first characters of the stream, kept until the first event arrives. */
	head = '';

	/**
	 * True when end() delivered a last event that had no closing blank line: the stream ended in the
	 * middle of that event, or the server omitted the blank line after its last one.
	 */
	unterminated = false;

	private ending = false;

	private readonly decoder = new TextDecoder();

	private readonly parser: EventSourceParser;

	private overflow = false;

	constructor(
		onEvent: (event: SseEvent) => void,
		private readonly maxEventChars = MAX_EVENT_CHARS,
	) {
		this.parser = createParser({
			onEvent: (message) => {
				this.events++;
				if (this.ending) this.unterminated = true;
				// The parser's object is new for each event: hand it on rather than copy it (a long
				// answer has tens of thousands of events).
				message.event ??= 'message';
				onEvent(message as SseEvent);
			},
			onError: (error) => {
				if (error.type === 'max-buffer-size-exceeded') this.overflow = true;
			},
			maxBufferSize: maxEventChars,
		});
	}

	/** Feeds one chunk of bytes (or text). */
	push(chunk: Uint8Array | string): void {
		const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		if (this.events === 0 && this.head.length < HEAD_CHARS) this.head += text.slice(0, HEAD_CHARS - this.head.length);
		this.parser.feed(text);
		if (this.overflow) throw this.tooLarge();
	}

	/** Ends the stream: flushes the decoder and delivers a last event that lacked its blank line. */
	end(): void {
		this.ending = true;
		try {
			this.push(this.decoder.decode() + '\n\n');
		} finally {
			this.ending = false;
		}
	}

	private tooLarge(): CozeApiError {
		return new CozeApiError({
			msg: `Coze sent an event or line longer than ${Math.round(this.maxEventChars / 1024 / 1024)} MB without ending it; the stream was closed`,
		});
	}
}

/** Async-iterable convenience over SseDecoder (tests, tools). */
export async function* readSseEvents(
	body: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SseEvent> {
	const pending: SseEvent[] = [];
	const decoder = new SseDecoder((event) => pending.push(event));
	for await (const chunk of body) {
		decoder.push(chunk);
		for (const event of pending.splice(0)) yield event;
	}
	decoder.end();
	for (const event of pending.splice(0)) yield event;
}
