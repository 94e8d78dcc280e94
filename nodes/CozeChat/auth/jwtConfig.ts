/**
 * The OAuth JWT (service app) settings: reading and checking the credential fields, and when a
 * stored access token is due for renewal. Pure (node:crypto only).
 *
 * Sources: Coze docs `oauth_jwt.md` (coze-dev/coze-sdk-gen), coze-py `auth/__init__.py`, coze-js
 * `src/auth.ts`, coze-go `auth_token.go` (refresh margins), coze-go #43 / coze-py #123, #148, #230.
 */
import { createHash } from 'node:crypto';

import { credentialBaseUrl } from './region';

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

/** Reads and checks the credential fields (`region`, `baseUrl`, `appId`, ...) into a JwtAppConfig. */
export function readJwtConfig(fields: Record<string, unknown>): JwtAppConfig {
	const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : '');
	const resolved = credentialBaseUrl(fields);
	if ('problem' in resolved) throw new CozeJwtError(resolved.problem.replace(/^./, (c: string) => c.toUpperCase()));
	const baseUrl = resolved.url;

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

