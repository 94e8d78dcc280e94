/**
 * Coze OAuth JWT (service app) flow: read the app's RSA private key, sign a one-time RS256 JWT and
 * exchange it for an access token at `POST {base}/api/permission/oauth2/token`.
 *
 * Pure: imports only node:crypto, no n8n. The credential (credentials/CozeJwtApi.credentials.ts)
 * calls it from `preAuthentication` with n8n's `httpRequest` as the transport; the node can import
 * it to decide when a stored token is due. Nothing here ever puts the private key, a JWT or an
 * access token into an error message.
 *
 * Sources: Coze docs `oauth_jwt.md` (coze-dev/coze-sdk-gen), coze-py `auth/__init__.py`, coze-js
 * `src/auth.ts`, coze-go `auth_token.go` (refresh margins), coze-go #43 / coze-py #123, #148, #230.
 */
import { createHash, createPrivateKey, createSign, randomBytes, type KeyObject } from 'node:crypto';

import { REGION_BASE_URLS } from './region';

export const JWT_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Longest access token Coze issues (`duration_seconds` ≤ 86399). */
export const MAX_TOKEN_LIFETIME = 86399;

/** Shortest lifetime the credential accepts: long enough for a 30 s refresh margin to matter. */
export const MIN_TOKEN_LIFETIME = 600;

/** Lifetime of the signed JWT itself; every SDK uses one hour. It is used once, right away. */
export const JWT_LIFETIME = 3600;

/** An error a person can act on. `message` and `description` never hold a key, a JWT or a token. */
export class CozeJwtError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'CozeJwtError';
	}
}

export interface JwtAppConfig {
	/** API base URL without a trailing slash, e.g. https://api.coze.cn */
	baseUrl: string;
	/** OAuth app ID: the JWT `iss`. */
	appId: string;
	/** Public key fingerprint: the JWT header `kid`. */
	keyId: string;
	/** PEM text as pasted by the user (PKCS#1 or PKCS#8). */
	privateKey: string;
	/** Requested access token lifetime in seconds (`duration_seconds`). */
	tokenLifetime: number;
	sessionName?: string;
	/** Enterprise multi-organisation account ID: selects the account variant of the endpoint. */
	accountId?: string;
}

/**
 * Where the Coze node leaves the abort signal of the request that is about to mint, on the
 * credential data n8n hands to preAuthentication (the node and the credential are bundled apart, so
 * a registered symbol rather than a shared module). Non-enumerable: never copied, stored or shown.
 */
const MINT_SIGNAL = Symbol.for('n8n-nodes-coze.mintSignal');

/** The node: the token request of the next mint on `credentials` ends when `signal` aborts. */
export function setMintSignal(credentials: object, signal: AbortSignal | undefined): void {
	Object.defineProperty(credentials, MINT_SIGNAL, { value: signal, configurable: true, enumerable: false, writable: true });
}

/** The credential: the signal the node left for this mint, if any. */
export function mintSignalOf(credentials: object): AbortSignal | undefined {
	const value = (credentials as Record<symbol, unknown>)[MINT_SIGNAL];
	return value instanceof AbortSignal ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Configuration from credential fields

/** Reads and checks the credential fields (`region`, `baseUrl`, `appId`, ...) into a JwtAppConfig. */
export function readJwtConfig(fields: Record<string, unknown>): JwtAppConfig {
	const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : '');
	const region = text('region') || 'cn';
	let baseUrl = REGION_BASE_URLS[region];
	if (region === 'custom') {
		baseUrl = text('baseUrl').replace(/\/+$/, '');
		if (!/^https?:\/\/[^/\s]+/i.test(baseUrl)) {
			throw new CozeJwtError(`Base URL '${baseUrl}' is not an http(s) URL (expected something like https://api.coze.cn)`);
		}
	}
	if (!baseUrl) throw new CozeJwtError(`Unknown region '${region}': choose Coze.cn, Coze.com or Custom Base URL`);

	const appId = text('appId');
	if (!appId) throw new CozeJwtError('App ID is empty: enter the ID of the OAuth app (Coze → API → Authorization → OAuth apps)');
	const keyId = text('fingerprint');
	if (!keyId) {
		throw new CozeJwtError(
			'Public Key Fingerprint is empty: enter the fingerprint shown next to the public key in the OAuth app',
		);
	}
	if (keyId.includes('-----BEGIN') || keyId.length > 128 || /\s/.test(keyId)) {
		throw new CozeJwtError(
			'Public Key Fingerprint does not look like a fingerprint',
			'Enter the short fingerprint (kid) shown next to the public key in the OAuth app, not the key itself.',
		);
	}
	const privateKey = typeof fields.privateKey === 'string' ? fields.privateKey : '';
	if (privateKey.trim() === '') throw new CozeJwtError('Private Key is empty: paste the contents of the private_key.pem file Coze downloaded');

	const lifetime = Number(fields.lifetime ?? MAX_TOKEN_LIFETIME);
	if (!Number.isInteger(lifetime) || lifetime < MIN_TOKEN_LIFETIME || lifetime > MAX_TOKEN_LIFETIME) {
		throw new CozeJwtError(
			`Token Lifetime must be a whole number of seconds from ${MIN_TOKEN_LIFETIME} to ${MAX_TOKEN_LIFETIME}`,
		);
	}
	return {
		baseUrl,
		appId,
		keyId,
		privateKey,
		tokenLifetime: lifetime,
		sessionName: text('sessionName') || undefined,
		accountId: text('accountId') || undefined,
	};
}

/** The JWT `aud`: the API host (with its port, if any), as coze-py derives it from the base URL. */
export function audienceFor(baseUrl: string): string {
	return new URL(baseUrl).host;
}

export function tokenUrl(config: Pick<JwtAppConfig, 'baseUrl' | 'accountId'>): string {
	const path = config.accountId
		? `/api/permission/oauth2/account/${encodeURIComponent(config.accountId)}/token`
		: '/api/permission/oauth2/token';
	return `${config.baseUrl}${path}`;
}

// ---------------------------------------------------------------------------------------------
// Private key

const EXPECTED_FORMATS =
	'Expected the private_key.pem Coze downloaded: PKCS#1 (-----BEGIN RSA PRIVATE KEY-----) or PKCS#8 (-----BEGIN PRIVATE KEY-----), unencrypted.';

/**
 * Rebuilds a PEM from pasted text: tolerates literal `\n`, CRLF, surrounding quotes and spaces, and
 * a key pasted onto one line. Rejects public keys, certificates, encrypted and non-RSA keys with a
 * message that says which format is expected.
 */
export function normalizePrivateKey(input: string): { pem: string; label: string } | { der: Buffer } {
	let text = String(input).trim();
	if (/^(["'`]).*\1$/s.test(text)) text = text.slice(1, -1).trim();
	text = text.replace(/\\r\\n|\\n|\\r/g, '\n').replace(/\r\n?/g, '\n');

	const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/.exec(text);
	if (!match) {
		const body = text.replace(/\s+/g, '');
		if (body.length > 100 && /^[A-Za-z0-9+/]+={0,2}$/.test(body)) return { der: Buffer.from(body, 'base64') };
		throw new CozeJwtError('Private Key is not a PEM key', EXPECTED_FORMATS);
	}
	const [, label, rawBody, endLabel] = match;
	if (label !== endLabel) throw new CozeJwtError(`Private Key is damaged: it begins with ${label} but ends with ${endLabel}`, EXPECTED_FORMATS);
	if (/PUBLIC KEY|CERTIFICATE/.test(label)) {
		throw new CozeJwtError(`Private Key holds a ${label.toLowerCase()}, not the private key`, EXPECTED_FORMATS);
	}
	if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/i.test(rawBody)) {
		throw new CozeJwtError(
			'Private Key is encrypted with a passphrase',
			`Remove the passphrase first, e.g. openssl pkey -in key.pem -out plain.pem. ${EXPECTED_FORMATS}`,
		);
	}
	if (label === 'OPENSSH PRIVATE KEY') {
		throw new CozeJwtError('Private Key is in OpenSSH format', `Convert it with ssh-keygen -p -m PEM -f key. ${EXPECTED_FORMATS}`);
	}
	if (label !== 'RSA PRIVATE KEY' && label !== 'PRIVATE KEY') {
		throw new CozeJwtError(`Private Key is a ${label}, not an RSA private key`, EXPECTED_FORMATS);
	}
	const body = rawBody.replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
		throw new CozeJwtError('Private Key is damaged: its body is not base64', EXPECTED_FORMATS);
	}
	const lines = body.match(/.{1,64}/g) ?? [];
	return { pem: `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`, label };
}

function tryCreatePrivateKey(options: Parameters<typeof createPrivateKey>[0]): KeyObject | undefined {
	try {
		return createPrivateKey(options);
	} catch {
		return undefined;
	}
}

/** Parses the pasted key into an RSA KeyObject, or throws CozeJwtError saying what is expected. */
export function readPrivateKey(input: string): KeyObject {
	const normalized = normalizePrivateKey(input);
	let key: KeyObject | undefined;
	if ('der' in normalized) {
		key =
			tryCreatePrivateKey({ key: normalized.der, format: 'der', type: 'pkcs8' }) ??
			tryCreatePrivateKey({ key: normalized.der, format: 'der', type: 'pkcs1' });
	} else {
		key = tryCreatePrivateKey({ key: normalized.pem, format: 'pem' });
	}
	if (!key) {
		throw new CozeJwtError(
			'Private Key could not be read: it is incomplete or damaged',
			`Paste the whole file, including the BEGIN and END lines. ${EXPECTED_FORMATS}`,
		);
	}
	if (key.asymmetricKeyType !== 'rsa') {
		throw new CozeJwtError(`Private Key is an ${String(key.asymmetricKeyType).toUpperCase()} key; Coze signs with RSA (RS256)`, EXPECTED_FORMATS);
	}
	return key;
}

// ---------------------------------------------------------------------------------------------
// JWT

function base64url(value: string | Buffer): string {
	return Buffer.from(value).toString('base64url');
}

export interface JwtClaims {
	iss: string;
	aud: string;
	iat: number;
	exp: number;
	jti: string;
	session_name?: string;
}

/** A compact RS256 JWS over `header.payload`. */
export function signJwt(header: Record<string, unknown>, payload: object, key: KeyObject): string {
	const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
	const signature = createSign('RSA-SHA256').update(input).sign(key);
	return `${input}.${base64url(signature)}`;
}

/** A fresh single-use `jti`: 32 random bytes, hex (64 characters; the docs ask for more than 32). */
export function newJti(): string {
	return randomBytes(32).toString('hex');
}

/** The signed JWT Coze exchanges for an access token, with a fresh `jti`. */
export function createAssertion(config: JwtAppConfig, key: KeyObject, nowMs = Date.now()): { jwt: string; claims: JwtClaims } {
	const iat = Math.floor(nowMs / 1000);
	const claims: JwtClaims = {
		iss: config.appId,
		aud: audienceFor(config.baseUrl),
		iat,
		exp: iat + JWT_LIFETIME,
		jti: newJti(),
		...(config.sessionName ? { session_name: config.sessionName } : {}),
	};
	return { jwt: signJwt({ alg: 'RS256', typ: 'JWT', kid: config.keyId }, claims, key), claims };
}

// ---------------------------------------------------------------------------------------------
// Token exchange

export interface TokenRequest {
	url: string;
	headers: Record<string, string>;
	body: { grant_type: string; duration_seconds: number };
}

export interface TokenResponse {
	statusCode: number;
	body: unknown;
	headers?: Record<string, unknown>;
}

/** Sends the token request. Resolves with any HTTP status; rejects only when nothing came back. */
export type TokenPoster = (request: TokenRequest) => Promise<TokenResponse>;

export interface MintedToken {
	accessToken: string;
	/** Coze's `expires_in`: absolute Unix seconds, Coze's clock. */
	expiresAt: number;
	/** When to mint the next one (Unix seconds, this machine's clock): before expiry, by a margin. */
	refreshAt: number;
	/** Which app, key and site the token belongs to (a hash; see credentialScope). */
	scope: string;
	/** When it was minted (ms, this machine's clock). */
	mintedAt: number;
}

/**
 * Seconds before expiry at which a token is replaced, by its lifetime (coze-go's getRefreshBefore):
 * 30 s for ≥ 10 min, 10 s for ≥ 1 min, 5 s for ≥ 30 s, else 0.
 */
export function refreshMargin(lifetimeSeconds: number): number {
	if (lifetimeSeconds >= 600) return 30;
	if (lifetimeSeconds >= 60) return 10;
	if (lifetimeSeconds >= 30) return 5;
	return 0;
}

/**
 * A short hash of everything that makes a token: site, app, key, session, account, lifetime. A
 * stored token whose scope differs was minted for other settings and must not be used.
 */
export function credentialScope(config: JwtAppConfig): string {
	const keyHash = createHash('sha256').update(config.privateKey.replace(/\s+/g, '')).digest('hex');
	return createHash('sha256')
		.update(
			JSON.stringify([config.baseUrl, config.appId, config.keyId, keyHash, config.sessionName ?? '', config.accountId ?? '', config.tokenLifetime]),
		)
		.digest('hex')
		.slice(0, 32);
}

/**
 * Whether the stored token (credential fields `accessToken`, `refreshAt`, `mintedFor`) must be
 * replaced before the next request: missing, minted for other settings, or at its refresh time.
 */
export function isTokenDue(fields: Record<string, unknown>, config: JwtAppConfig, nowMs = Date.now()): boolean {
	if (typeof fields.accessToken !== 'string' || fields.accessToken === '') return true;
	if (fields.mintedFor !== credentialScope(config)) return true;
	const refreshAt = Number(fields.refreshAt);
	return !Number.isFinite(refreshAt) || nowMs / 1000 >= refreshAt;
}

const SECRET_PATTERNS = [/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, /\b(czs|czu|pat|sat)_[\w-]+/g, /-----BEGIN[\s\S]*?(-----END[^-]*-----|$)/g];

/** Removes anything shaped like a JWT, a Coze token or a PEM block from text shown to people. */
export function redactSecrets(text: string): string {
	return SECRET_PATTERNS.reduce((out, pattern) => out.replace(pattern, '[redacted]'), text);
}

function header(response: TokenResponse, name: string): string | undefined {
	const value = response.headers?.[name] ?? response.headers?.[name.toLowerCase()];
	if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
	return value === undefined || value === null ? undefined : String(value);
}

function parseBody(body: unknown): Record<string, unknown> | undefined {
	let value = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Seconds this machine's clock is ahead of the server's, from the HTTP Date header (if present). */
export function clockOffset(response: TokenResponse, nowMs: number): number | undefined {
	const date = header(response, 'date');
	const serverMs = date ? Date.parse(date) : NaN;
	return Number.isFinite(serverMs) ? Math.round((nowMs - serverMs) / 1000) : undefined;
}

/** Beyond this many seconds apart, the clocks explain a rejected JWT. */
export const CLOCK_TOLERANCE = 60;

function clockHint(offset: number | undefined): string | undefined {
	if (offset === undefined || Math.abs(offset) < CLOCK_TOLERANCE) return undefined;
	const direction = offset > 0 ? 'ahead of' : 'behind';
	return `This machine's clock is about ${Math.abs(offset)} s ${direction} Coze's clock, so the JWT's iat/exp look wrong to Coze. Fix the clock (NTP) of the n8n host.`;
}

/** Turns a failed token exchange into an error a person can act on. */
export function describeTokenError(response: TokenResponse, config: JwtAppConfig, nowMs = Date.now()): CozeJwtError {
	const body = parseBody(response.body);
	const status = response.statusCode;
	const code = typeof body?.error_code === 'string' ? body.error_code : undefined;
	const rawMessage = typeof body?.error_message === 'string' ? body.error_message : typeof body?.msg === 'string' ? body.msg : '';
	const cozeMessage = redactSecrets(rawMessage).slice(0, 300);
	const host = audienceFor(config.baseUrl);
	const logid = header(response, 'x-tt-logid') ?? ((body?.detail as Record<string, unknown> | undefined)?.logid as string | undefined);
	const clock = clockHint(clockOffset(response, nowMs));
	const said = `Coze said: ${code ?? `HTTP ${status}`}${cozeMessage ? ` — ${cozeMessage}` : ''}${logid ? ` (logid ${logid})` : ''}.`;
	// Everything from the server is redacted, not only its message: a hostile or broken endpoint may
	// echo the signed JWT into its error code or log id header too.
	const describe = (message: string, hint?: string) =>
		new CozeJwtError(message, redactSecrets([clock, hint, said].filter((part) => part !== undefined).join(' ')));

	if (clock && (code === 'invalid_client' || /\b(iat|exp|expired|time)\b/i.test(rawMessage))) {
		return describe('Coze rejected the JWT: the clock of this machine is off', undefined);
	}
	if (code === 'invalid_client') {
		if (/kid/i.test(rawMessage)) {
			return describe(
				// n8n's credential test shows only the message: it names both things to check.
				`Coze (${host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`,
				'Check the Region: an OAuth app created on coze.cn does not exist on coze.com and vice versa. Check the Public Key Fingerprint: it is the fingerprint shown next to the public key in the OAuth app, not the key itself.',
			);
		}
		if (/\b(iat|exp|expired)\b/i.test(rawMessage)) {
			return describe('Coze rejected the JWT as not yet valid or expired', 'Check the clock (NTP) of the n8n host.');
		}
		return describe(
			'Coze rejected the signed JWT (invalid_client)',
			'Check the App ID, that the Private Key belongs to the Public Key Fingerprint, and the Region.',
		);
	}
	if (code === 'access_deny') {
		return describe('Coze refused the OAuth app', 'Check in Coze that the OAuth app is enabled and authorized.');
	}
	if (code === 'unsupported_grant_type') {
		return describe('Coze does not accept the JWT grant for this app', "The OAuth app's client type must be Service application (服务类应用).");
	}
	if (code === 'invalid_request') {
		return describe(
			'Coze rejected the token request (invalid_request)',
			config.accountId ? 'Check the Account ID (only for Coze Enterprise multi-organisation accounts) and the Token Lifetime.' : 'Check the Token Lifetime.',
		);
	}
	if (status >= 500 || code === 'internal_error') {
		return describe(`Coze could not issue an access token right now (HTTP ${status})`, 'Try again later.');
	}
	if (status === 404) {
		return describe(`${host} has no OAuth token endpoint (HTTP 404)`, 'Coze Studio (self-hosted) has no OAuth JWT apps: use a Coze API credential with a personal access token there.');
	}
	return describe(`Coze did not issue an access token (HTTP ${status})`, clock ? undefined : 'Check the App ID, Public Key Fingerprint, Private Key and Region.');
}

/**
 * Signs a fresh JWT and exchanges it for an access token. Throws CozeJwtError for bad settings, a
 * rejected JWT, an unreachable endpoint or an unexpected answer.
 */
export async function mintAccessToken(config: JwtAppConfig, post: TokenPoster, now: () => number = Date.now): Promise<MintedToken> {
	const key = readPrivateKey(config.privateKey);
	const startedAt = now();
	const { jwt } = createAssertion(config, key, startedAt);
	const request: TokenRequest = {
		url: tokenUrl(config),
		headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json', Accept: 'application/json' },
		body: { grant_type: JWT_GRANT_TYPE, duration_seconds: config.tokenLifetime },
	};
	const outcome = await post(request).then(
		(response) => ({ response }),
		(error: unknown) => ({ error }),
	);
	if ('error' in outcome) {
		const reason = outcome.error as { code?: unknown; message?: unknown } | undefined;
		const why = typeof reason?.code === 'string' ? reason.code : typeof reason?.message === 'string' ? reason.message : 'no answer';
		throw new CozeJwtError(`Could not reach Coze's token endpoint at ${audienceFor(config.baseUrl)}: ${redactSecrets(why)}`);
	}
	const { response } = outcome;
	const nowMs = now();
	const body = parseBody(response.body);
	const accessToken = body?.access_token;
	if (response.statusCode >= 300 || typeof accessToken !== 'string' || accessToken === '' || body?.error_code) {
		throw describeTokenError(response, config, nowMs);
	}
	let expiresAt = Number(body?.expires_in);
	if (!Number.isFinite(expiresAt) || expiresAt <= 0) {
		throw new CozeJwtError(`Coze issued a token without a valid expires_in (HTTP ${response.statusCode})`);
	}
	// Coze documents an absolute Unix time; a small number can only be a duration.
	if (expiresAt < 1e9) expiresAt = Math.floor(startedAt / 1000) + expiresAt;
	const nowSeconds = nowMs / 1000;
	const remaining = expiresAt - nowSeconds;
	if (remaining <= 0) {
		const offset = clockOffset(response, nowMs);
		throw new CozeJwtError(
			'Coze issued a token that has already expired by the clock of this machine',
			clockHint(offset) ??
				`The token expires at ${new Date(expiresAt * 1000).toISOString()}, this machine says it is ${new Date(nowMs).toISOString()}. Fix the clock (NTP) of the n8n host.`,
		);
	}
	// Counted on this machine's clock, and never longer than asked for.
	const lifetime = Math.min(remaining, config.tokenLifetime);
	return {
		accessToken,
		expiresAt,
		refreshAt: Math.floor(nowSeconds + lifetime - refreshMargin(lifetime)),
		scope: credentialScope(config),
		mintedAt: nowMs,
	};
}

/**
 * One mint at a time per credential scope in this process, and a fresh token shared by everyone
 * who asks for it. n8n calls `preAuthentication` once per request that finds the token empty or
 * gets HTTP 401, so a batch of parallel requests would otherwise mint once each.
 */
export class MintCoordinator {
	private readonly inFlight = new Map<string, Promise<MintedToken>>();

	private readonly latest = new Map<string, MintedToken>();

	constructor(
		/** A token this young is handed out even to a caller that just saw it rejected. */
		private readonly reuseWindowMs = 10_000,
		private readonly now: () => number = Date.now,
	) {}

	/**
	 * A token for `config`: the latest one minted here if it is fresh — not at its refresh time, and
	 * either not the token the caller holds or minted moments ago (parallel requests that were sent
	 * with the previous token and all got HTTP 401) — else a new one, shared by concurrent callers.
	 */
	async getToken(config: JwtAppConfig, post: TokenPoster, callerToken?: string, refused?: { expiresAt?: number }): Promise<MintedToken> {
		const key = credentialScope(config);
		const nowMs = this.now();
		const latest = this.latest.get(key);
		if (latest && nowMs / 1000 < latest.refreshAt) {
			if (refused) {
				// The Coze node says which token Coze refused (it empties the token, so only by its
				// expiry): a newer one is handed out, the refused one never again.
				if (refused.expiresAt !== undefined && latest.expiresAt !== refused.expiresAt) return latest;
			} else if (latest.accessToken !== callerToken || nowMs - latest.mintedAt < this.reuseWindowMs) {
				return latest;
			}
		}
		const pending = this.inFlight.get(key);
		if (pending) return await pending;
		const minting = mintAccessToken(config, post, this.now);
		this.inFlight.set(key, minting);
		try {
			const token = await minting;
			this.latest.set(key, token);
			return token;
		} finally {
			this.inFlight.delete(key);
		}
	}
}
