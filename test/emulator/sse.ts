/** Renders events in Coze's SSE wire format, with controls for every framing variant seen. */

export interface WireEvent {
	event: string;
	/** An object is JSON-encoded; a string is sent verbatim (for `[DONE]` and raw payloads). */
	data: unknown;
	/** Pause before this event (ms), to model a bot that thinks. */
	delayMs?: number;
	/** The event's `id:` line (Coze workflow streams number their events); none when undefined. */
	id?: number | string;
}

export type DoneVariant = 'quoted' | 'bare' | 'empty-object' | 'debug-url';

export interface Framing {
	/** Line ending. Real Coze uses \n. */
	crlf: boolean;
	/** `data: {…}` instead of Coze chat's `data:{…}`. */
	spaceAfterColon: boolean;
	/**
	 * Whether the last event ends with a blank line. Real servers always end it (hertz-contrib/sse
	 * writes `\n\n` after every data line, and coze-js treats bytes left at EOF as an error); some
	 * saved captures (cozepy's .txt fixtures) lack it, so `false` is a robustness variant only.
	 */
	trailingNewline: boolean;
	/** How the `done` event's data looks. */
	done: DoneVariant;
	/** Bytes per socket write; 1 splits every multi-byte UTF-8 character. 0 = one write per event. */
	chunkSize: number;
	/** Leave out `id:` lines even for events that have an id (a stream without event ids). */
	omitIds?: boolean;
}

export const REAL_FRAMING: Framing = {
	crlf: false,
	spaceAfterColon: false,
	trailingNewline: true,
	done: 'quoted',
	chunkSize: 0,
};

/** Every framing variant the client must accept. */
export const FRAMINGS: Record<string, Framing> = {
	real: REAL_FRAMING,
	crlf: { ...REAL_FRAMING, crlf: true },
	spaced: { ...REAL_FRAMING, spaceAfterColon: true, done: 'bare' },
	noTrailingNewline: { ...REAL_FRAMING, trailingNewline: false },
	oneByteChunks: { ...REAL_FRAMING, chunkSize: 1 },
	sevenByteCrlf: { ...REAL_FRAMING, chunkSize: 7, crlf: true, done: 'empty-object' },
	chatflowStyle: { ...REAL_FRAMING, spaceAfterColon: true, done: 'debug-url', trailingNewline: false, chunkSize: 3 },
};

export const DEBUG_URL = 'https://www.coze.cn/work_flow?execute_id=7559860095103800001&space_id=7498204883280400001';

function doneData(variant: DoneVariant): string {
	switch (variant) {
		case 'quoted':
			return '"[DONE]"';
		case 'bare':
			return '[DONE]';
		case 'empty-object':
			return '{}';
		case 'debug-url':
			return JSON.stringify({ debug_url: DEBUG_URL });
	}
}

/** The text of one event, including its terminating blank line. */
export function renderEvent(event: WireEvent, framing: Framing): string {
	const eol = framing.crlf ? '\r\n' : '\n';
	const sep = framing.spaceAfterColon ? ': ' : ':';
	let data: string;
	if (event.event === 'done' && (event.data === undefined || event.data === '[DONE]')) {
		data = doneData(framing.done);
	} else {
		data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
	}
	const id = event.id !== undefined && !framing.omitIds ? `id${sep}${event.id}${eol}` : '';
	// Multi-line data (Coze Studio's plain-text errors) goes out as one `data:` line per line.
	const dataLines = data.split('\n').map((line) => `data${sep}${line}${eol}`).join('');
	return `${id}event${sep}${event.event}${eol}${dataLines}${eol}`;
}

/** The text of each event; the last one without its blank line when the framing says so. */
export function renderEventTexts(events: WireEvent[], framing: Framing): string[] {
	const eol = framing.crlf ? '\r\n' : '\n';
	const texts = events.map((event) => renderEvent(event, framing));
	if (!framing.trailingNewline && texts.length > 0) {
		const last = texts.length - 1;
		texts[last] = texts[last].slice(0, texts[last].length - 2 * eol.length);
	}
	return texts;
}

/** Splits text into byte chunks of `size` (0 = one chunk), cutting through UTF-8 sequences. */
export function toChunks(text: string, size: number): Buffer[] {
	const bytes = Buffer.from(text, 'utf8');
	if (size <= 0) return [bytes];
	const chunks: Buffer[] = [];
	for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
	return chunks;
}

/** Byte chunks of a whole transcript, as the emulator would write them. */
export function renderChunks(events: WireEvent[], framing: Framing): Buffer[] {
	const text = renderEventTexts(events, framing).join('');
	return toChunks(text, framing.chunkSize);
}
