/**
 * End to end for the Coze OAuth (JWT service app) credential (issue 12) in each pinned real n8n:
 * runs with Authentication = OAuth JWT across token expiry (both answers Coze may give for an
 * expired token), a batch of 20 parallel items on an expired token, the credential test through
 * n8n's REST endpoint, and no secret in anything n8n prints or returns.
 *
 * One workflow, executed five times per version with `n8n execute` (each a new n8n process, so
 * only what n8n persisted carries a token from one execution to the next):
 *   1 fresh credentials: one mint per app;
 *   2 after expire() answered with HTTP 401: one re-mint per app, the request sent once more;
 *   3 nothing expired: no mint (the token minted in 2 was persisted);
 *   4 after expire() answered with HTTP 200 code 4100: as 2;
 *   5 as 3.
 * Then `n8n start`, log in, and POST /rest/credentials/test as the editor does.
 */

import { drip, serverSide } from '../emulator/hostile';
import { createTestApp, OAuthEmulator, type TestApp } from '../emulator/oauth';
import { scenarios } from '../emulator/scenarios';
import { scenarios as workflowScenarios } from '../emulator/workflowScenarios';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator, type RecordedRequest } from '../emulator/server';
import { N8nInstance, TARGETS, freePort, log, nodeItems, timed, type RunJson } from './n8n';
import { usePackedPackage } from './packed';
import { NODE_TYPE, link, nodeBuilder } from './workflows';

const WORKFLOW_ID = 'cozeE2eJwtRuns001';
const ANSWER = '2024 年 10 月 1 日是星期二。';
const BATCH = 20;

const CRED = {
	a: { id: 'cozeJwtCredA00001', name: 'Coze JWT (app A)' },
	b: { id: 'cozeJwtCredB00001', name: 'Coze JWT (app B, batch)' },
	wrongKid: { id: 'cozeJwtWrongKid01', name: 'Coze JWT (wrong fingerprint)' },
	wrongRegion: { id: 'cozeJwtWrongReg01', name: 'Coze JWT (wrong region)' },
	slowMint: { id: 'cozeJwtSlowMint01', name: 'Coze JWT (app C, slow token endpoint)' },
	slowBatch: { id: 'cozeJwtSlowBatch1', name: 'Coze JWT (app D, slow token endpoint, one execution)' },
	token: { id: 'cozeApiTokenE2e01', name: 'Coze API (token)' },
	drips: { id: 'cozeApiDrips00001', name: 'Coze API (server that drips)' },
	refused: { id: 'cozeApiRefused001', name: 'Coze API (nothing listens)' },
};

/** The token endpoint takes this long for app C: two executions share its one mint. */
const SLOW_MINT_MS = 4000;

/**
 * Webhook (answers with the last node's output) → Send Message with the JWT credential of app C and
 * a Timeout of `timeout` s. Two of these, called at once, share one token mint in one n8n process.
 */
function mintSharingWorkflow(id: string, path: string, timeout: number): Record<string, unknown> {
	const node = nodeBuilder(path.endsWith('hasty') ? 'd' : 'e');
	return {
		id,
		name: `Coze e2e: shared mint (${path})`,
		active: false,
		versionId: `${id.slice(0, 8)}-0000-4000-8000-000000000001`,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} }, { webhookId: `${path === 'mint-hasty' ? 'c0ze0000-0000-4000-8000-00000000d001' : 'c0ze0000-0000-4000-8000-00000000e001'}` }),
			node('Ask', NODE_TYPE, 1, {
				authentication: 'jwt',
				resource: 'chat',
				operation: 'sendMessage',
				botId: { __rl: true, mode: 'id', value: scenarios.plain.botId },
				userId: 'e2e-jwt',
				message: 'What day is 2024-10-01?',
				options: { timeout },
			}, { credentials: { cozeJwtApi: CRED.slowMint }, onError: 'continueRegularOutput' }),
		],
		connections: { Webhook: { main: [[link('Ask')]] } },
	};
}

/**
 * Two items of one execution (Items in Parallel 2) that need one token from app D's slow endpoint:
 * Timeout 30 s and 1 s. The second waits for the first item's mint and must leave at its own 1 s.
 */
function mintBatchWorkflow(): Record<string, unknown> {
	const node = nodeBuilder('f');
	return {
		id: 'cozeE2eMintBatch1',
		name: 'Coze e2e: one execution, one slow mint, two Timeouts',
		active: false,
		versionId: 'cozeE2eM-0000-4000-8000-000000000002',
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: 'mint-batch', responseMode: 'lastNode', responseData: 'allEntries', options: {} }, { webhookId: 'c0ze0000-0000-4000-8000-00000000f001' }),
			node('Timeouts', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ t: [30, 1] }), options: {} }),
			node('Split Timeouts', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 't', options: {} }),
			node('Ask', NODE_TYPE, 1, {
				authentication: 'jwt',
				resource: 'chat',
				operation: 'sendMessage',
				botId: { __rl: true, mode: 'id', value: scenarios.plain.botId },
				userId: 'e2e-jwt',
				message: 'What day is 2024-10-01?',
				options: { timeout: '={{ $json.t }}', concurrency: 2 },
			}, { credentials: { cozeJwtApi: CRED.slowBatch }, onError: 'continueRegularOutput' }),
		],
		connections: { Webhook: { main: [[link('Timeouts')]] }, Timeouts: { main: [[link('Split Timeouts')]] }, 'Split Timeouts': { main: [[link('Ask')]] } },
	};
}

type CredentialRef = { id: string; name: string };

function jwtWorkflow(): Record<string, unknown> {
	const node = nodeBuilder('b');
	const coze = (name: string, credential: CredentialRef, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		node(name, NODE_TYPE, 1, { authentication: 'jwt', ...parameters }, { credentials: { cozeJwtApi: credential }, ...extra });
	const ask = (message: string, options: Record<string, unknown> = {}) => ({
		resource: 'chat',
		operation: 'sendMessage',
		botId: { __rl: true, mode: 'id', value: scenarios.plain.botId },
		userId: 'e2e-jwt',
		message,
		options,
	});
	const nodes = [
		node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
		coze('Ask With JWT', CRED.a, ask('What day is 2024-10-01?')),
		coze('Run Workflow With JWT', CRED.a, {
			resource: 'workflow',
			operation: 'run',
			workflowId: { __rl: true, mode: 'id', value: workflowScenarios.echo.workflowId },
			options: {},
		}),
		node('Questions', 'n8n-nodes-base.set', 3.4, {
			mode: 'raw',
			jsonOutput: JSON.stringify({ q: Array.from({ length: BATCH }, (_, i) => `Question ${i + 1}`) }),
			options: {},
		}),
		node('Split Questions', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'q', options: {} }),
		coze('Ask Batch With JWT', CRED.b, ask('={{ $json.q }}', { concurrency: BATCH })),
		coze('Wrong Fingerprint', CRED.wrongKid, ask('Hello'), { onError: 'continueRegularOutput' }),
		coze('Wrong Region', CRED.wrongRegion, ask('Hello'), { onError: 'continueRegularOutput' }),
	];
	return {
		id: WORKFLOW_ID,
		name: 'Coze e2e: OAuth JWT',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: {
			'Manual Trigger': { main: [[link('Ask With JWT'), link('Questions'), link('Wrong Fingerprint'), link('Wrong Region')]] },
			'Ask With JWT': { main: [[link('Run Workflow With JWT')]] },
			Questions: { main: [[link('Split Questions')]] },
			'Split Questions': { main: [[link('Ask Batch With JWT')]] },
		},
	};
}

/** The n8n editor's REST calls: owner setup (no owner yet in a fresh user folder), then credentials. */
class Editor {
	private cookie = '';

	private readonly browserId = `coze-e2e-${process.pid}`;

	constructor(readonly url: string) {}

	async call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: { data?: unknown } }> {
		const response = await fetch(`${this.url}/rest${path}`, {
			method,
			headers: { 'content-type': 'application/json', 'browser-id': this.browserId, cookie: this.cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.get('set-cookie');
		const auth = setCookie && /n8n-auth=[^;]+/.exec(setCookie)?.[0];
		if (auth) this.cookie = auth;
		const text = await response.text();
		let json: { data?: unknown } = {};
		try {
			json = JSON.parse(text) as { data?: unknown };
		} catch {
			// not JSON
		}
		return { status: response.status, text, json };
	}

	async setupOwner(): Promise<void> {
		// n8n 1.x answers /healthz/readiness before its REST controllers are registered.
		for (const deadline = Date.now() + 60_000; (await this.call('GET', '/settings')).status !== 200; ) {
			if (Date.now() > deadline) throw new Error('n8n\'s REST API did not come up');
			await new Promise((r) => setTimeout(r, 250));
		}
		const result = await this.call('POST', '/owner/setup', { email: 'owner@coze-e2e.local', firstName: 'Coze', lastName: 'E2E', password: 'Coze-e2e-Passw0rd' });
		if (result.status !== 200 || !this.cookie) throw new Error(`owner setup failed: HTTP ${result.status} ${result.text.slice(0, 500)}`);
	}

	/**
	 * What the editor's credential modal does: load the credential (secrets redacted), optionally
	 * change fields and Save (PATCH with the non-default values), then test with all its data.
	 */
	async testCredential(
		credential: CredentialRef,
		edit?: Record<string, unknown>,
	): Promise<{ responses: string[]; result: { status: string; message: string } }> {
		const responses: string[] = [];
		const loaded = await this.call('GET', `/credentials/${credential.id}?includeData=true`);
		responses.push(loaded.text);
		if (loaded.status !== 200) throw new Error(`GET credential failed: HTTP ${loaded.status} ${loaded.text.slice(0, 500)}`);
		const { id, name, type, data } = loaded.json.data as { id: string; name: string; type: string; data: Record<string, unknown> };
		const edited = { ...data, ...edit };
		if (edit) {
			const saved = await this.call('PATCH', `/credentials/${id}`, { name, type, data: edited });
			responses.push(saved.text);
			if (saved.status !== 200) throw new Error(`PATCH credential failed: HTTP ${saved.status} ${saved.text.slice(0, 500)}`);
		}
		const tested = await this.call('POST', '/credentials/test', { credentials: { id, name, type, data: edited } });
		responses.push(tested.text);
		if (tested.status !== 200) throw new Error(`credential test failed: HTTP ${tested.status} ${tested.text.slice(0, 500)}`);
		return { responses, result: tested.json.data as { status: string; message: string } };
	}
}

const tarball = usePackedPackage('jwt');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('OAuth JWT credential in %s', (_label, target) => {
	let emulator: CozeEmulator;
	let otherRegion: CozeEmulator;
	let oauth: OAuthEmulator;
	let n8n: N8nInstance;
	let appA: TestApp;
	let appB: TestApp;
	let appC: TestApp;
	let appD: TestApp;
	let started: number;
	/** Everything n8n printed or answered, for the leak check. */
	const printed: string[] = [];

	interface Execution {
		run: RunJson;
		/** Requests the emulator received during the execution. */
		requests: RecordedRequest[];
		/** Tokens minted during the execution, by app. */
		minted: { a: string[]; b: string[] };
	}
	const executions: Execution[] = [];

	const tokensOf = (app: TestApp) => [...oauth.tokens.entries()].filter(([, t]) => t.appId === app.appId).map(([token]) => token);
	const bearer = (r: RecordedRequest) => /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1] ?? '';
	const appOf = (r: RecordedRequest) => oauth.tokens.get(bearer(r))?.appId;
	const chatsOf = (execution: Execution, app: TestApp) => execution.requests.filter((r) => r.path === '/v3/chat' && appOf(r) === app.appId);

	async function execute(label: string): Promise<Execution> {
		const before = { requests: emulator.requests.length, a: tokensOf(appA).length, b: tokensOf(appB).length };
		const result = await timed(`${target.name}: execute ${label}`, () => n8n.execute(WORKFLOW_ID));
		printed.push(result.stdout, result.stderr);
		if (!result.run || result.code !== 0) {
			throw new Error(`execute ${label} failed (code ${result.code}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
		}
		const execution = {
			run: result.run,
			requests: emulator.requests.slice(before.requests),
			minted: { a: tokensOf(appA).slice(before.a), b: tokensOf(appB).slice(before.b) },
		};
		executions.push(execution);
		return execution;
	}

	function credential(ref: CredentialRef, app: TestApp, baseUrl: string, extra: Record<string, unknown> = {}) {
		return {
			...ref,
			type: 'cozeJwtApi',
			data: { region: 'custom', baseUrl, appId: app.appId, fingerprint: app.keyId, privateKey: app.privateKeyPem, lifetime: 86399, ...extra },
		};
	}

	beforeAll(async () => {
		started = Date.now();
		emulator = await startEmulator();
		oauth = OAuthEmulator.install(emulator);
		// Another site: it has a token endpoint but has never heard of the app (a wrong region).
		otherRegion = await startEmulator();
		OAuthEmulator.install(otherRegion);
		appA = createTestApp('pkcs8');
		appB = createTestApp('pkcs1');
		appC = createTestApp('pkcs8');
		appD = createTestApp('pkcs8');
		oauth.registerApp(appA);
		oauth.registerApp(appB);
		oauth.registerApp(appC);
		oauth.registerApp(appD);
		// App C's and D's token endpoint is slow: requests that need their token wait for one shared mint.
		emulator.publicRoutes.unshift(async (request) => {
			const kid = request.path === '/api/permission/oauth2/token' ? appOfJwt({ headers: request.req.headers } as unknown as RecordedRequest) : '';
			if (kid === appC.keyId || kid === appD.keyId) {
				await new Promise((resolve) => setTimeout(resolve, SLOW_MINT_MS));
			}
			return false;
		});
		n8n = new N8nInstance(target);
		n8n.installPackage(tarball());
		await n8n.importCredentials([
			credential(CRED.a, appA, emulator.url),
			credential(CRED.b, appB, emulator.url),
			credential(CRED.wrongKid, appA, emulator.url, { fingerprint: 'not-the-fingerprint-of-this-key' }),
			credential(CRED.wrongRegion, appA, otherRegion.url),
			credential(CRED.slowMint, appC, emulator.url),
			credential(CRED.slowBatch, appD, emulator.url),
			{ ...CRED.token, type: 'cozeApi', data: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN } },
			{ ...CRED.drips, type: 'cozeApi', data: { region: 'custom', baseUrl: `${emulator.url}/drips`, accessToken: EMULATOR_TOKEN } },
			{ ...CRED.refused, type: 'cozeApi', data: { region: 'custom', baseUrl: 'http://127.0.0.1:1', accessToken: EMULATOR_TOKEN } },
		]);
		// Under /drips, the emulator answers the credential test one byte at a time, for ever.
		emulator.publicRoutes.unshift(drip((request) => request.path.startsWith('/drips/'), serverSide(), { contentType: 'application/json', prefix: '{"code":0,"data":{', everyMs: 200 }));
		await n8n.importWorkflows([jwtWorkflow(), mintSharingWorkflow('cozeE2eMintHasty1', 'mint-hasty', 1), mintSharingWorkflow('cozeE2eMintPatnt1', 'mint-patient', 30), mintBatchWorkflow()]);
		await execute('1 (fresh credentials)');
		oauth.options.expiredTokenAnswer = 'http401';
		oauth.expire();
		await execute('2 (tokens expired, HTTP 401)');
		await execute('3 (nothing expired)');
		oauth.options.expiredTokenAnswer = 'body4100';
		oauth.expire();
		await execute('4 (tokens expired, HTTP 200 code 4100)');
		await execute('5 (nothing expired)');
	});

	afterAll(async () => {
		await n8n?.dispose();
		await emulator?.stop();
		await otherRegion?.stop();
		log(`${target.name}: jwt.test.ts took ${((Date.now() - started) / 1000).toFixed(1)} s for this version`);
	});

	it('a run with Authentication = OAuth JWT mints once per app and sends that token', () => {
		const [first] = executions;
		expect(first.minted.a).toHaveLength(1);
		expect(first.minted.b).toHaveLength(1);
		const [asked] = nodeItems(first.run, 'Ask With JWT');
		expect(asked.json).toMatchObject({ answer: ANSWER, status: 'completed' });
		const [ran] = nodeItems(first.run, 'Run Workflow With JWT');
		expect(ran.json).toMatchObject({ status: 'completed', output: { output: 'Hello, guest!' } });
		const chats = chatsOf(first, appA);
		expect(chats.map(bearer)).toEqual([first.minted.a[0]]);
		// The next node of the same execution reads the token n8n persisted: no second mint.
		const runs = first.requests.filter((r) => r.path === '/v1/workflow/stream_run');
		expect(runs.map(bearer)).toEqual([first.minted.a[0]]);
		const tokenCalls = first.requests.filter((r) => r.path === '/api/permission/oauth2/token');
		expect(tokenCalls.length).toBeGreaterThanOrEqual(2); // A and B minted; the wrong fingerprint was refused
	});

	it('a batch of 20 items in parallel with no token yet: one mint', () => {
		const [first] = executions;
		const out = nodeItems(first.run, 'Ask Batch With JWT');
		expect(out).toHaveLength(BATCH);
		out.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.answer).toBe(ANSWER);
		});
		expect(chatsOf(first, appB)).toHaveLength(BATCH);
	});

	describe.each([
		['HTTP 401', 1],
		['HTTP 200 with code 4100', 3],
	] as const)('after the token expired (Coze answers %s)', (_answer, index) => {
		it('re-mints once, sends the refused request once more, and succeeds', () => {
			const previous = executions[index - 1];
			const execution = executions[index];
			expect(execution.minted.a).toHaveLength(1);
			const [asked] = nodeItems(execution.run, 'Ask With JWT');
			expect(asked.json).toMatchObject({ answer: ANSWER, status: 'completed' });
			// First the token the previous execution left in n8n's database, refused; then the new one.
			const lastToken = previous.minted.a.at(-1) ?? executions[index - 2].minted.a.at(-1);
			expect(chatsOf(execution, appA).map(bearer)).toEqual([lastToken, execution.minted.a[0]]);
			const [ran] = nodeItems(execution.run, 'Run Workflow With JWT');
			expect(ran.json.status).toBe('completed');
			expect(execution.requests.filter((r) => r.path === '/v1/workflow/stream_run').map(bearer)).toEqual([execution.minted.a[0]]);
		});

		it('a batch of 20 parallel items on the expired token: exactly one mint, every item answered', () => {
			const execution = executions[index];
			expect(execution.minted.b).toHaveLength(1);
			const out = nodeItems(execution.run, 'Ask Batch With JWT');
			expect(out).toHaveLength(BATCH);
			out.forEach((item) => expect(item.json.answer).toBe(ANSWER));
			const chats = chatsOf(execution, appB);
			const fresh = chats.filter((r) => bearer(r) === execution.minted.b[0]);
			expect(fresh).toHaveLength(BATCH);
			expect(chats.length - fresh.length).toBeLessThanOrEqual(BATCH); // each item refused at most once
		});

		it('the new token was persisted: the next execution does not mint and uses it', () => {
			const execution = executions[index];
			const next = executions[index + 1];
			expect(next.minted.a).toEqual([]);
			expect(next.minted.b).toEqual([]);
			expect(chatsOf(next, appA).map(bearer)).toEqual([execution.minted.a[0]]);
			expect(new Set(chatsOf(next, appB).map(bearer))).toEqual(new Set([execution.minted.b[0]]));
			expect(nodeItems(next.run, 'Ask Batch With JWT').every((item) => item.json.answer === ANSWER)).toBe(true);
			expect(next.requests.filter((r) => r.path === '/api/permission/oauth2/token' && appOfJwt(r) !== 'wrong')).toEqual([]);
		});
	});

	it('a wrong fingerprint or region fails the item with a message that says what to check, sending no chat', () => {
		for (const execution of executions) {
			const [wrongKid] = nodeItems(execution.run, 'Wrong Fingerprint');
			const [wrongRegion] = nodeItems(execution.run, 'Wrong Region');
			expect(String(wrongKid.json.error)).toContain(
				`Coze OAuth (JWT): Coze (${new URL(emulator.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`,
			);
			expect(String(wrongRegion.json.error)).toContain(
				`Coze OAuth (JWT): Coze (${new URL(otherRegion.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`,
			);
		}
		log(`${target.name}: a wrong region in a run → ${JSON.stringify(nodeItems(executions[0].run, 'Wrong Region')[0].json)}`);
		expect(otherRegion.requests.every((r) => r.path === '/api/permission/oauth2/token')).toBe(true);
		expect(executions.flatMap((e) => e.requests).filter((r) => r.path === '/v3/chat' && appOf(r) === undefined)).toEqual([]);
	});

	describe('the credential test through n8n\'s REST API (as the editor calls it)', () => {
		let editor: Editor;
		const results: Record<string, { status: string; message: string }> = {};
		let mintsBefore = 0;
		/** Tokens minted by the credential tests themselves. */
		let mintsDuringTests = -1;
		let usersMeBefore = 0;

		let port = 0;

		beforeAll(async () => {
			// 2.x publishes workflows; 1.x activates them.
			for (const id of ['cozeE2eMintHasty1', 'cozeE2eMintPatnt1', 'cozeE2eMintBatch1']) {
				const activated = await n8n.cli(target.n8n.startsWith('1.') ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`]);
				if (activated.code !== 0) throw new Error(`activating ${id} failed:\n${activated.stdout}\n${activated.stderr}`);
			}
			port = await freePort();
			const child = await timed(`${target.name}: n8n start`, () => n8n.start(port, { N8N_LOG_LEVEL: 'debug' }));
			child.stdout?.on('data', (d: Buffer) => printed.push(d.toString()));
			child.stderr?.on('data', (d: Buffer) => printed.push(d.toString()));
			editor = new Editor(`http://127.0.0.1:${port}`);
			await editor.setupOwner();
			mintsBefore = oauth.mints;
			usersMeBefore = emulator.requestsTo('/v1/users/me').length;
			const cases: Array<[string, CredentialRef, Record<string, unknown>?]> = [
				['good', CRED.a],
				['wrongKid', CRED.wrongKid],
				['wrongRegion', CRED.wrongRegion],
				// A working credential (it holds a token) edited in the editor and saved, then tested.
				['editedKid', CRED.a, { fingerprint: 'not-the-fingerprint-of-this-key' }],
				['editedRegion', CRED.a, { fingerprint: appA.keyId, baseUrl: otherRegion.url }],
				['token', CRED.token],
				['drips', CRED.drips],
				['refused', CRED.refused],
			];
			await timed(`${target.name}: ${cases.length} credential tests`, async () => {
				for (const [key, ref, edit] of cases) {
					const { responses, result } = await editor.testCredential(ref, edit);
					printed.push(...responses);
					results[key] = result;
					log(`${target.name}: credential test ${key} → ${JSON.stringify(result)}`);
				}
			});
			mintsDuringTests = oauth.mints - mintsBefore;
		});

		it('OK for a good credential (n8n tests it with its stored token while the settings are unchanged)', () => {
			expect(results.good).toEqual({ status: 'OK', message: 'Connection successful!' });
			const [probe] = emulator.requestsTo('/v1/users/me').slice(usersMeBefore);
			expect(appOf(probe)).toBe(appA.appId);
		});

		it('a wrong fingerprint: an error naming the fingerprint and the site', () => {
			expect(results.wrongKid).toEqual({
				status: 'Error',
				message: `Coze OAuth (JWT): Coze (${new URL(emulator.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`,
			});
		});

		it('a wrong region: an error naming the site that does not know the app', () => {
			expect(results.wrongRegion).toEqual({
				status: 'Error',
				message: `Coze OAuth (JWT): Coze (${new URL(otherRegion.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`,
			});
		});

		it('the Coze API credential (token): OK against the emulator; a server that drips bytes ends at 15 s; an unreachable Base URL is named', () => {
			expect(results.token).toEqual({ status: 'OK', message: 'Connection successful!' });
			expect(results.drips).toEqual({
				status: 'Error',
				message: `Coze at ${emulator.url}/drips did not finish its answer within 15 s (it kept sending a few bytes at a time). Check the Base URL.`,
			});
			expect(results.refused.status).toBe('Error');
			expect(results.refused.message).toContain('Could not reach Coze at http://127.0.0.1:1: nothing accepts connections there (connection refused) (ECONNREFUSED)');
		});

		const call = async (path: string) => {
			const sent = Date.now();
			for (let attempt = 0; ; attempt++) {
				const response = await fetch(`http://127.0.0.1:${port}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
				const text = await response.text();
				// n8n reports ready before it has activated the workflows (1.x): a 404 means "not yet".
				if (response.status !== 404 || attempt >= 60) return { status: response.status, json: JSON.parse(text) as Record<string, unknown>, ms: Date.now() - sent };
				await new Promise((r) => setTimeout(r, 500));
			}
		};

		it('two executions share one token mint, and each leaves at its own Timeout with its own error', async () => {
			const mintsBeforeCalls = oauth.mints;
			const patient = call('mint-patient');
			await new Promise((r) => setTimeout(r, 500));
			const hasty = await call('mint-hasty');
			log(`${target.name}: shared mint → hasty ${hasty.ms} ms ${JSON.stringify(hasty.json).slice(0, 300)}`);
			expect(String(hasty.json.error)).toContain('Timed out after 1 s');
			expect(hasty.ms).toBeLessThan(SLOW_MINT_MS);
			const answered = await patient;
			log(`${target.name}: shared mint → patient ${answered.ms} ms`);
			expect(answered.json).toMatchObject({ answer: ANSWER, status: 'completed' });
			expect(oauth.mints - mintsBeforeCalls).toBe(1);
		});

		it('two items of one execution share one token mint; the one with Timeout 1 s leaves at it, saying it waited for the token', async () => {
			const mintsBeforeCall = oauth.mints;
			const batch = await call('mint-batch');
			log(`${target.name}: one execution, shared mint → ${batch.ms} ms ${JSON.stringify(batch.json).slice(0, 400)}`);
			const items = batch.json as unknown as Array<Record<string, unknown>>;
			expect(items).toHaveLength(2);
			expect(items[0]).toMatchObject({ answer: ANSWER, status: 'completed' });
			expect(items[1].error).toBe(
				`Timed out after 1 s while waiting for an access token from Coze's OAuth token endpoint at ${new URL(emulator.url).origin} (Options → Timeout)`,
			);
			expect(oauth.mints - mintsBeforeCall).toBe(1);
		});

		it('a saved credential whose fingerprint or region was changed is tested with its new settings, not its old token', () => {
			expect(results.editedKid).toEqual({
				status: 'Error',
				message: `Coze OAuth (JWT): Coze (${new URL(emulator.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`,
			});
			expect(results.editedRegion).toEqual({
				status: 'Error',
				message: `Coze OAuth (JWT): Coze (${new URL(otherRegion.url).host}) does not know this Public Key Fingerprint: check the Region and the fingerprint`,
			});
			expect(mintsDuringTests).toBe(0);
		});
	});

	it('no JWT, access token or private key text in any output, error, REST answer or n8n log', () => {
		const everything = [...printed, ...executions.map((e) => JSON.stringify(e.run))].join('\n');
		expect(everything.length).toBeGreaterThan(10_000);
		expect(everything).toContain('Connection successful!'); // the REST answers are in
		expect(everything).not.toMatch(/eyJ[\w-]{8,}\.eyJ[\w-]{8,}/);
		expect(everything).not.toMatch(/czs_[\w-]{8,}/);
		for (const app of [appA, appB]) {
			const body = app.privateKeyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
			for (const line of [body[1], body[Math.floor(body.length / 2)], body[body.length - 2]]) expect(everything).not.toContain(line);
		}
		for (const token of oauth.tokens.keys()) expect(everything).not.toContain(token);
	});
});

/** 'wrong' for a token request signed with a kid the emulator does not know. */
function appOfJwt(request: RecordedRequest): string {
	const jwt = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
	try {
		const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()) as { kid?: string };
		return header.kid === 'not-the-fingerprint-of-this-key' ? 'wrong' : String(header.kid);
	} catch {
		return 'unreadable';
	}
}
