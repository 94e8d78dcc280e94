import { createParser } from 'eventsource-parser';

import type { SseEvent } from './types';

/**
 * Turns a byte stream into server-sent events. The only place that knows the SSE wire format:
 * bytes are decoded with a streaming TextDecoder (multi-byte characters may be split across
 * chunks), framing (CRLF, optional space after the colon, multi-line data) is eventsource-parser's
 * job, and a last event without a trailing blank line is still delivered at end of stream.
 */
export async function* readSseEvents(
	body: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SseEvent> {
	const decoder = new TextDecoder();
	const pending: SseEvent[] = [];
	const parser = createParser({
		onEvent: (message) => pending.push({ event: message.event ?? 'message', data: message.data, id: message.id }),
	});
	for await (const chunk of body) {
		parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
		while (pending.length > 0) yield pending.shift() as SseEvent;
	}
	// Flush the decoder, then end the last line and the last event: real Coze streams may stop
	// right after the final `data:` line.
	parser.feed(decoder.decode() + '\n\n');
	while (pending.length > 0) yield pending.shift() as SseEvent;
}
