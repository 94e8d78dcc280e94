/**
 * The token exchange: `POST {base}/api/permission/oauth2/token` with a fresh signed JWT, and the
 * errors a person can act on when Coze refuses. Pure: the credential (CozeJwtApi.credentials.ts)
 * supplies the transport (n8n's httpRequest). Everything from the server is redacted before it
 * reaches a message: a hostile or broken endpoint may echo the signed JWT anywhere.
 */
import { redactShapes } from '../boundaries/redact';
import { audienceFor, credentialScope, CozeJwtError, JWT_GRANT_TYPE, refreshMargin, tokenUrl, type JwtAppConfig } from './jwtConfig';
import { createAssertion, readPrivateKey } from './jwtKey';

/** Removes anything shaped like a JWT, a Coze token or a PEM private key from text shown to people. */
const redactSecrets = (text: string): string => redactShapes(text);

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
	if (status >= 300 && status < 400) {
		const location = header(response, 'location');
		let target = '';
		try {
			target = location ? ` to ${new URL(location, tokenUrl(config)).origin}` : '';
		} catch {
			target = '';
		}
		return describe(
			`Coze's token endpoint at ${host} answered with a redirect (HTTP ${status})${target}, which is not followed: the signed JWT goes to the configured site only`,
			`Check the Region, or the Base URL (for example http:// vs https://, or a path that does not belong there). The token endpoint is ${tokenUrl(config)}.`,
		);
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

