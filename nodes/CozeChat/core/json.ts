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

function quoteUnsafeIntegers(text: string): string {
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
			if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
				out += text.slice(copiedUpTo, start) + '"' + literal + '"';
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
