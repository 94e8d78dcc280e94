/**
 * Coze's OAuth JWT (service app) token exchange, for the emulator: `POST /api/permission/oauth2/token`
 * and `POST /api/permission/oauth2/account/{account_id}/token`. It checks the JWT for real — RS256
 * signature against the public key registered for its `kid`, `iss`, `aud`, `iat`/`exp`, a single-use
 * `jti` — and issues `czs_…` tokens that the emulator's API endpoints accept until they expire.
 *
 * Wire format (Coze docs `oauth_jwt.md`): success `{access_token, expires_in}` with `expires_in` an
 * absolute Unix time; errors `{error_code, error_message, error}` (coze-go's authErrorFormat; `error`
 * repeats the code, as coze-go #43's "Param: invalid_client" shows). HTTP 401 for `invalid_client`
 * and "invalid jwt: kid not been registred" (sic) are from coze-go #43 / coze-py #123; the other
 * statuses (400 invalid_request / unsupported_grant_type, 403 access_deny) follow RFC 6749 §5.2 and
 * the other messages are the emulator's own wording.
 *
 * What Coze answers for an EXPIRED access token is not in any source we have: coze-js treats
 * `status === 401 || code === 4100` alike. So it is configurable (`expiredTokenAnswer`).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import type * as http from 'node:http';

import type { CozeEmulator, RouteRequest } from './server';

const TOKEN_PATH = /^\/api\/permission\/oauth2(?:\/account\/([^/]+))?\/token$/;
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface OAuthApp {
	appId: string;
	keyId: string;
	publicKey: KeyObject;
	/** Enterprise organisation IDs the app may get tokens for (the account variant). */
	accountIds?: string[];
	/** A deactivated app is refused with access_deny. */
	deactivated?: boolean;
}

export interface OAuthOptions {
	/** The `aud` the emulator expects. Default: its own host (127.0.0.1:port), as coze-py derives it. */
	audience?: string;
	/** Caps the granted lifetime (seconds): short-lived tokens for expiry tests. */
	maxTokenLifetime?: number;
	/** Tolerance for `iat` in the future and `exp` in the past (seconds). Default 60. */
	clockSkewSeconds?: number;
	/** The emulator's clock runs this many seconds ahead of the real one (a far-off client clock). */
	clockOffsetSeconds?: number;
	/** How an API endpoint answers an expired token: HTTP 401 `{code:4100}` (default) or HTTP 200 `{code:4100}`. */
	expiredTokenAnswer?: 'http401' | 'body4100';
	/** The n-th refusal of an expired token (from 0) is answered after this many ms (refusals that trickle in). */
	expiredTokenDelayMs?: (n: number) => number;
	/** The token endpoint answers after this many ms (a slow OAuth server); a request closed meanwhile gets nothing. */
	tokenDelayMs?: number;
}

interface IssuedToken {
	appId: string;
	accountId?: string;
	sessionName?: string;
	expiresAtMs: number;
}

export class OAuthEmulator {
	/** Access tokens issued. */
	mints = 0;

	/** Token requests refused (any error). */
	refusals = 0;

	/** API requests refused because their token had expired. */
	expiredTokenRejections = 0;

	readonly apps = new Map<string, OAuthApp>();

	readonly tokens = new Map<string, IssuedToken>();

	private readonly usedJtis = new Set<string>();

	constructor(
		private readonly emulator: CozeEmulator,
		readonly options: OAuthOptions = {},
	) {}

	/** Registers the token routes and the token check on an emulator. */
	static install(emulator: CozeEmulator, options: OAuthOptions = {}): OAuthEmulator {
		const oauth = new OAuthEmulator(emulator, options);
		emulator.publicRoutes.push((request) => oauth.route(request));
		emulator.tokenCheckers.push((token) => oauth.isLive(token));
		return oauth;
	}

	registerApp(app: OAuthApp): void {
		this.apps.set(app.keyId, app);
	}

	/** The emulator's clock (ms). */
	now(): number {
		return Date.now() + (this.options.clockOffsetSeconds ?? 0) * 1000;
	}

	/** Ends the life of one issued token, or of all of them. */
	expire(token?: string): void {
		for (const [value, issued] of this.tokens) if (token === undefined || value === token) issued.expiresAtMs = 0;
	}

	isLive(token: string): boolean {
		const issued = this.tokens.get(token);
		return issued !== undefined && this.now() < issued.expiresAtMs;
	}

	private route(request: RouteRequest): boolean {
		const match = TOKEN_PATH.exec(request.path);
		if (match && request.method === 'POST') {
			const answer = () => this.exchange(request, match[1] === undefined ? undefined : decodeURIComponent(match[1]));
			const delayMs = this.options.tokenDelayMs ?? 0;
			if (delayMs > 0) {
				const timer = setTimeout(() => !request.res.destroyed && answer(), delayMs);
				request.res.on('close', () => clearTimeout(timer));
			} else {
				answer();
			}
			return true;
		}
		const issued = request.token === undefined ? undefined : this.tokens.get(request.token);
		if (issued && this.now() >= issued.expiresAtMs) {
			const delayMs = this.options.expiredTokenDelayMs?.(this.expiredTokenRejections) ?? 0;
			this.expiredTokenRejections++;
			const status = this.options.expiredTokenAnswer === 'body4100' ? 200 : 401;
			const answer = () => this.emulator.json(request.res, status, { code: 4100, msg: 'authentication is invalid' });
			if (delayMs > 0) setTimeout(answer, delayMs);
			else answer();
			return true;
		}
		return false;
	}

	private refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
		this.refusals++;
		res.setHeader('Date', new Date(this.now()).toUTCString());
		this.emulator.json(res, status, { error_code: code, error_message: message, error: code });
	}

	private exchange({ req, res, body }: RouteRequest, accountId: string | undefined): void {
		const jwt = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
		if (!jwt) return this.refuse(res, 401, 'invalid_client', 'invalid jwt: missing Authorization Bearer JWT');
		const parts = jwt.split('.');
		const header = parts.length === 3 ? decodeJson(parts[0]) : undefined;
		const claims = parts.length === 3 ? decodeJson(parts[1]) : undefined;
		if (!header || !claims) return this.refuse(res, 401, 'invalid_client', 'invalid jwt: malformed');
		if (header.alg !== 'RS256' || header.typ !== 'JWT') {
			return this.refuse(res, 401, 'invalid_client', 'invalid jwt: alg must be RS256 and typ JWT');
		}
		const app = typeof header.kid === 'string' ? this.apps.get(header.kid) : undefined;
		if (!app) return this.refuse(res, 401, 'invalid_client', 'invalid jwt: kid not been registred');
		const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
		if (!verify('RSA-SHA256', signed, app.publicKey, Buffer.from(parts[2], 'base64url'))) {
			return this.refuse(res, 401, 'invalid_client', 'invalid jwt: signature verification failed');
		}
		if (claims.iss !== app.appId) return this.refuse(res, 401, 'invalid_client', 'invalid jwt: iss does not match the app of this kid');
		const audience = this.options.audience ?? new URL(this.emulator.url).host;
		if (claims.aud !== audience) return this.refuse(res, 401, 'invalid_client', `invalid jwt: aud must be ${audience}`);
		const nowSeconds = Math.floor(this.now() / 1000);
		const skew = this.options.clockSkewSeconds ?? 60;
		if (!Number.isInteger(claims.iat) || !Number.isInteger(claims.exp) || (claims.exp as number) <= (claims.iat as number)) {
			return this.refuse(res, 401, 'invalid_client', 'invalid jwt: iat and exp must be integers with exp > iat');
		}
		if ((claims.iat as number) > nowSeconds + skew) return this.refuse(res, 401, 'invalid_client', 'invalid jwt: iat is in the future');
		if ((claims.exp as number) < nowSeconds - skew) return this.refuse(res, 401, 'invalid_client', 'invalid jwt: token is expired');
		if (typeof claims.jti !== 'string' || claims.jti === '') return this.refuse(res, 401, 'invalid_client', 'invalid jwt: jti is required');
		if (this.usedJtis.has(claims.jti)) return this.refuse(res, 401, 'invalid_client', 'invalid jwt: jti has been used');
		this.usedJtis.add(claims.jti);

		if (app.deactivated) return this.refuse(res, 403, 'access_deny', `app: ${app.appId} is currently deactivated by the owner`);
		const data = (body ?? {}) as Record<string, unknown>;
		if (data.grant_type !== GRANT_TYPE) {
			return this.refuse(res, 400, 'unsupported_grant_type', `not supported grant type: ${String(data.grant_type)}`);
		}
		const duration = data.duration_seconds ?? 900;
		if (!Number.isInteger(duration) || (duration as number) < 1 || (duration as number) > 86399) {
			return this.refuse(res, 400, 'invalid_request', 'invalid request: duration_seconds');
		}
		if (accountId !== undefined && !(app.accountIds ?? []).includes(accountId)) {
			return this.refuse(res, 400, 'invalid_request', 'invalid request: account_id');
		}

		const lifetime = Math.min(duration as number, this.options.maxTokenLifetime ?? Infinity);
		const expiresAtMs = this.now() + lifetime * 1000;
		const accessToken = `czs_${randomBytes(36).toString('base64url').replace(/[-_]/g, 'x')}`;
		this.tokens.set(accessToken, {
			appId: app.appId,
			accountId,
			sessionName: typeof claims.session_name === 'string' ? claims.session_name : undefined,
			expiresAtMs,
		});
		this.mints++;
		res.writeHead(200, { 'Content-Type': 'application/json', Date: new Date(this.now()).toUTCString(), 'x-tt-logid': `oauth${this.mints}` });
		res.end(JSON.stringify({ access_token: accessToken, expires_in: Math.round(expiresAtMs / 1000) }));
	}
}

function decodeJson(part: string): Record<string, unknown> | undefined {
	try {
		const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
		return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

export interface TestApp extends OAuthApp {
	/** The private key as the PEM text a user pastes (generated now, never committed). */
	privateKeyPem: string;
}

/** A service app with a fresh 2048-bit RSA key pair, its private key in PKCS#1 or PKCS#8 PEM. */
export function createTestApp(format: 'pkcs1' | 'pkcs8' = 'pkcs8', overrides: Partial<OAuthApp> = {}): TestApp {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', {
		modulusLength: 2048,
		publicKeyEncoding: { type: 'spki', format: 'pem' },
		privateKeyEncoding: { type: format, format: 'pem' },
	});
	return {
		appId: `11${randomBytes(5).readUIntBE(0, 5)}`,
		keyId: randomBytes(32).toString('base64url'),
		publicKey: createPublicKey(publicKey),
		privateKeyPem: privateKey,
		...overrides,
	};
}

/**
 * Mints a token for `fields` (a JWT credential's data) the way another n8n process would have,
 * and returns the fields that process would have stored. Lets tests start from a stored token
 * this process never minted (its in-process token cache knows nothing of it), with no waiting.
 */
export async function mintedElsewhere(
	fields: Record<string, unknown>,
	overrides: { refreshAt?: number } = {},
): Promise<Record<string, unknown>> {
	const { readJwtConfig } = await import('../../nodes/CozeChat/auth/jwtConfig');
	const { mintAccessToken } = await import('../../nodes/CozeChat/auth/jwtToken');
	const token = await mintAccessToken(readJwtConfig(fields), async (request) => {
		const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: JSON.stringify(request.body) });
		const headers: Record<string, string> = {};
		response.headers.forEach((value, key) => (headers[key] = value));
		return { statusCode: response.status, body: await response.json(), headers };
	});
	return { ...fields, accessToken: token.accessToken, expiresAt: token.expiresAt, refreshAt: overrides.refreshAt ?? token.refreshAt, mintedFor: token.scope };
}
