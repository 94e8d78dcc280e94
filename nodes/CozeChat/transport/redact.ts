import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

const REDACTED = '[redacted]';

/**
 * Coze token shapes (personal, service, OAuth user and service-app tokens) and bearer headers.
 * Applied to error texts on top of the exact secrets, in case a server echoes a token of another
 * credential or a truncated one.
 */
const TOKEN_PATTERNS = [
	/\b(?:pat|sat|czs|czu)_[A-Za-z0-9._-]{8,}/g,
	/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
	// A JWT (a JWT credential's signed assertion, echoed by a token endpoint or a proxy).
	/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
	/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** Secret values shorter than this are not searched for (they would match ordinary text). */
const MIN_SECRET_LENGTH = 8;

/**
 * Removes a credential's secrets from text the node shows or logs: error messages, descriptions,
 * contexts and output items. It reads the credential's secret fields at each call, so a token
 * minted during the execution (JWT credential) is covered as soon as it exists.
 */
export class Redactor {
	constructor(
		private readonly credentials: ICredentialDataDecryptedObject,
		private readonly secretFields: string[],
	) {}

	private secrets(): string[] {
		const secrets: string[] = [];
		for (const field of this.secretFields) {
			const value = this.credentials[field];
			if (typeof value !== 'string') continue;
			const trimmed = value.trim();
			if (trimmed.length >= MIN_SECRET_LENGTH) secrets.push(trimmed);
			// A PEM key may be echoed with its line breaks escaped or removed.
			if (trimmed.includes('\n')) {
				for (const line of trimmed.split(/\r?\n/)) if (line.length >= 40 && !line.startsWith('-----')) secrets.push(line);
			}
		}
		return secrets;
	}

	/** Text for an error or a log line: secrets and anything shaped like a token are replaced. */
	text(value: string): string {
		let out = this.exact(value, this.secrets());
		for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
		return out;
	}

	/** An n8n error (message, description, stack, context, response) with every text redacted. */
	error<E extends Error>(error: E): E {
		const record = error as unknown as Record<string, unknown>;
		for (const key of ['message', 'description', 'stack']) {
			if (typeof record[key] === 'string') record[key] = this.text(record[key] as string);
		}
		for (const key of ['messages', 'context', 'errorResponse']) {
			if (record[key] !== undefined && record[key] !== null) record[key] = this.deep(record[key], (s) => this.text(s));
		}
		const cause = record.cause;
		if (cause instanceof Error) this.error(cause);
		else if (cause !== undefined && cause !== null) record.cause = this.deep(cause, (s) => this.text(s));
		return error;
	}

	/**
	 * Output items: only the credential's own secrets are replaced (a bot may legitimately talk
	 * about things that look like tokens). Items without a secret are returned untouched.
	 */
	items(items: INodeExecutionData[]): INodeExecutionData[] {
		const secrets = this.secrets();
		if (secrets.length === 0) return items;
		for (const item of items) item.json = this.deep(item.json, (s) => this.exact(s, secrets)) as IDataObject;
		return items;
	}

	private exact(value: string, secrets: string[]): string {
		let out = value;
		for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
		return out;
	}

	private deep(value: unknown, redact: (text: string) => string, seen = new Set<unknown>()): unknown {
		if (typeof value === 'string') return redact(value);
		if (typeof value !== 'object' || value === null || seen.has(value)) return value;
		seen.add(value);
		if (Array.isArray(value)) {
			for (let i = 0; i < value.length; i++) value[i] = this.deep(value[i], redact, seen);
			return value;
		}
		const record = value as Record<string, unknown>;
		for (const key of Object.keys(record)) record[key] = this.deep(record[key], redact, seen);
		return value;
	}
}
