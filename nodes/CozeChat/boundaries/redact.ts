/**
 * Redaction, pure (no n8n imports): the node's output boundary (output.ts) and the JWT credential
 * both use it, so every text that leaves the package is cleaned by the same rules.
 *
 * Two strengths:
 *  - exact: the credential's own secrets (its token, its private key, a token minted meanwhile),
 *    wherever they appear — in values and in object keys. Used on output items and live chunks,
 *    where a bot may legitimately talk about things that merely look like tokens.
 *  - shapes: exact, plus anything shaped like a Coze token, a bearer header, a JWT or a PEM private
 *    key. Used on errors and log lines, whatever server or proxy echoed them.
 */

export const REDACTED = '[redacted]';

/**
 * Coze token shapes (personal, service, OAuth user and service-app tokens), bearer headers, JWTs
 * and PEM private keys. A PEM marker alone is not a secret: the pattern needs key material after
 * the BEGIN line (the node's own hints name the formats, "-----BEGIN PRIVATE KEY-----", in words).
 */
const TOKEN_SHAPES = [
	/\b(?:pat|sat|czs|czu)_[A-Za-z0-9._-]+/g,
	/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
	/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
	/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:\\[rn]|[\s"'])*(?:[A-Za-z0-9+/=]|\\[rn]|\s){40,}(?:-----END [A-Z0-9 ]*PRIVATE KEY-----)?/g,
];

/** Secret values shorter than this are not searched for (they would match ordinary text). */
const MIN_SECRET_LENGTH = 8;

/** The secrets of a credential, read at each call so a token minted meanwhile is covered at once. */
export function secretsOf(credentials: Record<string, unknown>, fields: string[]): string[] {
	const secrets: string[] = [];
	for (const field of fields) {
		const value = credentials[field];
		if (typeof value !== 'string') continue;
		const trimmed = value.trim();
		if (trimmed.length >= MIN_SECRET_LENGTH) secrets.push(trimmed);
		// A PEM key may be echoed with its line breaks escaped or removed: each body line is a secret too.
		if (trimmed.includes('\n')) {
			for (const line of trimmed.split(/\r?\n/)) if (line.length >= 40 && !line.startsWith('-----')) secrets.push(line);
		}
	}
	return secrets;
}

/** `text` with every occurrence of each secret replaced. */
export function redactExact(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
	return out;
}

/** `text` with the secrets and anything shaped like a token or a private key replaced. */
export function redactShapes(text: string, secrets: readonly string[] = []): string {
	let out = redactExact(text, secrets);
	for (const shape of TOKEN_SHAPES) out = out.replace(shape, REDACTED);
	return out;
}

/**
 * Applies `redact` to every string of a JSON-like value, object keys included (a tool-call argument
 * name, a meta_data key). Mutates in place where it can and returns the value; cycles are safe.
 * A key that needs redacting is renamed; two keys that redact alike keep both values, numbered.
 */
export function redactDeep(value: unknown, redact: (text: string) => string, seen = new Set<unknown>()): unknown {
	if (typeof value === 'string') return redact(value);
	if (typeof value !== 'object' || value === null || seen.has(value)) return value;
	if (ArrayBuffer.isView(value)) return value; // binary data is not text
	seen.add(value);
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) value[i] = redactDeep(value[i], redact, seen);
		return value;
	}
	const record = value as Record<string, unknown>;
	for (const key of Object.keys(record)) {
		const cleanKey = redact(key);
		const cleanValue = redactDeep(record[key], redact, seen);
		if (cleanKey === key) {
			record[key] = cleanValue;
			continue;
		}
		delete record[key];
		let name = cleanKey;
		for (let n = 2; name in record; n++) name = `${cleanKey} (${n})`;
		record[name] = cleanValue;
	}
	return value;
}

/**
 * Exact redaction of a text that leaves in pieces (live chunks to a Chat Trigger): a secret split
 * across two pieces must not leak either half. `push` returns what is safe to send now and holds
 * back the longest tail that could still turn into a secret; `flush` returns the rest at the end.
 * The secrets are read at each push (a token minted meanwhile counts from then on).
 */
export class StreamRedactor {
	private pending = '';

	constructor(private readonly secrets: () => readonly string[]) {}

	push(text: string): string {
		const secrets = this.secrets();
		if (secrets.length === 0 && this.pending === '') return text;
		const joined = redactExact(this.pending + text, secrets);
		const hold = heldBackLength(joined, secrets);
		this.pending = joined.slice(joined.length - hold);
		return joined.slice(0, joined.length - hold);
	}

	flush(): string {
		const rest = redactExact(this.pending, this.secrets());
		this.pending = '';
		return rest;
	}
}

/** The length of the longest end of `text` that is the beginning of a secret (0 if none). */
function heldBackLength(text: string, secrets: readonly string[]): number {
	let hold = 0;
	for (const secret of secrets) {
		const longest = Math.min(secret.length - 1, text.length);
		for (let length = longest; length > hold; length--) {
			if (text.endsWith(secret.slice(0, length))) {
				hold = length;
				break;
			}
		}
	}
	return hold;
}
