/**
 * Limits and echoes: the JWT mint under the item Timeout, a token endpoint that echoes the signed
 * JWT, pickers with a deadline, a page limit and clean errors, a bounded token answer, a chat stream
 * cut short, operations without a Timeout option, workflow file uploads within the Timeout. The
 * node runs in n8n-core's real engine against real sockets.
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeJwtApi } from '../../credentials/CozeJwtApi.credentials';
import { LIMITS } from '../../nodes/CozeChat/boundaries/budget';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { answer, drip, endless, hang, on, serverSide, stream, type ServerSide } from '../emulator/hostile';
import { createTestApp, OAuthEmulator, type TestApp } from '../emulator/oauth';
import { scenarios } from '../emulator/scenarios';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { HarnessCredentialsHelper, runListSearch, runNode } from '../harness';
import { rejectionOf, sendMessage } from './helpers';
import { runParams, runWorkflowNode } from './workflowHelpers';

let emulator: CozeEmulator;
let oauth: OAuthEmulator;

beforeAll(async () => {
	emulator = await startEmulator();
	oauth = OAuthEmulator.install(emulator);
});
afterAll(async () => await emulator.stop());

/** Waits (generously) for the server to see every held connection closed. */
async function allClosed(seen: ServerSide, withinMs: number): Promise<boolean> {
	for (let waited = 0; waited < withinMs; waited += 50) {
		if (seen.arrivedAt.length > 0 && seen.closedAt.length >= seen.arrivedAt.length) return true;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return false;
}

function jwtCredentials(app: TestApp): ICredentialDataDecryptedObject {
	return { region: 'custom', baseUrl: emulator.url, appId: app.appId, fingerprint: app.keyId, privateKey: app.privateKeyPem, lifetime: 86399 };
}

async function runJwt(app: TestApp, parameters: INodeParameters, options: { items?: number; continueOnFail?: boolean } = {}) {
	const store = new HarnessCredentialsHelper(new CozeJwtApi(), jwtCredentials(app));
	const { items } = await runNode({
		node: new CozeChat(),
		credentialType: new CozeJwtApi(),
		credentials: {},
		credentialsHelper: store,
		parameters: { ...parameters, authentication: 'jwt' },
		items: options.items ? Array.from({ length: options.items }, (_, i) => ({ json: { i } })) : undefined,
		continueOnFail: options.continueOnFail,
	});
	return items;
}

describe('the JWT mint runs under the item Timeout', () => {
	afterEach(() => {
		emulator.publicRoutes.splice(0, emulator.publicRoutes.length - 1); // keep the OAuth route (pushed last by install)
	});

	it('a token endpoint that accepts the request and never answers: the item times out, the socket is closed', async () => {
		const app = createTestApp('pkcs8');
		oauth.registerApp(app);
		const seen = serverSide();
		emulator.publicRoutes.unshift(hang(on('POST', '/api/permission/oauth2/token'), seen));
		const error = await rejectionOf(runJwt(app, sendMessage(scenarios.plain.botId, { options: { timeout: 1 } })));
		expect(error.message).toContain('Timed out after 1 s');
		expect(error.message).toContain("while getting an access token from Coze's OAuth token endpoint");
		// n8n's own request timeout for the token call is 30 s: closed long before it.
		expect(await allClosed(seen, 15_000)).toBe(true);
	});

	it('items in parallel waiting for that mint fail at their own Timeout too (Continue On Fail)', async () => {
		const app = createTestApp('pkcs8');
		oauth.registerApp(app);
		const seen = serverSide();
		emulator.publicRoutes.unshift(hang(on('POST', '/api/permission/oauth2/token'), seen));
		const items = await runJwt(app, sendMessage(scenarios.plain.botId, { options: { timeout: 1, concurrency: 4 } }), { items: 4, continueOnFail: true });
		expect(items).toHaveLength(4);
		for (const [index, item] of items.entries()) {
			expect(item.pairedItem).toEqual({ item: index });
			expect(String(item.json.error)).toContain('Timed out after 1 s');
		}
		expect(await allClosed(seen, 15_000)).toBe(true);
	});
});

describe('a token endpoint that echoes the signed JWT in odd places', () => {
	afterEach(() => {
		emulator.publicRoutes.splice(0, emulator.publicRoutes.length - 1);
	});

	it('in its log id header and its error_code: neither the error nor the error item shows it', async () => {
		const app = createTestApp('pkcs8');
		oauth.registerApp(app);
		const jwts: string[] = [];
		emulator.publicRoutes.unshift(answer(on('POST', '/api/permission/oauth2/token'), (request) => {
			const jwt = String(request.req.headers.authorization).slice('Bearer '.length);
			jwts.push(jwt);
			return { status: 401, contentType: 'application/json', headers: { 'x-tt-logid': `log-${jwt}` }, body: JSON.stringify({ error_code: jwt, error_message: 'bad' }) };
		}));
		const error = await rejectionOf(runJwt(app, sendMessage(scenarios.plain.botId)));
		const shown = JSON.stringify({ message: error.message, description: error.description, context: error.context, stack: error.stack });
		expect(jwts.length).toBeGreaterThan(0);
		expect(jwts[0]).toMatch(/^eyJ/);
		expect(shown).toContain('Coze OAuth (JWT)');
		for (const jwt of jwts) expect(shown).not.toContain(jwt.split('.')[2]);
		const [item] = await runJwt(app, sendMessage(scenarios.plain.botId), { continueOnFail: true });
		for (const jwt of jwts) expect(JSON.stringify(item.json)).not.toContain(jwt.split('.')[2]);
	});
});

describe('pickers have a deadline of their own (no item Timeout applies to them)', () => {
	const pickerMs = LIMITS.pickerMs;
	beforeAll(() => (LIMITS.pickerMs = 2000));
	afterAll(() => (LIMITS.pickerMs = pickerMs));
	afterEach(() => {
		emulator.publicRoutes.splice(0, emulator.publicRoutes.length - 1);
	});

	it('a list that drips one byte at a time, never silent and never done: the picker fails and the socket is closed', async () => {
		const seen = serverSide();
		emulator.publicRoutes.unshift(drip(on('GET', '/v1/workspaces'), seen, { contentType: 'application/json', prefix: '{"code":0,"data":{"workspaces":[', everyMs: 200 }));
		const error = await rejectionOf(
			runListSearch({
				node: new CozeChat(),
				credentialType: new CozeApi(),
				credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
				method: 'searchBots',
			}),
		);
		expect(error.message).toContain('Timed out after 2 s while reading Coze');
		expect(error.message).toContain('/v1/workspaces');
		expect(await allClosed(seen, 15_000)).toBe(true);
	});
});

describe('pickers keep secrets out of their errors and stop paginating', () => {
	afterEach(() => {
		emulator.publicRoutes.splice(0, emulator.publicRoutes.length - 1);
	});
	const pick = (method: string, accessToken = EMULATOR_TOKEN) =>
		runListSearch({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: { region: 'custom', baseUrl: emulator.url, accessToken },
			method,
		});

	it.each(['searchWorkflows', 'searchChatflows', 'searchBots'])('%s: a server that echoes the token in its error', async (method) => {
		emulator.publicRoutes.unshift(answer(on('GET', '/v1/workspaces'), (request) => ({
			status: 400,
			contentType: 'application/json',
			body: JSON.stringify({ code: 4000, msg: `bad request for ${String(request.req.headers.authorization)}` }),
		})));
		const error = await rejectionOf(pick(method));
		const shown = JSON.stringify({ message: error.message, description: error.description, context: error.context, stack: error.stack });
		expect(shown).toContain('Coze error 4000');
		expect(shown).not.toContain(EMULATOR_TOKEN);
	});

	it('searchWorkflows: a server that always says has_more stops after a bounded number of pages', async () => {
		const seen = serverSide();
		emulator.publicRoutes.unshift(answer(on('GET', '/v1/workflows'), () => ({
			status: 200,
			contentType: 'application/json',
			body: JSON.stringify({ code: 0, data: { items: [], has_more: true } }),
		}), seen));
		const page = await pick('searchWorkflows');
		expect(page.results).toEqual([]);
		expect(seen.hits).toBeLessThanOrEqual(100);
	});
});

describe('the token answer is read within a limit', () => {
	afterEach(() => {
		emulator.publicRoutes.splice(0, emulator.publicRoutes.length - 1);
	});

	it('a token endpoint that sends an endless JSON body: the mint fails at once and the socket is closed', async () => {
		const app = createTestApp('pkcs8');
		oauth.registerApp(app);
		const seen = serverSide();
		emulator.publicRoutes.unshift(endless(on('POST', '/api/permission/oauth2/token'), seen, { contentType: 'application/json', prefix: '{"access_token":"czs_', maxBytes: 200 * 1024 * 1024 }));
		const error = await rejectionOf(runJwt(app, sendMessage(scenarios.plain.botId)));
		expect(error.message).toContain('Coze OAuth (JWT)');
		expect(error.message).toContain('larger than');
		expect(error.message).not.toContain('czs_');
		expect(await allClosed(seen, 15_000)).toBe(true);
	});
});

describe('pickers with the OAuth JWT credential', () => {
	it.each(['searchBots', 'searchWorkflows'])('%s lists through the JWT credential', async (method) => {
		const app = createTestApp('pkcs8');
		oauth.registerApp(app);
		const page = await runListSearch({
			node: new CozeChat(),
			credentialType: new CozeJwtApi(),
			credentials: jwtCredentials(app),
			parameters: { authentication: 'jwt' },
			method,
		});
		expect(page.results.length).toBeGreaterThan(0);
	});
});

describe('a chat stream cut short is never presented as complete', () => {
	afterEach(() => {
		emulator.publicRoutes.splice(0, emulator.publicRoutes.length - 1);
	});
	const created = { id: '7382159487131697209', conversation_id: '7382159487131697216', bot_id: scenarios.plain.botId, status: 'created' };
	const run = (extra = {}) =>
		runNode({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
			parameters: sendMessage(scenarios.plain.botId, { options: { timeout: 5, pollInterval: 0.1, ...extra } }),
		});

	it.each([
		['deltas, then the connection ends (no completed, no done)', [
			{ event: 'conversation.chat.created', data: created },
			{ event: 'conversation.message.delta', data: { id: '7382159487131697300', type: 'answer', role: 'assistant', content: 'half an ans', content_type: 'text', chat_id: created.id } },
		]],
		['a completed message, then done without chat.completed', [
			{ event: 'conversation.chat.created', data: created },
			{ event: 'conversation.message.completed', data: { id: '7382159487131697300', type: 'answer', role: 'assistant', content: 'half an ans', content_type: 'text', chat_id: created.id } },
			{ event: 'done', data: '"[DONE]"' },
		]],
	])('%s', async (_name, events) => {
		emulator.publicRoutes.unshift(stream(on('POST', '/v3/chat'), events, 'text/event-stream'));
		const outcome = await run().then((r) => r.items[0].json, (error: Error) => error);
		if (!(outcome instanceof Error)) {
			// Recovered by polling Coze (the emulator knows no such chat): the answer must not be the fragment.
			expect(outcome.answer).not.toBe('half an ans');
		} else {
			expect(outcome.message).toMatch(/ended|broke|done|retrieve|not found|4200|chat/i);
		}
	});
});

describe('operations without a Timeout option still have a time limit', () => {
	const operationMs = LIMITS.operationMs;
	beforeAll(() => (LIMITS.operationMs = 2000));
	afterAll(() => (LIMITS.operationMs = operationMs));
	afterEach(() => {
		emulator.publicRoutes.splice(0, emulator.publicRoutes.length - 1);
	});
	const runPlain = (parameters: INodeParameters, binary = false) =>
		runNode({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
			parameters,
			items: binary ? [{ json: {}, binary: { data: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain', fileName: 'hello.txt' } } }] : undefined,
			continueOnFail: true,
		});

	it.each([
		['File → Upload', 'POST', '/v1/files/upload', { resource: 'file', operation: 'upload', binaryPropertyName: 'data' }, true, 'reading'],
		['Conversation → Create', 'POST', '/v1/conversation/create', { resource: 'conversation', operation: 'create' }, false, 'reading'],
	] as const)('%s against a server that drips its answer: the item fails naming the limit, the socket is closed', async (_name, method, path, parameters, binary, phase) => {
		const seen = serverSide();
		emulator.publicRoutes.unshift(drip(on(method, path), seen, { contentType: 'application/json', prefix: '{"code":0,"data":{"id":"', everyMs: 200 }));
		const { items } = await runPlain(parameters as unknown as INodeParameters, binary);
		expect(String(items[0].json.error)).toContain('Timed out after 2 s');
		expect(String(items[0].json.error)).toContain(phase);
		expect(String(items[0].json.error)).toContain('time limit of operations without a Timeout option');
		expect(await allClosed(seen, 15_000)).toBe(true);
	});
});

describe('workflow file parameters are uploaded within the item Timeout', () => {
	afterEach(() => {
		emulator.publicRoutes.splice(0, emulator.publicRoutes.length - 1);
	});

	it('Workflow → Run with a file parameter whose upload never answers: the item fails at its Timeout', async () => {
		const seen = serverSide();
		emulator.publicRoutes.unshift(hang(on('POST', '/v1/files/upload'), seen));
		const [item] = await runWorkflowNode(
			emulator,
			runParams('echo', { options: { timeout: 1, fileParameters: { entries: [{ name: 'image', binaryField: 'data' }] } } }),
			{ items: [{ json: {}, binary: { data: { data: Buffer.from('png').toString('base64'), mimeType: 'image/png', fileName: 'pixel.png' } } }], continueOnFail: true },
		);
		expect(String(item.json.error)).toContain("Timed out after 1 s while uploading 'pixel.png'");
		expect(await allClosed(seen, 15_000)).toBe(true);
	});
});
