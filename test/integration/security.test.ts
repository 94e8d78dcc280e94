/**
 * Hostile and failing servers (issue 8): the node runs in n8n-core's real execution engine and
 * talks over real sockets to an emulator whose routes misbehave. What the node did is asserted
 * from the server side: which listener got the token, when the client closed the socket.
 */
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { LIMITS } from '../../nodes/CozeChat/boundaries/budget';
import { answer, drip, endless, hang, on, redirect, serverSide, silentStream, stream } from '../emulator/hostile';
import { scenarios } from '../emulator/scenarios';
import { rejectionOf, runCoze, sendMessage, testCozeCredential } from './helpers';

let emulator: CozeEmulator;
/** A second listener on another port: the "other host" redirects point to. */
let elsewhere: CozeEmulator;

beforeAll(async () => {
	emulator = await startEmulator();
	elsewhere = await startEmulator();
});
afterAll(async () => {
	await emulator.stop();
	await elsewhere.stop();
});
beforeEach(() => {
	emulator.publicRoutes.length = 0;
	emulator.requests.length = 0;
	elsewhere.requests.length = 0;
});

const CHAT_CREATED = {
	event: 'conversation.chat.created',
	data: { id: '7382159487131697209', conversation_id: '7382159487131697216', bot_id: scenarios.plain.botId, status: 'created' },
};

/** Waits (a little) for the server to notice the client closed its connection. */
async function closed(seen: ReturnType<typeof serverSide>): Promise<number[]> {
	for (let i = 0; i < 100 && seen.closedAt.length < seen.arrivedAt.length; i++) await new Promise((r) => setTimeout(r, 20));
	return seen.closedAt;
}

/** How long after `started` the server saw its one connection closed. */
async function closedAfter(seen: ReturnType<typeof serverSide>, started: number): Promise<number> {
	expect(await closed(seen)).toHaveLength(1);
	return seen.closedAt[0] - started;
}

describe('redirects never carry the token to another host', () => {
	it.each([307, 308, 302])('a %i on POST /v3/chat to another host fails, naming both hosts', async (status) => {
		emulator.publicRoutes.push(redirect(on('POST', '/v3/chat'), elsewhere.url, status));
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId)));
		expect(error.message).toContain(emulator.url);
		expect(error.message).toContain(elsewhere.url);
		expect(error.message).toContain('does not follow redirects');
		expect(elsewhere.requests).toHaveLength(0);
	});

	it('a redirect of a poll (retrieve) to another host fails the same way', async () => {
		emulator.publicRoutes.push(redirect(on('GET', '/v3/chat/retrieve'), elsewhere.url, 302));
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { stream: false, pollInterval: 0.1 } })),
		);
		expect(error.message).toContain(elsewhere.url);
		expect(elsewhere.requests).toHaveLength(0);
	});

	it('a redirect within the same origin is followed, with the token', async () => {
		emulator.publicRoutes.push((request) => {
			if (request.path !== '/old/v3/chat') return false;
			request.res.writeHead(307, { Location: '/v3/chat' });
			request.res.end();
			return true;
		});
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId), { baseUrl: `${emulator.url}/old` });
		expect(item.json.answer).toBe('2024 年 10 月 1 日是星期二。');
		const [post] = emulator.requestsTo('/v3/chat');
		expect(post.headers.authorization).toBe(`Bearer ${EMULATOR_TOKEN}`);
	});

	it('the credential test does not follow a redirect either', async () => {
		emulator.publicRoutes.push(redirect(on('GET', '/v1/conversations'), elsewhere.url, 307)); // the custom base URL's probe
		const result = await testCozeCredential({ region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN });
		expect(result.status).toBe('Error');
		expect(result.message).toContain('redirect');
		expect(elsewhere.requests).toHaveLength(0);
	});
});

describe('Timeout is a hard limit in every phase', () => {
	it('a server that accepts the POST and never answers: the socket is closed at the Timeout', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(hang(on('POST', '/v3/chat'), seen));
		const started = Date.now();
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { timeout: 1 } })));
		expect(error.message).toContain('Timed out after 1 s while connecting to Coze');
		const closedAt = await closedAfter(seen, started);
		expect(closedAt).toBeGreaterThanOrEqual(900);
		expect(closedAt).toBeLessThan(10_000);
	});

	it('a stream that goes silent after chat.created: socket closed, chat canceled, phase named', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(silentStream(on('POST', '/v3/chat'), [CHAT_CREATED], seen));
		const cancel = serverSide();
		emulator.publicRoutes.push(answer(on('POST', '/v3/chat/cancel'), () => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ code: 0, msg: '', data: { ...CHAT_CREATED.data, status: 'canceled' } }) }), cancel));
		const started = Date.now();
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { timeout: 1 } })));
		expect(error.message).toContain('Timed out after 1 s while receiving the answer');
		expect(error.message).toContain('it was canceled');
		expect(await closedAfter(seen, started)).toBeLessThan(10_000);
		expect(cancel.hits).toBe(1);
	});

	it('a poll (retrieve) that never answers, in non-stream mode', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(hang(on('GET', '/v3/chat/retrieve'), seen));
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { stream: false, timeout: 1, pollInterval: 0.1 } })),
		);
		expect(error.message).toContain('Timed out after 1 s while polling the chat');
		expect((await closed(seen)).length).toBeGreaterThanOrEqual(1);
		expect(emulator.requestsTo('/v3/chat/cancel')).toHaveLength(1);
	});

	it('an upload that never answers', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(hang(on('POST', '/v1/files/upload'), seen));
		const items = [{ json: {}, binary: { data: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' } } }];
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.vision.botId, { options: { timeout: 1, binaryProperties: 'data' } }), { items }),
		);
		expect(error.message).toContain("Timed out after 1 s while uploading 'a.txt'");
		expect(await closed(seen)).toHaveLength(1);
		expect(emulator.requestsTo('/v3/chat')).toHaveLength(0);
	});

	it("n8n's execution cancel closes a silent stream and cancels the chat", async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(silentStream(on('POST', '/v3/chat'), [CHAT_CREATED], seen));
		const cancel = serverSide();
		emulator.publicRoutes.push(answer(on('POST', '/v3/chat/cancel'), () => ({ status: 200, contentType: 'application/json', body: '{"code":0,"msg":"","data":{}}' }), cancel));
		const controller = new AbortController();
		const run = runCoze(emulator, sendMessage(scenarios.plain.botId), { abortSignal: controller.signal });
		while (seen.arrivedAt.length === 0) await new Promise((r) => setTimeout(r, 20));
		await new Promise((r) => setTimeout(r, 100));
		const canceledAt = Date.now();
		controller.abort();
		const error = await rejectionOf(run);
		expect(error.message).toContain('The execution was canceled while receiving the answer');
		expect(error.message).toContain('the chat was canceled');
		expect(await closedAfter(seen, canceledAt)).toBeLessThan(2000);
		expect(cancel.hits).toBe(1);
	});
});

describe('secrets never appear in errors or outputs, even when a server echoes them', () => {
	const echo = (text: (token: string) => string) => (request: { req: { headers: Record<string, unknown> } }) =>
		text(String(request.req.headers.authorization ?? ''));

	it.each([
		['a 401 JSON body', on('POST', '/v3/chat'), (r: Parameters<ReturnType<typeof echo>>[0]) => ({ status: 401, contentType: 'application/json', body: JSON.stringify({ code: 4100, msg: `invalid token: ${echo((t) => t)(r)}` }) })],
		['an HTML 502 page', on('POST', '/v3/chat'), (r: Parameters<ReturnType<typeof echo>>[0]) => ({ status: 502, contentType: 'text/html', body: `<html><body>Bad gateway for ${echo((t) => t)(r)}</body></html>` })],
		['an SSE error event', on('POST', '/v3/chat'), (r: Parameters<ReturnType<typeof echo>>[0]) => ({ status: 200, contentType: 'text/event-stream', body: `event:error\ndata:${JSON.stringify({ code: 4101, msg: `token ${echo((t) => t.slice(7))(r)} has no permission` })}\n\n` })],
		['chat.failed', on('POST', '/v3/chat'), (r: Parameters<ReturnType<typeof echo>>[0]) => ({ status: 200, contentType: 'text/event-stream', body: `event:conversation.chat.failed\ndata:${JSON.stringify({ ...CHAT_CREATED.data, status: 'failed', last_error: { code: 5000, msg: `upstream rejected ${echo((t) => t.slice(7))(r)}` } })}\n\n` })],
	])('%s', async (_name, match, build) => {
		emulator.publicRoutes.push(answer(match, build as never));
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId)));
		const shown = JSON.stringify({ message: error.message, description: error.description, context: error.context, stack: error.stack });
		expect(shown).not.toContain(EMULATOR_TOKEN);
		expect(shown).toContain('[redacted]');
		// With Continue On Fail the error item is clean too.
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId), { continueOnFail: true });
		expect(JSON.stringify(item.json)).not.toContain(EMULATOR_TOKEN);
	});

	it('an answer that echoes the token is output redacted', async () => {
		emulator.publicRoutes.push(answer(on('POST', '/v3/chat'), (r) => {
			const token = String(r.req.headers.authorization).slice(7);
			const events = [
				CHAT_CREATED,
				{ event: 'conversation.message.completed', data: { id: '7382159487131697300', type: 'answer', role: 'assistant', content: `your token is ${token}`, content_type: 'text' } },
				{ event: 'conversation.chat.completed', data: { ...CHAT_CREATED.data, status: 'completed' } },
				{ event: 'done', data: '"[DONE]"' },
			];
			return { status: 200, contentType: 'text/event-stream', body: events.map((e) => `event:${e.event}\ndata:${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`).join('') };
		}));
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
		expect(item.json.answer).toBe('your token is [redacted]');
	});
});

describe('memory stays bounded', () => {
	it('an SSE line that never ends fails at once and the connection is closed', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(endless(on('POST', '/v3/chat'), seen, { contentType: 'text/event-stream', prefix: 'event:conversation.message.delta\ndata:', maxBytes: 200 * 1024 * 1024 }));
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId)));
		expect(error.message).toContain('longer than 8 MB');
		expect(await closed(seen)).toHaveLength(1);
	});

	it('a JSON answer beyond the limit fails and the connection is closed', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(endless(on('GET', '/v3/chat/retrieve'), seen, { contentType: 'application/json', prefix: '{"code":0,"data":"', maxBytes: 200 * 1024 * 1024 }));
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { stream: false, pollInterval: 0.1 } })),
		);
		expect(error.message).toContain('larger than 16 MB');
		expect((await closed(seen)).length).toBeGreaterThanOrEqual(1);
	});
});

describe('headers are read as HTTP says', () => {
	it('accepts Content-Type: Text/Event-Stream', async () => {
		emulator.publicRoutes.push(stream(on('POST', '/v3/chat'), [
			CHAT_CREATED,
			{ event: 'conversation.message.completed', data: { id: '7382159487131697301', type: 'answer', role: 'assistant', content: 'odd casing is fine', content_type: 'text' } },
			{ event: 'conversation.chat.completed', data: { ...CHAT_CREATED.data, status: 'completed' } },
		], 'Text/Event-Stream; Charset=UTF-8'));
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
		expect(item.json.answer).toBe('odd casing is fine');
	});
});

describe('the credential test ends, whatever the server does', () => {
	const credentialTestMs = LIMITS.credentialTestMs;
	beforeAll(() => (LIMITS.credentialTestMs = 2000));
	afterAll(() => (LIMITS.credentialTestMs = credentialTestMs));
	const credentials = (baseUrl: string, accessToken = EMULATOR_TOKEN) => ({ region: 'custom', baseUrl, accessToken });

	it('a server that drips one byte at a time, never silent and never done: the test fails at its limit and the socket is closed', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(drip(on('GET', '/v1/conversations'), seen, { contentType: 'application/json', prefix: '{"code":0,"data":{"conversations":[', everyMs: 100 }));
		const started = Date.now();
		const result = await testCozeCredential(credentials(emulator.url));
		expect(Date.now() - started).toBeLessThan(4000);
		expect(result).toMatchObject({ status: 'Error', message: expect.stringContaining('did not finish its answer within 2 s') });
		expect(await closed(seen)).toHaveLength(1);
	});

	it('a server that accepts the connection and never answers', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(hang(on('GET', '/v1/conversations'), seen));
		const result = await testCozeCredential(credentials(emulator.url));
		expect(result).toMatchObject({ status: 'Error', message: expect.stringContaining('did not answer within 2 s') });
	});

	it('an unreachable Base URL is named, with what to check (not a bare ECONNREFUSED)', async () => {
		const result = await testCozeCredential(credentials('http://127.0.0.1:1'));
		expect(result.status).toBe('Error');
		expect(result.message).toBe(
			'Could not reach Coze at http://127.0.0.1:1: nothing accepts connections there (connection refused) (ECONNREFUSED). Check the Base URL (host, port, http:// or https://) and that the Coze server is running and reachable from n8n.',
		);
	});

	it('a server that echoes the token: the verdict does not show it', async () => {
		emulator.publicRoutes.push(answer(on('GET', '/v1/conversations'), (request) => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ code: 4100, msg: `token ${String(request.req.headers.authorization)} invalid` }) })));
		const result = await testCozeCredential(credentials(emulator.url));
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain(EMULATOR_TOKEN);
		expect(result.message).toContain('Coze error 4100');
	});
});
