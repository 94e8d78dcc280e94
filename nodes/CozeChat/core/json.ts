/**
 * JSON parsing that keeps Coze's 19-digit ids exact.
 *
 * Coze ids are int64. Most payloads send them as strings, but some nested JSON (the content of
 * `function_call` messages: `plugin_id`, `api_id`) carries them as raw numbers, which `JSON.parse`
 * rounds to the nearest double. Integer literals that do not fit in a double exactly are turned
 * into strings before parsing; everything else parses exactly as `JSON.parse` would.
 */
export function parseJsonExact(text: string): unknown {
	return JSON.parse(quoteUnsafeIntegers(text));
}

/** Like `parseJsonExact`, but returns `undefined` instead of throwing. */
export function tryParseJsonExact(text: string): unknown {
	try {
		return parseJsonExact(text);
	} catch {
		return undefined;
	}
}

function quoteUnsafeIntegers(text: string, marker = ''): string {
	// Fast path: an unsafe number literal follows ':', '[' or ','. Ids inside strings ("id":"7382…")
	// do not match, so ordinary Coze events go straight to JSON.parse.
	if (!/[:[,]\s*-?\d{16}/.test(text)) return text;
	let out = '';
	let copiedUpTo = 0;
	let i = 0;
	const n = text.length;
	while (i < n) {
		const c = text.charCodeAt(i);
		if (c === 34 /* " */) {
			// Skip the whole string literal, honouring escapes.
			i++;
			while (i < n) {
				const s = text.charCodeAt(i);
				if (s === 92 /* \ */) i += 2;
				else if (s === 34) break;
				else i++;
			}
			i++;
		} else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
			const start = i;
			i++;
			while (i < n) {
				const d = text.charCodeAt(i);
				if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) i++;
				else break;
			}
			const literal = text.slice(start, i);
			if (isUnsafeIntegerText(literal)) {
				out += text.slice(copiedUpTo, start) + '"' + marker + literal + '"';
				copiedUpTo = i;
			}
		} else {
			i++;
		}
	}
	return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/**
 * An SSE event's JSON payload, exact. The hot path of a long answer (tens of thousands of deltas)
 * is plain `JSON.parse`; only a payload in which it met an integer beyond 2^53 — a 19-digit id sent
 * as a bare number, which `JSON.parse` has already rounded — is parsed again with the exact parser.
 */
export function parseEventJson(text: string): unknown {
	const fast: unknown = JSON.parse(text);
	return holdsUnsafeNumber(fast) ? parseJsonExact(text) : fast;
}

function holdsUnsafeNumber(value: unknown): boolean {
	if (typeof value === 'number') return value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER;
	if (typeof value !== 'object' || value === null) return false;
	if (Array.isArray(value)) {
		for (const element of value) if (holdsUnsafeNumber(element)) return true;
		return false;
	}
	for (const key in value) if (holdsUnsafeNumber((value as Record<string, unknown>)[key])) return true;
	return false;
}

/** Ids as strings, whichever way Coze sent them (Coze Studio sends some as numbers). */
export function idText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/**
 * An integer beyond 2^53 that a person gave as JSON text (a workflow input, a chatflow parameter),
 * held as its digits. `stringifyJson` writes it into a request body as a bare JSON number with all
 * its digits; anywhere else (an output, an error message) it reads as the text of its digits.
 */
export class JsonInteger {
	/** The integer as a JSON number literal (leading zeros of a typed-in text dropped). */
	readonly digits: string;

	constructor(digits: string) {
		this.digits = digits.replace(/^(-?)0+(?=\d)/, '$1');
	}

	toJSON(): string {
		return this.digits;
	}

	toString(): string {
		return this.digits;
	}
}

/** Whether `text` is an integer literal that a JavaScript number cannot hold exactly. */
function isUnsafeIntegerText(text: string): boolean {
	return /^-?\d+$/.test(text) && !Number.isSafeInteger(Number(text));
}

/** A typed-in integer text beyond 2^53 as a JsonInteger (its digits kept); undefined for anything else. */
export function exactIntegerOf(value: unknown): JsonInteger | undefined {
	return typeof value === 'string' && isUnsafeIntegerText(value.trim()) ? new JsonInteger(value.trim()) : undefined;
}

const MARKER = '~coze-exact-integer';

/** A marker no text of the value contains (a person's text could, in theory, hold the first one). */
function freeMarker(contains: (marker: string) => boolean): string {
	let marker = MARKER;
	for (let n = 1; contains(marker); n++) marker = `${MARKER}-${n}`;
	return `${marker}:`;
}

function eachString(value: unknown, visit: (text: string) => void): void {
	if (typeof value === 'string') visit(value);
	else if (Array.isArray(value)) for (const element of value) eachString(element, visit);
	else if (typeof value === 'object' && value !== null) {
		for (const [key, element] of Object.entries(value)) {
			visit(key);
			eachString(element, visit);
		}
	}
}

/**
 * JSON text a person gave, with every integer beyond 2^53 kept exact as a `JsonInteger` (a number
 * in the request body again, not a string as `parseJsonExact` gives it). Throws like `JSON.parse`.
 */
export function parseJsonNumbersExact(text: string): unknown {
	const plain: unknown = JSON.parse(text);
	if (!holdsUnsafeNumber(plain)) return plain;
	const strings: string[] = [];
	eachString(plain, (s) => strings.push(s));
	const marker = freeMarker((m) => strings.some((s) => s.includes(m)));
	return JSON.parse(quoteUnsafeIntegers(text, marker), (_key, value: unknown) =>
		typeof value === 'string' && value.startsWith(marker) ? new JsonInteger(value.slice(marker.length)) : value,
	);
}

function holdsJsonInteger(value: unknown): boolean {
	if (value instanceof JsonInteger) return true;
	if (typeof value !== 'object' || value === null) return false;
	if (Array.isArray(value)) return value.some(holdsJsonInteger);
	return Object.values(value).some(holdsJsonInteger);
}

/**
 * A request body as JSON text: `JSON.stringify`, except that each `JsonInteger` is written as a bare
 * number with all its digits (JSON.stringify of a Number would round it, of a string quote it).
 */
export function stringifyJson(value: unknown): string {
	const plain = JSON.stringify(value);
	if (!holdsJsonInteger(value)) return plain;
	const marker = freeMarker((m) => plain.includes(m));
	const marked = JSON.stringify(value, function (this: Record<string, unknown>, key: string, replaced: unknown) {
		// toJSON has already turned the JsonInteger into its digits; the holder still has the original.
		const original = this[key];
		return original instanceof JsonInteger ? `${marker}${original.digits}` : replaced;
	});
	const quoted = `"${marker}`;
	let out = '';
	let from = 0;
	for (let at = marked.indexOf(quoted); at !== -1; at = marked.indexOf(quoted, from)) {
		const end = marked.indexOf('"', at + quoted.length);
		out += marked.slice(from, at) + marked.slice(at + quoted.length, end);
		from = end + 1;
	}
	return out + marked.slice(from);
}
