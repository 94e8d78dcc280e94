/**
 * Issue 9 rows that live in the transport and the credential: C1 (a rejection as bare JSON under
 * text/event-stream, or a stream with no event), C8 (4013 on idempotent reads) and D3 (the
 * credential test against Coze Studio).
 */
import { scenarios } from '../emulator/scenarios';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { rejectionOf, runCoze, sendMessage, testCozeCredential } from './helpers';

let cloud: CozeEmulator;
let studio: CozeEmulator;

beforeAll(async () => {
	cloud = await startEmulator();
	studio = await startEmulator({ dialect: 'studio' });
});
afterAll(async () => {
	await cloud.stop();
	await studio.stop();
});
beforeEach(() => {
	cloud.requests.length = 0;
});

describe('C1: stream requests that carry no event', () => {
	it('a rejection sent as bare JSON under text/event-stream surfaces code, msg and hint', async () => {
		cloud.failNext('/v3/chat', 1, 200, { contentType: 'text/event-stream', body: '{"code":4100,"msg":"authentication is invalid"}' });
		const error = await rejectionOf(runCoze(cloud, sendMessage(scenarios.plain.botId)));
		expect(error.message).toBe('Coze error 4100: authentication is invalid');
		// The emulator is a custom Base URL: the hint speaks of that server, not of coze.cn vs coze.com.
		expect(String(error.description)).toContain('a token created on that server');
		expect(cloud.requestsTo('/v3/chat')).toHaveLength(1);
	});

	it('a stream with no events says what is known instead of "ended before the chat started"', async () => {
		cloud.failNext('/v3/chat', 1, 200, { contentType: 'text/event-stream', body: '' });
		const error = await rejectionOf(runCoze(cloud, sendMessage(scenarios.plain.botId)));
		expect(error.message).toContain('HTTP 200');
		expect(error.message).toContain('/v3/chat');
		expect(String(error.description)).toMatch(/logid: \w+EMU/);
	});
});

describe('C8: 4013 with HTTP 200', () => {
	const rateLimited = { contentType: 'application/json', body: '{"code":4013,"msg":"Request rate exceeded, please try again later"}' };

	it('retries a transient 4013 (HTTP 200) on an idempotent read, and the answer still arrives', async () => {
		cloud.failNext('/v3/chat/retrieve', 2, 200, rateLimited);
		const [item] = await runCoze(cloud, sendMessage(scenarios.plain.botId, { options: { stream: false, pollInterval: 0.1 } }));
		expect(item.json.answer).toBe('2024 年 10 月 1 日是星期二。');
		expect(cloud.requestsTo('/v3/chat/retrieve').length).toBeGreaterThanOrEqual(3);
		expect(cloud.requestsTo('/v3/chat')).toHaveLength(1);
	});

	it('a 4013 on POST /v3/chat (nothing created) is sent again, and one chat is created', async () => {
		const before = cloud.chatIds.length;
		cloud.failNext('/v3/chat', 1, 200, rateLimited);
		const [item] = await runCoze(cloud, sendMessage(scenarios.plain.botId));
		expect(item.json.answer).toBe('2024 年 10 月 1 日是星期二。');
		expect(cloud.requestsTo('/v3/chat')).toHaveLength(2);
		expect(cloud.chatIds.length - before).toBe(1);
	});
});

describe('D3: the credential test against Coze Studio', () => {
	const credentials = (emulator: CozeEmulator, token: string) => ({ region: 'custom', baseUrl: emulator.url, accessToken: token });

	it('passes with a valid token', async () => {
		expect(await testCozeCredential(credentials(studio, EMULATOR_TOKEN))).toMatchObject({ status: 'OK' });
	});

	it('fails with a bad token, naming it a bad token', async () => {
		const result = await testCozeCredential(credentials(studio, 'pat_wrong'));
		expect(result.status).toBe('Error');
		expect(result.message).toContain('700012006');
	});

	it('still passes against the cloud dialect', async () => {
		expect(await testCozeCredential(credentials(cloud, EMULATOR_TOKEN))).toMatchObject({ status: 'OK' });
	});
});
