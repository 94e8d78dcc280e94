/**
 * Variable → Get and Set in n8n-core's execution context over real sockets to the emulator (user
 * variables per bot or app, channel and user), and on a self-hosted Coze Studio, which has no such API.
 */
import { NodeApiError, type INodeParameters } from 'n8n-workflow';

import { endless, on, serverSide } from '../emulator/hostile';
import { CozeEmulator } from '../emulator/server';
import { scenarios } from '../emulator/scenarios';
import { rejectionOf, runCoze } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();
const bot = { __rl: true, mode: 'id', value: scenarios.plain.botId };
const get = (extra: INodeParameters = {}): INodeParameters => ({ resource: 'variable', operation: 'get', owner: 'bot', botId: bot, userId: 'user-1', ...extra });
const set = (values: Record<string, string>, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'variable',
	operation: 'set',
	owner: 'bot',
	botId: bot,
	userId: 'user-1',
	values: { entries: Object.entries(values).map(([key, value]) => ({ key, value })) },
	...extra,
});

describe('Variable → Get and Set', () => {
	it('reads the defaults, sets values for one user, and reads them back; other users keep their own', async () => {
		const [before] = await runCoze(emulator, get());
		expect(before.json).toMatchObject({ bot_id: scenarios.plain.botId, user_id: 'user-1', variables: { name: '', city: 'Hangzhou', membership: 'free' } });
		expect((before.json.items as Array<{ create_time: number }>).every((item) => item.create_time === 0)).toBe(true);

		const [done] = await runCoze(emulator, set({ name: 'Alice', city: 'Kyoto' }));
		expect(done.json).toEqual({ bot_id: scenarios.plain.botId, user_id: 'user-1', set: { name: 'Alice', city: 'Kyoto' } });
		const [put] = emulator.requestsTo('/v1/variables').filter((r) => r.method === 'PUT');
		expect(put.body).toEqual({
			bot_id: scenarios.plain.botId,
			connector_id: '1024',
			connector_uid: 'user-1',
			data: [{ keyword: 'name', value: 'Alice' }, { keyword: 'city', value: 'Kyoto' }],
		});

		const [after] = await runCoze(emulator, get({ keywords: 'name, city' }));
		expect(after.json.variables).toEqual({ name: 'Alice', city: 'Kyoto' });
		const read = emulator.requestsTo('/v1/variables').filter((r) => r.method === 'GET').pop();
		expect(read?.query).toMatchObject({ bot_id: scenarios.plain.botId, connector_uid: 'user-1', connector_id: '1024', keywords: 'name,city' });

		const [other] = await runCoze(emulator, get({ userId: 'user-2', keywords: 'name' }));
		expect(other.json.variables).toEqual({ name: '' });
	});

	it("says which asked names Coze does not know, and an app's variables are the app's", async () => {
		const [item] = await runCoze(emulator, get({ userId: 'user-3', keywords: 'city,shoe_size' }));
		expect(item.json.variables).toEqual({ city: 'Hangzhou' });
		expect(item.json.not_found).toEqual(['shoe_size']);
		await runCoze(emulator, set({ membership: 'gold' }, { userId: 'user-3', owner: 'app', appId: '7439000000000000001' }));
		const [app] = await runCoze(emulator, get({ userId: 'user-3', owner: 'app', appId: '7439000000000000001', keywords: 'membership' }));
		expect(app.json).toMatchObject({ app_id: '7439000000000000001', variables: { membership: 'gold' } });
		const [botSide] = await runCoze(emulator, get({ userId: 'user-3', keywords: 'membership' }));
		expect(botSide.json.variables).toEqual({ membership: 'free' });
	});

	it("an object from an expression is sent as its JSON text; Coze's refusal and an empty Values are clear errors", async () => {
		await runCoze(emulator, set({ name: '={{ { "first": "Ada" } }}' }));
		const [item] = await runCoze(emulator, get({ keywords: 'name' }));
		expect(item.json.variables).toEqual({ name: '{"first":"Ada"}' });

		const refused = await rejectionOf(runCoze(emulator, set({ shoe_size: '42' })));
		expect(refused).toBeInstanceOf(NodeApiError);
		expect(refused.message).toBe('Coze error 4000: Request parameter error: variable shoe_size does not exist');
		expect(String(refused.description)).toMatch(/logid: \w+/);

		const empty = await rejectionOf(runCoze(emulator, set({})));
		expect(empty.message).toBe('Values: add at least one variable to set (its name and value)');
		const badApp = await rejectionOf(runCoze(emulator, get({ owner: 'app', appId: 'my-app' })));
		expect(badApp.message).toMatch(/^App ID: 'my-app' is not a Coze/);
	});
});

describe('one default User ID for Variable → Get / Set and Chat → Send Message', () => {
	const memoryBot = { __rl: true, mode: 'id', value: scenarios.memoryBot.botId };
	const chat = (extra: INodeParameters = {}): INodeParameters => ({
		resource: 'chat',
		operation: 'sendMessage',
		botId: memoryBot,
		message: 'Who am I?',
		options: {},
		...extra,
	});

	it('values set for the default user (User ID left as it is) are what a chat with the default user reads', async () => {
		// No userId anywhere: each operation uses the shared default, n8n-workflow-<workflow id>.
		const [done] = await runCoze(emulator, { resource: 'variable', operation: 'set', owner: 'bot', botId: memoryBot, values: { entries: [{ key: 'name', value: 'Ada' }, { key: 'city', value: 'Kyoto' }] } });
		expect(done.json.user_id).toBe('n8n-workflow-harness-workflow');
		const [answer] = await runCoze(emulator, chat());
		expect(answer.json.answer).toBe('Hello, Ada! Your city is Kyoto.');
		const [sent] = emulator.requestsTo('/v3/chat').slice(-1);
		expect((sent.body as { user_id: string }).user_id).toBe('n8n-workflow-harness-workflow');
		const [read] = await runCoze(emulator, { resource: 'variable', operation: 'get', owner: 'bot', botId: memoryBot, keywords: 'name' });
		expect(read.json).toMatchObject({ user_id: 'n8n-workflow-harness-workflow', variables: { name: 'Ada' } });

		// A Chat Trigger session is its own user, in both operations alike.
		const session = [{ json: { sessionId: 'session-7', chatInput: 'Who am I?' } }];
		const [fresh] = await runCoze(emulator, chat(), { items: session });
		expect(fresh.json.answer).toBe('Hello, stranger! Your city is Hangzhou.');
		// Chat Trigger → Variable Set → Send Message: Set's output keeps the sessionId the default reads.
		const setOutput = await runCoze(emulator, { resource: 'variable', operation: 'set', owner: 'bot', botId: memoryBot, values: { entries: [{ key: 'name', value: 'Grace' }] } }, { items: session });
		expect(setOutput[0].json).toMatchObject({ user_id: 'session-7', sessionId: 'session-7' });
		const [known] = await runCoze(emulator, chat(), { items: setOutput });
		expect(known.json.answer).toBe('Hello, Grace! Your city is Hangzhou.');
	});

	it('an explicitly emptied User ID is still an error, not some other user', async () => {
		const error = await rejectionOf(runCoze(emulator, get({ userId: '' })));
		expect(error.message).toMatch(/User ID/);
	});
});

describe('a JSON call judges the status and media type before reading the body (Variable → Get / Set)', () => {
	// Each server sends its first bytes, then holds the connection: a node that reads error bodies
	// whole waits for the rest (until the idle limit); one that reads at most 64 KB answers at once.
	it.each([
		['GET', 'an HTTP 500 with megabytes of HTML', 500, 'text/html'],
		['PUT', 'an HTTP 502 from a proxy', 502, 'text/html; charset=utf-8'],
		['GET', 'an HTTP 200 HTML page (a captive portal)', 200, 'text/html'],
		['GET', 'an HTTP 200 outage notice in plain text', 200, 'text/plain'],
	])('%s: %s is an error at once, naming the status and the first bytes', async (method, _what, status, contentType) => {
		const seen = serverSide();
		emulator.publicRoutes.unshift(endless(on(method, '/v1/variables'), seen, { status, contentType, prefix: '<html><title>Bad Gateway</title>', maxBytes: 6 * 1024 * 1024 }));
		const parameters = method === 'GET' ? get() : set({ name: 'Alice' });
		const error = await rejectionOf(runCoze(emulator, parameters));
		expect(error.message).toContain(`Coze answered HTTP ${status}`);
		expect(error.message).toContain('Bad Gateway');
		expect(error.message).not.toMatch(/sent nothing|Timed out/);
	}, 30_000);
});

describe('Variable on a self-hosted Coze Studio', () => {
	let studio: CozeEmulator;
	beforeAll(async () => {
		studio = new CozeEmulator({ dialect: 'studio' });
		await studio.start();
	});
	afterAll(async () => studio.stop());

	it('says the server has no variables API instead of showing its web-session 401', async () => {
		const error = await rejectionOf(runCoze(studio, get()));
		expect(error.message).toMatch(/Variables are not supported by this Coze server: it has no \/v1\/variables endpoint \(self-hosted Coze Studio/);
		expect(error.message).toContain('missing session_key in cookie');
	});
});
