/**
 * The pure OAuth JWT module: key reading, signing (verified with the public key, independently of
 * the signer), claims, jti, token response handling, error mapping, and the mint coordinator.
 */
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';

import { CozeJwtError, JWT_GRANT_TYPE, credentialScope, isTokenDue, readJwtConfig, refreshMargin, type JwtAppConfig } from '../../nodes/CozeChat/auth/jwtConfig';
import { createAssertion, readPrivateKey } from '../../nodes/CozeChat/auth/jwtKey';
import { describeTokenError, mintAccessToken, type TokenPoster, type TokenRequest } from '../../nodes/CozeChat/auth/jwtToken';
import { MintCoordinator } from '../../nodes/CozeChat/auth/mintCoordinator';
import { redactShapes as redactSecrets } from '../../nodes/CozeChat/boundaries/redact';

function keyPair(format: 'pkcs1' | 'pkcs8'): { pem: string; publicKey: KeyObject } {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', {
		modulusLength: 2048,
		publicKeyEncoding: { type: 'spki', format: 'pem' },
		privateKeyEncoding: { type: format, format: 'pem' },
	});
	return { pem: privateKey, publicKey: createPublicKey(publicKey) };
}

const pkcs1 = keyPair('pkcs1');
const pkcs8 = keyPair('pkcs8');

function config(overrides: Partial<JwtAppConfig> = {}): JwtAppConfig {
	return {
		baseUrl: 'https://api.coze.cn',
		appId: '1127900106117',
		keyId: '_v0VjcMlLdQc3tRTD3jC5Xz29TUnKQOhtuD5k-gpyf4',
		privateKey: pkcs8.pem,
		tokenLifetime: 86399,
		...overrides,
	};
}

function decode(part: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function verifies(jwt: string, publicKey: KeyObject): boolean {
	const [header, payload, signature] = jwt.split('.');
	return verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
}

function errorOf(fn: () => unknown): CozeJwtError {
	try {
		fn();
	} catch (error) {
		if (error instanceof CozeJwtError) return error;
		throw error;
	}
	throw new Error('expected a CozeJwtError');
}

describe('signing', () => {
	it.each([
		['PKCS#1', pkcs1],
		['PKCS#8', pkcs8],
	])('signs an RS256 JWT that the %s key pair’s public key verifies', (_, pair) => {
		const { jwt } = createAssertion(config({ privateKey: pair.pem }), readPrivateKey(pair.pem), Date.UTC(2025, 0, 1));
		expect(verifies(jwt, pair.publicKey)).toBe(true);
		// ...and not with another key, nor after a claim was changed.
		expect(verifies(jwt, (pair === pkcs1 ? pkcs8 : pkcs1).publicKey)).toBe(false);
		const [h, , s] = jwt.split('.');
		const forged = Buffer.from(JSON.stringify({ ...decode(jwt.split('.')[1]), iss: 'other' })).toString('base64url');
		expect(verifies(`${h}.${forged}.${s}`, pair.publicKey)).toBe(false);
	});

	it('puts alg, typ and kid in the header and iss, aud, iat, exp, jti in the claims', () => {
		const now = Date.UTC(2025, 0, 1, 12, 0, 0, 700);
		const { jwt } = createAssertion(config({ sessionName: 'user_2222' }), readPrivateKey(pkcs8.pem), now);
		const [header, payload] = jwt.split('.').map((part, i) => (i < 2 ? decode(part) : part));
		expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: '_v0VjcMlLdQc3tRTD3jC5Xz29TUnKQOhtuD5k-gpyf4' });
		const iat = Math.floor(now / 1000);
		expect(payload).toEqual({
			iss: '1127900106117',
			aud: 'api.coze.cn',
			iat,
			exp: iat + 3600,
			jti: expect.stringMatching(/^[0-9a-f]{64}$/),
			session_name: 'user_2222',
		});
	});

	it('takes aud from the API host (with port) and leaves out an empty session name', () => {
		const key = readPrivateKey(pkcs8.pem);
		expect(createAssertion(config({ baseUrl: 'https://api.coze.com' }), key).claims.aud).toBe('api.coze.com');
		const local = createAssertion(config({ baseUrl: 'http://127.0.0.1:8123' }), key).claims;
		expect(local.aud).toBe('127.0.0.1:8123');
		expect(local).not.toHaveProperty('session_name');
	});

	it('uses a fresh jti for every JWT', () => {
		const key = readPrivateKey(pkcs8.pem);
		const jtis = new Set(Array.from({ length: 200 }, () => createAssertion(config(), key, 0).claims.jti));
		expect(jtis.size).toBe(200);
	});
});

describe('reading the private key', () => {
	const body = (pem: string) => pem.split('\n').filter((line) => line && !line.startsWith('-----')).join('');

	it.each([
		['literal \\n', (pem: string) => pem.replace(/\n/g, '\\n')],
		['CRLF', (pem: string) => pem.replace(/\n/g, '\r\n')],
		['surrounding spaces and quotes', (pem: string) => `  "${pem}"  `],
		['one line with spaces', (pem: string) => pem.replace(/\n/g, ' ')],
		['indented lines', (pem: string) => pem.split('\n').map((l) => `    ${l}`).join('\n')],
	])('tolerates a key pasted with %s', (_, mangle) => {
		for (const pair of [pkcs1, pkcs8]) {
			const key = readPrivateKey(mangle(pair.pem));
			const { jwt } = createAssertion(config(), key);
			expect(verifies(jwt, pair.publicKey)).toBe(true);
		}
	});

	it('reads a bare base64 body (PKCS#8 or PKCS#1 DER) without BEGIN/END lines', () => {
		for (const pair of [pkcs1, pkcs8]) {
			expect(verifies(createAssertion(config(), readPrivateKey(body(pair.pem))).jwt, pair.publicKey)).toBe(true);
		}
	});

	it('says which format is expected for a public key, an encrypted, OpenSSH, EC or damaged key', () => {
		const publicPem = pkcs8.publicKey.export({ type: 'spki', format: 'pem' }).toString();
		expect(errorOf(() => readPrivateKey(publicPem)).message).toBe('Private Key holds a public key, not the private key');

		const encrypted = generateKeyPairSync('rsa', {
			modulusLength: 2048,
			publicKeyEncoding: { type: 'spki', format: 'pem' },
			privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' },
		}).privateKey;
		expect(errorOf(() => readPrivateKey(encrypted)).message).toBe('Private Key is encrypted with a passphrase');

		expect(errorOf(() => readPrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----')).message).toBe(
			'Private Key is in OpenSSH format',
		);

		const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
		expect(errorOf(() => readPrivateKey(ec.privateKey)).message).toBe('Private Key is an EC key; Coze signs with RSA (RS256)');

		const truncated = pkcs8.pem.replace(/\n[A-Za-z0-9+/=]+\n-----END/, '\n-----END').replace(/(-----BEGIN PRIVATE KEY-----\n)[A-Za-z0-9+/]{8}/, '$1');
		const damaged = errorOf(() => readPrivateKey(truncated));
		expect(damaged.message).toBe('Private Key could not be read: it is incomplete or damaged');

		const garbage = errorOf(() => readPrivateKey('my-private-key'));
		expect(garbage.message).toBe('Private Key is not a PEM key');
		for (const error of [damaged, garbage]) {
			expect(error.description).toContain('PKCS#1 (-----BEGIN RSA PRIVATE KEY-----) or PKCS#8 (-----BEGIN PRIVATE KEY-----)');
		}
	});

	it('never puts the key into an error', () => {
		const truncated = pkcs1.pem.slice(0, 600) + '\n-----END RSA PRIVATE KEY-----';
		const error = errorOf(() => readPrivateKey(truncated));
		const secret = body(pkcs1.pem).slice(20, 60);
		expect(`${error.message} ${error.description}`).not.toContain(secret);
	});
});

describe('readJwtConfig', () => {
	const fields = { region: 'cn', appId: ' 1127900106117 ', fingerprint: 'kid123', privateKey: pkcs8.pem, lifetime: 900 };

	it('maps the region to the base URL and trims the fields', () => {
		expect(readJwtConfig(fields)).toMatchObject({ baseUrl: 'https://api.coze.cn', appId: '1127900106117', keyId: 'kid123', tokenLifetime: 900 });
		expect(readJwtConfig({ ...fields, region: 'com' }).baseUrl).toBe('https://api.coze.com');
		expect(readJwtConfig({ ...fields, region: 'custom', baseUrl: 'http://127.0.0.1:9/' }).baseUrl).toBe('http://127.0.0.1:9');
		expect(readJwtConfig({ ...fields, sessionName: '', accountId: ' 749 ' })).toMatchObject({ sessionName: undefined, accountId: '749' });
	});

	it('says that the fingerprint is not the key (coze-py #123)', () => {
		const error = errorOf(() => readJwtConfig({ ...fields, fingerprint: pkcs8.publicKey.export({ type: 'spki', format: 'pem' }).toString() }));
		expect(error.message).toBe('Public Key Fingerprint does not look like a fingerprint');
		expect(error.description).toContain('not the key itself');
	});

	it('rejects a lifetime outside 600..86399 s and empty required fields', () => {
		expect(errorOf(() => readJwtConfig({ ...fields, lifetime: 86400 })).message).toContain('600 to 86399');
		expect(errorOf(() => readJwtConfig({ ...fields, lifetime: 60 })).message).toContain('600 to 86399');
		expect(errorOf(() => readJwtConfig({ ...fields, appId: '' })).message).toContain('App ID is empty');
		expect(errorOf(() => readJwtConfig({ ...fields, privateKey: ' ' })).message).toContain('Private Key is empty');
		expect(errorOf(() => readJwtConfig({ ...fields, region: 'custom', baseUrl: 'localhost' })).message).toContain('not an http(s) URL');
	});
});

describe('mintAccessToken', () => {
	const NOW = Date.UTC(2025, 5, 1, 8, 0, 0);

	function poster(response: { statusCode: number; body: unknown; headers?: Record<string, unknown> }) {
		const requests: TokenRequest[] = [];
		const post: TokenPoster = async (request) => {
			requests.push(request);
			return response;
		};
		return { post, requests };
	}

	it('posts the JWT grant with the lifetime to the token endpoint (or its account variant)', async () => {
		const { post, requests } = poster({ statusCode: 200, body: { access_token: 'czs_abc', expires_in: NOW / 1000 + 900 } });
		await mintAccessToken(config({ tokenLifetime: 900 }), post, () => NOW);
		await mintAccessToken(config({ accountId: '7490888144456' }), post, () => NOW);
		expect(requests.map((r) => r.url)).toEqual([
			'https://api.coze.cn/api/permission/oauth2/token',
			'https://api.coze.cn/api/permission/oauth2/account/7490888144456/token',
		]);
		expect(requests[0].body).toEqual({ grant_type: JWT_GRANT_TYPE, duration_seconds: 900 });
		expect(requests[0].headers).toMatchObject({ 'Content-Type': 'application/json', Authorization: expect.stringMatching(/^Bearer eyJ/) });
		expect(verifies(requests[0].headers.Authorization.slice(7), pkcs8.publicKey)).toBe(true);
	});

	it('keeps expires_in as Coze’s absolute time and refreshes 30 s before it', async () => {
		const { post } = poster({ statusCode: 200, body: JSON.stringify({ access_token: 'czs_abc', expires_in: NOW / 1000 + 86399 }) });
		const token = await mintAccessToken(config(), post, () => NOW);
		expect(token).toEqual({
			accessToken: 'czs_abc',
			expiresAt: NOW / 1000 + 86399,
			refreshAt: NOW / 1000 + 86399 - 30,
			scope: credentialScope(config()),
			mintedAt: NOW,
		});
	});

	it('never trusts a token longer than it asked for (a clock behind Coze’s)', async () => {
		const { post } = poster({ statusCode: 200, body: { access_token: 'czs_abc', expires_in: NOW / 1000 + 900 + 600 } });
		const token = await mintAccessToken(config({ tokenLifetime: 900 }), post, () => NOW);
		expect(token.refreshAt).toBe(NOW / 1000 + 900 - 30);
	});

	it('says the clock is off when the token has expired already by this machine’s clock', async () => {
		const { post } = poster({
			statusCode: 200,
			body: { access_token: 'czs_abc', expires_in: NOW / 1000 - 100 },
			headers: { date: new Date(NOW - 7200_000).toUTCString() },
		});
		const error = await mintAccessToken(config(), post, () => NOW).then(() => { throw new Error('expected a rejection'); }, (e: CozeJwtError) => e);
		expect(error).toBeInstanceOf(CozeJwtError);
		expect(error.message).toBe('Coze issued a token that has already expired by the clock of this machine');
		expect(error.description).toContain("This machine's clock is about 7200 s ahead of Coze's clock");
	});

	it('reports an unreachable endpoint by its error code, without the request', async () => {
		const post: TokenPoster = async () => {
			throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', config: { headers: { Authorization: 'Bearer eyJa.b.c' } } });
		};
		const error = await mintAccessToken(config(), post).then(() => { throw new Error('expected a rejection'); }, (e: CozeJwtError) => e);
		expect(error.message).toBe("Could not reach Coze's token endpoint at api.coze.cn: ECONNREFUSED");
	});

	it('does not send anything when the key cannot be read', async () => {
		const { post, requests } = poster({ statusCode: 200, body: {} });
		await expect(mintAccessToken(config({ privateKey: 'nope' }), post)).rejects.toThrow('Private Key is not a PEM key');
		expect(requests).toHaveLength(0);
	});
});

describe('describeTokenError', () => {
	const NOW = Date.UTC(2025, 5, 1, 8, 0, 0);
	const failure = (statusCode: number, body: unknown, headers: Record<string, unknown> = {}) =>
		describeTokenError({ statusCode, body, headers: { date: new Date(NOW).toUTCString(), 'x-tt-logid': 'L1', ...headers } }, config(), NOW);

	it('points at region and fingerprint for "kid not been registred" (coze-go #43, coze-py #148)', () => {
		const error = failure(401, { error_code: 'invalid_client', error_message: 'invalid jwt: kid not been registred', error: 'invalid_client' });
		expect(error.message).toBe('Coze (api.coze.cn) does not know this Public Key Fingerprint: check the Region and the fingerprint');
		expect(error.description).toContain('Check the Region: an OAuth app created on coze.cn does not exist on coze.com');
		expect(error.description).toContain('not the key itself');
		expect(error.description).toContain('Coze said: invalid_client — invalid jwt: kid not been registred (logid L1).');
	});

	it('blames the clock when the Date header is far off and Coze rejected the JWT', () => {
		const error = failure(401, { error_code: 'invalid_client', error_message: 'invalid jwt' }, { date: new Date(NOW + 3600_000).toUTCString() });
		expect(error.message).toBe('Coze rejected the JWT: the clock of this machine is off');
		expect(error.description).toContain("This machine's clock is about 3600 s behind Coze's clock");
	});

	it('maps the other OAuth error codes and HTTP statuses', () => {
		expect(failure(401, { error_code: 'invalid_client', error_message: 'bad signature' }).message).toBe('Coze rejected the signed JWT (invalid_client)');
		expect(failure(401, { error_code: 'invalid_client', error_message: 'invalid jwt: iat is in the future' }).message).toBe(
			'Coze rejected the JWT as not yet valid or expired',
		);
		expect(failure(403, { error_code: 'access_deny', error_message: 'app: x is currently deactivated by the owner' }).message).toBe('Coze refused the OAuth app');
		expect(failure(400, { error_code: 'unsupported_grant_type', error_message: 'not supported grant type: x' }).description).toContain('Service application');
		expect(failure(400, { error_code: 'invalid_request', error_message: 'invalid request: duration_seconds' }).message).toBe(
			'Coze rejected the token request (invalid_request)',
		);
		expect(failure(502, '<html>Bad Gateway</html>').message).toBe('Coze could not issue an access token right now (HTTP 502)');
		expect(failure(404, { code: 4200, msg: 'no route' }).description).toContain('Coze Studio (self-hosted) has no OAuth JWT apps');
		expect(failure(200, { code: 4000, msg: 'weird' }).message).toBe('Coze did not issue an access token (HTTP 200)');
	});

	it('removes anything shaped like a JWT, token or key from what Coze echoes', () => {
		const error = failure(401, { error_code: 'invalid_client', error_message: 'bad jwt eyJhbGci.eyJpc3Mi.c2ln for czs_secret123 and pat_x' });
		expect(error.description).not.toMatch(/eyJ|czs_|pat_/);
		expect(redactSecrets(`key ${pkcs1.pem.trim()} end`)).toBe('key [redacted] end');
	});
});

describe('refresh timing', () => {
	it('refreshes 30/10/5/0 s before expiry by lifetime, like coze-go', () => {
		expect([86399, 600, 599, 60, 59, 30, 29, 1].map(refreshMargin)).toEqual([30, 30, 10, 10, 5, 5, 0, 0]);
	});

	it('isTokenDue: empty, minted for other settings, or at its refresh time', () => {
		const c = config();
		const fresh = { accessToken: 'czs_a', refreshAt: 2000, mintedFor: credentialScope(c) };
		expect(isTokenDue(fresh, c, 1999_000)).toBe(false);
		expect(isTokenDue(fresh, c, 2000_000)).toBe(true);
		expect(isTokenDue({ ...fresh, accessToken: '' }, c, 0)).toBe(true);
		expect(isTokenDue(fresh, config({ keyId: 'other' }), 0)).toBe(true);
		expect(isTokenDue(fresh, config({ privateKey: pkcs1.pem }), 0)).toBe(true);
		expect(isTokenDue({ ...fresh, refreshAt: undefined }, c, 0)).toBe(true);
	});
});

describe('MintCoordinator', () => {
	function countingPoster(lifetime = 900, fail = false) {
		let now = Date.UTC(2025, 5, 1);
		const calls: number[] = [];
		let release: () => void = () => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const post: TokenPoster = async () => {
			calls.push(now);
			await gate;
			if (fail) return { statusCode: 401, body: { error_code: 'invalid_client', error_message: 'invalid jwt: kid not been registred' } };
			return { statusCode: 200, body: { access_token: `czs_${calls.length}`, expires_in: Math.floor(now / 1000) + lifetime } };
		};
		return { post, calls, release, clock: { now: () => now, advance: (ms: number) => (now += ms) } };
	}

	it('mints once for concurrent callers and shares the token', async () => {
		const { post, calls, release, clock } = countingPoster();
		const coordinator = new MintCoordinator(10_000, clock.now);
		const pending = Array.from({ length: 20 }, () => coordinator.getToken(config({ tokenLifetime: 900 }), post, ''));
		release();
		const tokens = await Promise.all(pending);
		expect(calls).toHaveLength(1);
		expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['czs_1']));
	});

	it('hands out a fresh token to callers holding an older one, and re-mints at the refresh time', async () => {
		const { post, calls, release, clock } = countingPoster();
		release();
		const coordinator = new MintCoordinator(10_000, clock.now);
		const c = config({ tokenLifetime: 900 });
		const first = await coordinator.getToken(c, post, '');
		expect((await coordinator.getToken(c, post, 'czs_old')).accessToken).toBe(first.accessToken);
		clock.advance(5_000); // a request sent with czs_1 itself got HTTP 401 within the reuse window
		expect((await coordinator.getToken(c, post, first.accessToken)).accessToken).toBe(first.accessToken);
		clock.advance(10_000); // later, czs_1 rejected again: it must be bad, mint another
		expect((await coordinator.getToken(c, post, first.accessToken)).accessToken).toBe('czs_2');
		clock.advance((900 - 30) * 1000); // at the refresh time
		expect((await coordinator.getToken(c, post, 'czs_2')).accessToken).toBe('czs_3');
		expect(calls).toHaveLength(3);
	});

	it('never hands out again a token the Coze node reports refused (identified by its expiry)', async () => {
		const { post, calls, release, clock } = countingPoster();
		release();
		const coordinator = new MintCoordinator(10_000, clock.now);
		const c = config({ tokenLifetime: 900 });
		const first = await coordinator.getToken(c, post, '');
		clock.advance(1_000); // refused at once, well inside the reuse window
		const second = await coordinator.getToken(c, post, '', { expiresAt: first.expiresAt });
		expect(second.accessToken).toBe('czs_2');
		// Other items that were refused the first token get the second, without another mint.
		expect((await coordinator.getToken(c, post, '', { expiresAt: first.expiresAt })).accessToken).toBe('czs_2');
		// A refusal whose token is unknown (-1) mints.
		expect((await coordinator.getToken(c, post, '', {})).accessToken).toBe('czs_3');
		expect(calls).toHaveLength(3);
	});

	it('keeps separate tokens per app, key and site, and does not cache failures', async () => {
		const ok = countingPoster();
		ok.release();
		const coordinator = new MintCoordinator(10_000, ok.clock.now);
		await coordinator.getToken(config(), ok.post);
		await coordinator.getToken(config({ baseUrl: 'https://api.coze.com' }), ok.post);
		await coordinator.getToken(config({ appId: '2' }), ok.post);
		expect(ok.calls).toHaveLength(3);

		const bad = countingPoster(900, true);
		bad.release();
		const c = config({ keyId: 'unknown' });
		const failed = Array.from({ length: 5 }, () => coordinator.getToken(c, bad.post).catch((e: Error) => e.message));
		expect(await Promise.all(failed)).toEqual(Array(5).fill('Coze (api.coze.cn) does not know this Public Key Fingerprint: check the Region and the fingerprint'));
		expect(bad.calls).toHaveLength(1);
		await coordinator.getToken(c, bad.post).catch(() => undefined);
		expect(bad.calls).toHaveLength(2);
	});
});
