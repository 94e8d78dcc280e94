/**
 * The emulator's OAuth JWT token endpoint over real sockets: it must verify what Coze verifies, so
 * the credential's tests mean something. JWTs here are built by hand (not by the module under test)
 * except where noted.
 */
import { createSign, randomBytes, type KeyObject } from 'node:crypto';

import { createTestApp, OAuthEmulator, type OAuthOptions, type TestApp } from '../emulator/oauth';
import { startEmulator, type CozeEmulator } from '../emulator/server';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

let emulator: CozeEmulator;
let oauth: OAuthEmulator;
let app: TestApp;
let aud: string;

async function start(options: OAuthOptions = {}): Promise<void> {
	await emulator?.stop();
	emulator = await startEmulator();
	oauth = OAuthEmulator.install(emulator, options);
	oauth.registerApp(app);
	aud = new URL(emulator.url).host;
}

beforeAll(async () => {
	app = createTestApp('pkcs8', { accountIds: ['7490888144456'] });
	await start();
});
afterAll(async () => await emulator.stop());

function b64(value: unknown): string {
	return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwt(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: KeyObject | string = app.privateKeyPem): string {
	const now = Math.floor(Date.now() / 1000);
	const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: app.keyId, ...header })}.${b64({
		iss: app.appId,
		aud,
		iat: now,
		exp: now + 3600,
		jti: randomBytes(16).toString('hex'),
		...claims,
	})}`;
	return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

async function exchange(token: string, body: unknown = { grant_type: GRANT, duration_seconds: 900 }, path = '/api/permission/oauth2/token') {
	const response = await fetch(`${emulator.url}${path}`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: response.status, date: response.headers.get('date'), body: (await response.json()) as Record<string, unknown> };
}

async function me(token: string) {
	const response = await fetch(`${emulator.url}/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } });
	return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /api/permission/oauth2/token', () => {
	it('issues a czs_ token with expires_in as an absolute Unix time, which the API accepts', async () => {
		const before = Math.floor(Date.now() / 1000);
		const { status, body } = await exchange(jwt());
		expect(status).toBe(200);
		expect(body).toEqual({ access_token: expect.stringMatching(/^czs_[A-Za-z0-9]{40,}$/), expires_in: expect.any(Number) });
		expect(body.expires_in).toBeGreaterThanOrEqual(before + 900);
		expect(body.expires_in).toBeLessThanOrEqual(before + 902);
		expect(oauth.mints).toBe(1);
		await expect(me(body.access_token as string)).resolves.toMatchObject({ status: 200, body: { code: 0 } });
		await expect(me('czs_not_issued_by_the_emulator')).resolves.toMatchObject({ status: 401, body: { code: 4100 } });
	});

	it('answers the account variant for an account of the app only', async () => {
		expect((await exchange(jwt(), undefined, '/api/permission/oauth2/account/7490888144456/token')).status).toBe(200);
		const other = await exchange(jwt(), undefined, '/api/permission/oauth2/account/1/token');
		expect(other).toMatchObject({ status: 400, body: { error_code: 'invalid_request', error_message: 'invalid request: account_id' } });
	});

	it('refuses a reused jti', async () => {
		const once = jwt();
		expect((await exchange(once)).status).toBe(200);
		expect(await exchange(once)).toMatchObject({ status: 401, body: { error_code: 'invalid_client', error_message: 'invalid jwt: jti has been used' } });
	});

	it('answers an unknown kid like Coze does (coze-go #43)', async () => {
		const { status, body } = await exchange(jwt({}, { kid: 'not-registered' }));
		expect(status).toBe(401);
		expect(body).toMatchObject({ error_code: 'invalid_client', error_message: 'invalid jwt: kid not been registred', error: 'invalid_client' });
	});

	it('verifies the signature, iss, aud, iat and exp', async () => {
		const other = createTestApp('pkcs1');
		const cases: Array<[string, string]> = [
			[jwt({}, {}, other.privateKeyPem), 'invalid jwt: signature verification failed'],
			[jwt({}, { alg: 'HS256' }), 'invalid jwt: alg must be RS256 and typ JWT'],
			[jwt({ iss: '999' }), 'invalid jwt: iss does not match the app of this kid'],
			[jwt({ aud: 'api.coze.com' }), `invalid jwt: aud must be ${aud}`],
			[jwt({ iat: Math.floor(Date.now() / 1000) + 600 }), 'invalid jwt: iat is in the future'],
			[jwt({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }), 'invalid jwt: token is expired'],
			[jwt({ jti: undefined }), 'invalid jwt: jti is required'],
			['not.a.jwt', 'invalid jwt: malformed'],
		];
		for (const [token, message] of cases) {
			expect(await exchange(token)).toMatchObject({ status: 401, body: { error_code: 'invalid_client', error_message: message } });
		}
		// A payload changed after signing fails too.
		const [h, , s] = jwt().split('.');
		const tampered = `${h}.${b64({ iss: app.appId, aud, iat: 1, exp: 9999999999, jti: 'x' })}.${s}`;
		expect((await exchange(tampered)).body.error_message).toBe('invalid jwt: signature verification failed');
	});

	it('checks the grant type and the lifetime', async () => {
		expect(await exchange(jwt(), { grant_type: 'client_credentials' })).toMatchObject({
			status: 400,
			body: { error_code: 'unsupported_grant_type', error_message: 'not supported grant type: client_credentials' },
		});
		expect(await exchange(jwt(), { grant_type: GRANT, duration_seconds: 86400 })).toMatchObject({ status: 400, body: { error_code: 'invalid_request' } });
		const defaulted = await exchange(jwt(), { grant_type: GRANT });
		expect(defaulted.body.expires_in).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 899);
	});

	it('refuses a deactivated app with access_deny', async () => {
		const off = createTestApp('pkcs8', { deactivated: true });
		oauth.registerApp(off);
		const token = jwt({ iss: off.appId }, { kid: off.keyId }, off.privateKeyPem);
		expect(await exchange(token)).toMatchObject({ status: 403, body: { error_code: 'access_deny' } });
	});

	it('counts mints and refusals', async () => {
		const mints = oauth.mints;
		const refusals = oauth.refusals;
		await exchange(jwt());
		await exchange(jwt({}, { kid: 'nope' }));
		expect([oauth.mints - mints, oauth.refusals - refusals]).toEqual([1, 1]);
	});
});

describe('short-lived tokens', () => {
	afterAll(async () => await start());

	it('caps the lifetime and answers an expired token with HTTP 401 code 4100 (default)', async () => {
		await start({ maxTokenLifetime: 1 });
		const { body } = await exchange(jwt(), { grant_type: GRANT, duration_seconds: 86399 });
		expect(body.expires_in).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
		const token = body.access_token as string;
		expect((await me(token)).status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 1100));
		expect(await me(token)).toMatchObject({ status: 401, body: { code: 4100, msg: 'authentication is invalid' } });
		expect(oauth.expiredTokenRejections).toBe(1);
	});

	it('answers an expired token with HTTP 200 code 4100 when configured so', async () => {
		await start({ expiredTokenAnswer: 'body4100' });
		const token = (await exchange(jwt())).body.access_token as string;
		oauth.expire(token);
		expect(await me(token)).toMatchObject({ status: 200, body: { code: 4100 } });
	});

	it('runs its clock with an offset, and says so in the Date header', async () => {
		await start({ clockOffsetSeconds: -3600 });
		const refused = await exchange(jwt());
		expect(refused).toMatchObject({ status: 401, body: { error_message: 'invalid jwt: iat is in the future' } });
		expect(Date.now() - Date.parse(refused.date ?? '')).toBeGreaterThan(3500_000);
	});
});
