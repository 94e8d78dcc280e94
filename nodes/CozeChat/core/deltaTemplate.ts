/**
 * The hot path of a long answer, exact and cheap. The deltas of one message are one payload with one
 * varying string: `{"id":"…", …, "content":"<piece>", …}` — the same bytes before the piece, the
 * same bytes after it. Once a delta has been parsed in full, the next one that has the very same
 * bytes before and after a single JSON string literal is that payload with another piece: its
 * piece is read without parsing (and allocating) the whole object again.
 *
 * Exactness: identical bytes before the literal leave a JSON parser in the identical state (just
 * after the top-level key), the literal is checked to be exactly one JSON string (JSON.parse reads
 * it when it holds an escape), and identical bytes after it parse identically. The key occurs once
 * in the learned payload, so a duplicate key cannot override it. Anything else is parsed in full.
 */

/** The fields that vary from delta to delta: the answer text, or a reasoning model's thinking. */
const VARYING = ['content', 'reasoning_content'] as const;

export type VaryingField = (typeof VARYING)[number];

/** A string literal whose inner text needs JSON's own reading (escapes, quotes, control characters). */
const NEEDS_PARSER = /["\\\u0000-\u001f]/;

export class DeltaTemplate {
	/** The payload learned last, parsed; undefined until one was learned. */
	message: Record<string, unknown> | undefined;

	field: VaryingField = 'content';

	private prefix = '';

	private suffix = '';

	/** The varying string of `text` when it is the learned payload with another piece, else undefined. */
	match(text: string): string | undefined {
		if (this.message === undefined) return undefined;
		const { prefix, suffix } = this;
		const end = text.length - suffix.length;
		// slice + === compares like memcmp; startsWith compares character by character (~15× slower).
		if (end < prefix.length + 2 || text.slice(0, prefix.length) !== prefix || text.slice(end) !== suffix) return undefined;
		return readStringLiteral(text.slice(prefix.length, end));
	}

	/** Learns `text` (whose parsed form is `message`) as the template of the deltas that follow. */
	learn(text: string, message: Record<string, unknown>): void {
		this.message = undefined;
		const field = VARYING.find((name) => typeof message[name] === 'string' && message[name] !== '') ?? 'content';
		const value = message[field];
		if (typeof value !== 'string') return;
		const key = `"${field}":`;
		const at = text.indexOf(key);
		if (at < 0 || at !== text.lastIndexOf(key)) return; // the key once, at the top level only
		const literal = JSON.stringify(value);
		if (!text.startsWith(literal, at + key.length)) return; // written another way (spaces, escapes)
		this.prefix = text.slice(0, at + key.length);
		this.suffix = text.slice(at + key.length + literal.length);
		this.field = field;
		this.message = message;
	}
}

/** The string a JSON string literal stands for, or undefined when `literal` is not exactly one. */
function readStringLiteral(literal: string): string | undefined {
	if (literal.length < 2 || literal.charCodeAt(0) !== 34 || literal.charCodeAt(literal.length - 1) !== 34) return undefined;
	const inner = literal.slice(1, -1);
	if (!NEEDS_PARSER.test(inner)) return inner;
	try {
		const value: unknown = JSON.parse(literal);
		return typeof value === 'string' ? value : undefined;
	} catch {
		return undefined;
	}
}
