/**
 * The Coze OAuth (JWT) credential inside n8n-core's real request machinery: a tiny node calls
 * `httpRequestWithAuthentication` (→ credentialsHelper.preAuthentication → the credential's
 * preAuthentication → n8n's httpRequest → the emulator's token endpoint → authenticate → request),
 * and the credential test runs like n8n's CredentialsTester. Over real sockets, no mocks.
 *
 * These tests also pin down what n8n 2.41's core does by itself (see the "n8n's behaviour" block):
 * the phase-2 transport builds on exactly that.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CozeJwtApi } from '../../credentials/CozeJwtApi.credentials';
import { createTestApp, mintedElsewhere, OAuthEmulator, type OAuthOptions, type TestApp } from '../emulator/oauth';
import { startEmulator, type CozeEmulator } from '../emulator/server';
import { HarnessCredentialsHelper, runNode, testCredential } from '../harness';
import { rejectionOf } from './helpers';

/** Calls GET /v1/users/me `count` times at once, the way a node's transport could. */
class JwtProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'JWT Probe',
		name: 'jwtProbe',
		group: ['transform'],
		version: 1,
		description: 'Calls Coze with the cozeJwtApi credential',
		defaults: { name: 'JWT Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'cozeJwtApi', required: true }],
		properties: [
			{ displayName: 'Count', name: 'count', type: 'number', default: 1 },
			{
				displayName: 'Credentials',
				name: 'credentialsMode',
				type: 'options',
				options: [
					{ name: 'Read Per Request', value: 'perRequest' },
					{ name: 'Shared Decrypted Object', value: 'shared' },
					{ name: 'Shared, Token Blanked', value: 'sharedBlank' },
				],
				default: 'perRequest',
			},
			{ displayName: 'Ignore HTTP Status Errors', name: 'ignoreStatus', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const count = this.getNodeParameter('count', 0) as number;
		const mode = this.getNodeParameter('credentialsMode', 0) as string;
		const ignoreStatus = this.getNodeParameter('ignoreStatus', 0) as boolean;
		const data = await this.getCredentials('cozeJwtApi');
		let shared: ICredentialsDecrypted | undefined;
		if (mode !== 'perRequest') {
			shared = { id: 'harness-credential', name: 'Coze JWT', type: 'cozeJwtApi', data: { ...data } };
			if (mode === 'sharedBlank') shared.data!.accessToken = '';
		}
		const before = shared?.data?.accessToken;
		const request: IHttpRequestOptions = { method: 'GET', url: `${String(data.baseUrl)}/v1/users/me`, json: true };
		if (ignoreStatus) Object.assign(request, { returnFullResponse: true, ignoreHttpStatusErrors: true });
		const responses = await Promise.all(
			Array.from({ length: count }, async () =>
				(await this.helpers.httpRequestWithAuthentication.call(this, 'cozeJwtApi', { ...request }, shared ? { credentialsDecrypted: shared } : undefined)) as
					| IN8nHttpFullResponse
					| { code: number },
			),
		);
		return [
			responses.map((response, i) => ({
				json: {
					status: 'statusCode' in response ? response.statusCode : 200,
					code: 'statusCode' in response ? (response.body as { code: number }).code : response.code,
					sharedTokenChanged: shared ? shared.data?.accessToken !== before : null,
				},
				pairedItem: { item: i },
			})),
		];
	}
}

let emulator: CozeEmulator;
let oauth: OAuthEmulator;
let app: TestApp;

async function start(options: OAuthOptions = {}): Promise<void> {
	await emulator?.stop();
	emulator = await startEmulator();
	oauth = OAuthEmulator.install(emulator, options);
	oauth.registerApp(app);
}

beforeAll(async () => {
	app = createTestApp('pkcs1');
	await start();
});
afterAll(async () => await emulator.stop());

/** A fresh app per test: the credential's in-process token cache is keyed by app and key. */
function freshApp(): TestApp {
	const fresh = createTestApp('pkcs8');
	oauth.registerApp(fresh);
	return fresh;
}

function credentialsFor(a: TestApp, extra: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return {
		region: 'custom',
		baseUrl: emulator.url,
		appId: a.appId,
		fingerprint: a.keyId,
		privateKey: a.privateKeyPem,
		lifetime: 86399,
		...extra,
	};
}

function store(a: TestApp, extra: ICredentialDataDecryptedObject = {}): HarnessCredentialsHelper {
	return new HarnessCredentialsHelper(new CozeJwtApi(), credentialsFor(a, extra));
}

async function probe(helper: HarnessCredentialsHelper, parameters: Record<string, unknown> = {}) {
	const { items } = await runNode({
		node: new JwtProbe(),
		credentialType: new CozeJwtApi(),
		credentials: {},
		credentialsHelper: helper,
		parameters: parameters as never,
	});
	return items.map((item) => item.json);
}

async function stored(helper: HarnessCredentialsHelper): Promise<ICredentialDataDecryptedObject> {
	return await helper.getDecrypted({} as never, { id: 'x', name: 'x' }, 'cozeJwtApi', 'manual', undefined, true);
}

function bearersTo(path: string): string[] {
	return emulator.requestsTo(path).map((r) => String(r.headers.authorization));
}

/** The credential class as a second n8n process would load it: with its own token cache. */
function otherProcessCredential(): typeof CozeJwtApi {
	let loaded: typeof CozeJwtApi | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		loaded = (require('../../credentials/CozeJwtApi.credentials') as { CozeJwtApi: typeof CozeJwtApi }).CozeJwtApi;
	});
	return loaded!;
}

/** A stretch from the middle of a PEM's base64 body. */
function keyBody(pem: string): string {
	return pem.split('\n').filter((line) => line && !line.startsWith('-----')).join('').slice(100, 140);
}


beforeEach(() => {
	emulator.requests.length = 0;
});

describe('preAuthentication through n8n-core', () => {
	it('mints on first use, persists the token and its times, and sends it as Bearer', async () => {
		const helper = store(freshApp());
		const mints = oauth.mints;
		const started = Date.now() / 1000;
		expect(await probe(helper)).toEqual([{ status: 200, code: 0, sharedTokenChanged: null }]);
		expect(oauth.mints - mints).toBe(1);

		const data = await stored(helper);
		expect(helper.persisted).toEqual([
			{ accessToken: data.accessToken, expiresAt: data.expiresAt, refreshAt: data.refreshAt, mintedFor: data.mintedFor },
		]);
		expect(data.accessToken).toMatch(/^czs_/);
		expect(data.refreshAt).toBeGreaterThanOrEqual(Math.floor(started) + 86399 - 30 - 1);
		expect(data.refreshAt).toBeLessThanOrEqual(Date.now() / 1000 + 86399 - 30);
		expect(bearersTo('/v1/users/me')).toEqual([`Bearer ${String(data.accessToken)}`]);
		const [tokenRequest] = emulator.requestsTo('/api/permission/oauth2/token');
		expect(tokenRequest.body).toEqual({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', duration_seconds: 86399 });

		// The next execution reads the stored token and does not mint.
		expect(await probe(helper)).toEqual([{ status: 200, code: 0, sharedTokenChanged: null }]);
		expect(oauth.mints - mints).toBe(1);
	});

	it('uses the account variant of the endpoint and the session name', async () => {
		const a = createTestApp('pkcs8', { accountIds: ['7490888144456'] });
		oauth.registerApp(a);
		await probe(store(a, { accountId: '7490888144456', sessionName: 'user_42' }));
		const [request] = emulator.requestsTo('/api/permission/oauth2/account/7490888144456/token');
		const claims = JSON.parse(Buffer.from(String(request.headers.authorization).split('.')[1], 'base64url').toString()) as Record<string, unknown>;
		expect(claims).toMatchObject({ iss: a.appId, aud: new URL(emulator.url).host, session_name: 'user_42' });
	});

	it('20 parallel requests with no token yet: one mint, one token for all', async () => {
		const helper = store(freshApp());
		const mints = oauth.mints;
		const results = await probe(helper, { count: 20 });
		expect(results).toHaveLength(20);
		expect(results.every((r) => r.code === 0)).toBe(true);
		expect(oauth.mints - mints).toBe(1);
		expect(new Set(bearersTo('/v1/users/me')).size).toBe(1);
		// n8n still persists once per request that ran preAuthentication (same token every time).
		expect(new Set(helper.persisted.map((p) => p.accessToken)).size).toBe(1);
	});

	it('blanking the token in the credentialsDecrypted a node passes makes n8n run preAuthentication', async () => {
		const helper = store(freshApp());
		await probe(helper);
		const mints = oauth.mints;
		expect(await probe(helper, { credentialsMode: 'sharedBlank' })).toEqual([{ status: 200, code: 0, sharedTokenChanged: true }]);
		expect(helper.persisted).toHaveLength(2);
		// This process minted that token moments ago and it is not due: the cache answers, no mint.
		expect(oauth.mints - mints).toBe(0);
	});

	it('another process (a queue-mode worker) has its own cache: a blanked token is minted there', async () => {
		const helper = store(freshApp());
		await probe(helper);
		const mints = oauth.mints;
		const worker = new HarnessCredentialsHelper(new (otherProcessCredential())(), await stored(helper));
		await runNode({ node: new JwtProbe(), credentialType: new CozeJwtApi(), credentials: {}, credentialsHelper: worker, parameters: { credentialsMode: 'sharedBlank' } });
		expect(oauth.mints - mints).toBe(1);
	});
});

describe('across expiry', () => {
	afterAll(async () => await start());

	/** A store holding a token another process minted, which Coze then ended (no waiting). */
	async function expiredStore(): Promise<{ helper: HarnessCredentialsHelper; token: string }> {
		await start();
		const fields = await mintedElsewhere(credentialsFor(freshApp()));
		oauth.expire();
		emulator.requests.length = 0;
		return { helper: new HarnessCredentialsHelper(new CozeJwtApi(), fields as ICredentialDataDecryptedObject), token: String(fields.accessToken) };
	}

	it('HTTP 401 for an expired token: n8n runs preAuthentication again and resends once', async () => {
		const { helper, token: first } = await expiredStore();
		const mints = oauth.mints;
		expect(await probe(helper)).toEqual([{ status: 200, code: 0, sharedTokenChanged: null }]);
		expect(oauth.mints - mints).toBe(1);
		const second = (await stored(helper)).accessToken;
		expect(second).not.toBe(first);
		expect(bearersTo('/v1/users/me').slice(-2)).toEqual([`Bearer ${first}`, `Bearer ${String(second)}`]);
		expect(oauth.expiredTokenRejections).toBe(1);
	});

	it('20 parallel requests sharing one credentialsDecrypted hit an expired token: one mint, all succeed', async () => {
		const { helper } = await expiredStore();
		const mints = oauth.mints;
		const results = await probe(helper, { count: 20, credentialsMode: 'shared' });
		expect(results.every((r) => r.status === 200 && r.code === 0 && r.sharedTokenChanged === true)).toBe(true);
		expect(oauth.expiredTokenRejections).toBe(20);
		expect(oauth.mints - mints).toBe(1);
	});

	it('two processes hitting the same expired token mint once each (the cache is per process)', async () => {
		const { helper } = await expiredStore();
		const worker = new HarnessCredentialsHelper(new (otherProcessCredential())(), await stored(helper));
		const mints = oauth.mints;
		await Promise.all([
			probe(helper, { count: 10, credentialsMode: 'shared' }),
			runNode({ node: new JwtProbe(), credentialType: new CozeJwtApi(), credentials: {}, credentialsHelper: worker, parameters: { count: 10, credentialsMode: 'shared' } }),
		]);
		expect(oauth.mints - mints).toBe(2);
	});

	it('the re-minted token is what the next execution reads', async () => {
		const { helper } = await expiredStore();
		await probe(helper);
		const persisted = (await stored(helper)).accessToken;
		const mints = oauth.mints;
		emulator.requests.length = 0;
		await probe(helper);
		expect(bearersTo('/v1/users/me')[0]).toBe(`Bearer ${String(persisted)}`);
		expect(oauth.mints).toBe(mints);
	});
});

describe("n8n's behaviour the transport must work around", () => {
	afterAll(async () => await start());

	it('an expired token answered with HTTP 200 code 4100 is NOT re-minted by n8n', async () => {
		await start({ expiredTokenAnswer: 'body4100' });
		const helper = store(app);
		await probe(helper);
		oauth.expire();
		const mints = oauth.mints;
		expect(await probe(helper)).toEqual([{ status: 200, code: 4100, sharedTokenChanged: null }]);
		expect(oauth.mints).toBe(mints);
	});

	it('with ignoreHttpStatusErrors an HTTP 401 comes back to the node and n8n does NOT re-mint', async () => {
		await start();
		const helper = store(app);
		await probe(helper);
		oauth.expire();
		const mints = oauth.mints;
		expect(await probe(helper, { ignoreStatus: true })).toEqual([{ status: 401, code: 4100, sharedTokenChanged: null }]);
		expect(oauth.mints).toBe(mints);
	});

	it('a token revoked right after it was minted is reused once (10 s window), so the retry fails too', async () => {
		await start();
		const helper = store(freshApp());
		await probe(helper);
		oauth.expire();
		const error = await rejectionOf(probe(helper));
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as unknown as NodeApiError).httpCode).toBe('401');
	});
});

describe('errors', () => {
	async function failure(credentials: ICredentialDataDecryptedObject) {
		const error = (await rejectionOf(probe(new HarnessCredentialsHelper(new CozeJwtApi(), credentials)))) as unknown as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		// Neither the key, nor a JWT, nor a token anywhere in the error n8n shows and stores.
		const shown = JSON.stringify({ ...error, message: error.message, description: error.description, cause: error.cause });
		expect(shown).not.toMatch(/eyJ|czs_/);
		expect(shown).not.toContain(keyBody(credentials.privateKey as string));
		return error;
	}

	it('a wrong fingerprint: one attempt, an actionable message, no secret', async () => {
		const refusals = oauth.refusals;
		const error = await failure(credentialsFor(app, { fingerprint: 'not-the-right-kid' }));
		expect(error.message).toBe(`Coze OAuth (JWT): Coze (${new URL(emulator.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`);
		expect(error.description).toContain('Check the Region');
		expect(error.description).toContain('not the key itself');
		// n8n did not take the failed mint for an expired token and try again.
		expect(oauth.refusals - refusals).toBe(1);
		expect(emulator.requestsTo('/v1/users/me')).toHaveLength(0);
	});

	it('a malformed key says which format is expected, before anything is sent', async () => {
		const error = await failure(credentialsFor(app, { privateKey: app.privateKeyPem.replace('PRIVATE KEY-----', 'PUBLIC KEY-----') }));
		expect(error.message).toBe('Coze OAuth (JWT): Private Key is damaged: it begins with RSA PUBLIC KEY but ends with RSA PRIVATE KEY');
		expect(error.description).toContain('PKCS#1 (-----BEGIN RSA PRIVATE KEY-----) or PKCS#8 (-----BEGIN PRIVATE KEY-----)');
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('credential test', () => {
	afterAll(async () => await start());

	it('mints a token and calls GET /v1/users/me', async () => {
		const a = freshApp();
		const mints = oauth.mints;
		await expect(testCredential(new CozeJwtApi(), credentialsFor(a))).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(oauth.mints - mints).toBe(1);
		expect(emulator.requestsTo('/v1/users/me')).toHaveLength(1);
	});

	// n8n 1.123.81 and 2.41.1 run preAuthentication in a test only for an empty token or after an
	// HTTP 401: their isTestingCredentials check never matches (the harness's test node is named as
	// the CLI's is; test/e2e/jwt.test.ts shows it in real n8n).
	it('a stored token minted for the current settings is tested as it is, without a mint', async () => {
		const a = freshApp();
		const helper = new HarnessCredentialsHelper(new CozeJwtApi(), (await mintedElsewhere(credentialsFor(a))) as ICredentialDataDecryptedObject);
		const token = (await stored(helper)).accessToken;
		const mints = oauth.mints;
		await expect(testCredential(new CozeJwtApi(), {}, helper)).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(bearersTo('/v1/users/me')).toEqual([`Bearer ${String(token)}`]);
		expect(oauth.mints).toBe(mints);
	});

	it('a stored token Coze refuses (HTTP 401) is replaced and the test passes', async () => {
		const a = freshApp();
		const minted = await mintedElsewhere(credentialsFor(a));
		const helper = store(a, { accessToken: 'czs_stored_but_unknown', refreshAt: 9999999999, mintedFor: String(minted.mintedFor) });
		await expect(testCredential(new CozeJwtApi(), {}, helper)).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
		const renewed = (await stored(helper)).accessToken;
		expect(bearersTo('/v1/users/me')).toEqual(['Bearer czs_stored_but_unknown', `Bearer ${String(renewed)}`]);
		expect(renewed).not.toBe('czs_stored_but_unknown');
	});

	it('after the fingerprint was edited and saved, the old token is not sent: the test reports the unknown fingerprint', async () => {
		const a = freshApp();
		const saved = { ...(await mintedElsewhere(credentialsFor(a))), fingerprint: 'not-registered-kid' } as ICredentialDataDecryptedObject;
		const result = await testCredential(new CozeJwtApi(), {}, new HarnessCredentialsHelper(new CozeJwtApi(), saved));
		expect(result).toEqual({ status: 'Error', message: `Coze OAuth (JWT): Coze (${new URL(emulator.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint` });
		expect(bearersTo('/v1/users/me')).not.toContain(`Bearer ${String(saved.accessToken)}`);
	});

	it('names region and fingerprint when the app is unknown to the site (a wrong region)', async () => {
		const otherRegion = await startEmulator();
		OAuthEmulator.install(otherRegion);
		try {
			const result = await testCredential(new CozeJwtApi(), { ...credentialsFor(app), baseUrl: otherRegion.url });
			expect(result.status).toBe('Error');
			expect(result.message).toBe(`Coze OAuth (JWT): Coze (${new URL(otherRegion.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`);
		} finally {
			await otherRegion.stop();
		}
	});

	it('says the clock is off when Coze finds the JWT issued in the future', async () => {
		await start({ clockOffsetSeconds: -3600 });
		const result = await testCredential(new CozeJwtApi(), credentialsFor(app));
		expect(result).toEqual({ status: 'Error', message: 'Coze OAuth (JWT): Coze rejected the JWT: the clock of this machine is off' });
	});

	it('says which key format is expected', async () => {
		const result = await testCredential(new CozeJwtApi(), credentialsFor(app, { privateKey: 'paste here' }));
		expect(result).toEqual({ status: 'Error', message: 'Coze OAuth (JWT): Private Key is not a PEM key' });
	});
});
