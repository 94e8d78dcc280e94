/**
 * The real cloud shapes of coze-fidelity.md rows A, B and C, run through the node in n8n-core's
 * execution engine against the emulator, which now sends them.
 */
import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { scenarios } from '../emulator/scenarios';
import { EMULATOR_TOKEN, type EmulatorRoute } from '../emulator/server';
import { runListSearch } from '../harness';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();
beforeEach(() => {
	emulator.botPageCap = Infinity;
});

const nonStream = { stream: false, pollInterval: 0.1 };

describe('A1/B2: a client-side tool turn', () => {
	it.each([
		['stream', {}],
		['non-stream', nonStream],
	])('reports the pending ts-… call only in required_action (%s)', async (_mode, options) => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId, { options: { ...options, includeMessages: true } }));
		expect(item.json).toMatchObject({
			status: 'requires_action',
			tool_calls: [],
			required_action: { tool_calls: [{ name: 'local_data_assistant', arguments: { location: '南京', type: 0 } }] },
		});
		// The function_call is still there for whoever wants the raw messages (stream mode only:
		// a requires_action chat is not listed when polled).
		if (!('stream' in options)) {
			expect((item.json.messages as Array<{ type: string }>).map((m) => m.type)).toEqual(['function_call', 'verbose']);
		}
	});

	it('A2: Submit Tool Outputs reads the continuation that echoes the tool output first', async () => {
		const [asked] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId));
		const callId = (asked.json.required_action as { tool_calls: Array<{ id: string }> }).tool_calls[0].id;
		const [item] = await runCoze(emulator, {
			resource: 'chat',
			operation: 'submitToolOutputs',
			conversationId: asked.json.conversation_id as string,
			chatId: asked.json.chat_id as string,
			toolOutputs: { entries: [{ toolCallId: callId, output: 'rain' }] },
			options: { includeMessages: true },
		});
		expect(item.json).toMatchObject({ status: 'completed', answer: 'According to local_data_assistant: rain', tool_calls: [] });
		expect((item.json.messages as Array<{ type: string; content: string }>)[0]).toMatchObject({ type: 'tool_response', content: 'rain' });
		// List Messages afterwards (the whole chat: the earlier ts-… call and the echo) agrees.
		const [listed] = await runCoze(emulator, {
			resource: 'chat',
			operation: 'listMessages',
			conversationId: asked.json.conversation_id as string,
			chatId: asked.json.chat_id as string,
		});
		expect(listed.json).toMatchObject({ answer: 'According to local_data_assistant: rain', tool_calls: [] });
	});
});

describe('C6: a non-stream Submit Tool Outputs answered with a bare Message object', () => {
	// docs.coze.cn "use local plugin" (处理本地文件) shows the non-stream answer as a bare Message
	// (no envelope, its `id` a message id); other examples show {data: Chat, code: 0}. Be liberal: the
	// chat is known from the request, so it is polled by that id whatever the answer's shape.
	it('polls the submitted chat (not the message id) and returns its answer', async () => {
		const bare: EmulatorRoute = async ({ req, method, path, query, body, res }) => {
			if (req.headers['x-bare-message'] || method !== 'POST' || path !== '/v3/chat/submit_tool_outputs' || (body as { stream?: boolean }).stream !== false) return false;
			// Let the emulator do the real work, then answer as the docs example does.
			const real = await fetch(`${emulator.url}${path}?${new URLSearchParams(query).toString()}`, {
				method: 'POST',
				headers: { authorization: `Bearer ${EMULATOR_TOKEN}`, 'content-type': 'application/json', 'x-bare-message': '1' },
				body: JSON.stringify(body),
			});
			const chat = ((await real.json()) as { data: { id: string; conversation_id: string; bot_id: string } }).data;
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ id: '7448000000000000999', conversation_id: chat.conversation_id, bot_id: chat.bot_id, chat_id: chat.id, role: 'assistant', type: 'tool_response', content: 'rain', content_type: 'text' }));
			return true;
		};
		emulator.routes.unshift(bare);
		try {
			const [asked] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId));
			const callId = (asked.json.required_action as { tool_calls: Array<{ id: string }> }).tool_calls[0].id;
			const [item] = await runCoze(emulator, {
				resource: 'chat',
				operation: 'submitToolOutputs',
				conversationId: asked.json.conversation_id as string,
				chatId: asked.json.chat_id as string,
				toolOutputs: { entries: [{ toolCallId: callId, output: 'rain' }] },
				options: nonStream,
			});
			expect(item.json).toMatchObject({ status: 'completed', chat_id: asked.json.chat_id, answer: 'According to local_data_assistant: rain' });
		} finally {
			emulator.routes.splice(emulator.routes.indexOf(bare), 1);
		}
	});
});

describe('A3: completed text that differs from the deltas', () => {
	it('the item holds the completed text; a streaming caller gets the deltas, then a blank line and the completed text', async () => {
		const chunks: Array<{ type: string; content?: string }> = [];
		const [item] = await runCoze(emulator, sendMessage(scenarios.revisedAnswer.botId), { onChunk: (c) => chunks.push(c) });
		expect(item.json.answer).toBe('明天南京降雨概率为50%。');
		expect(chunks.map((c) => c.type)).toEqual(['begin', 'item', 'item', 'item', 'item', 'item', 'end']);
		const live = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
		expect(live).toBe('明天南京降雨概率为50$\\%$。\n\n明天南京降雨概率为50%。');
		expect(live.endsWith(item.json.answer as string)).toBe(true);
	});

	it('several answers stream exactly as the item joins them', async () => {
		const chunks: Array<{ type: string; content?: string }> = [];
		const [item] = await runCoze(emulator, sendMessage(scenarios.multiAnswer.botId), { onChunk: (c) => chunks.push(c) });
		expect(chunks.filter((c) => c.type === 'item').map((c) => c.content).join('')).toBe(item.json.answer);
	});

	it('non-stream mode streams the answer in one piece', async () => {
		const chunks: Array<{ type: string; content?: string }> = [];
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId, { options: nonStream }), { onChunk: (c) => chunks.push(c) });
		expect(chunks).toEqual([
			expect.objectContaining({ type: 'begin' }),
			expect.objectContaining({ type: 'item', content: item.json.answer }),
			expect.objectContaining({ type: 'end' }),
		]);
	});
});

describe('A4/B3: a failed chat (quota used up)', () => {
	it('fails with code 4028, its message and a hint; its message list has no data and reads as empty', async () => {
		const [failed] = await runCoze(emulator, sendMessage(scenarios.quotaExceeded.botId), { continueOnFail: true });
		expect(failed.json).toMatchObject({ code: 4028, error: expect.stringContaining('Your free quota has been used up') });
		expect(failed.json.description).toContain('quota is used up');
		const chat = { conversationId: failed.json.conversation_id as string, chatId: failed.json.chat_id as string };
		const [retrieved] = await runCoze(emulator, { resource: 'chat', operation: 'retrieve', ...chat, options: { includeMessages: true } });
		expect(retrieved.json).toMatchObject({ status: 'failed', last_error: { code: 4028 }, messages: [] });
		const [listed] = await runCoze(emulator, { resource: 'chat', operation: 'listMessages', ...chat });
		expect(listed.json).toMatchObject({ status: 'failed', messages: [] });
	});

	it('non-stream mode fails at once with the chat\'s last_error', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.quotaExceeded.botId, { options: nonStream })));
		expect(error.message).toBe(
			'Coze error 4028: The Coze chat failed: Your free quota has been used up. Please upgrade to a paid plan to continue: https://console.volcengine.com/coze-pro',
		);
		expect(emulator.requestsTo('/v3/chat/message/list')).toHaveLength(0);
	});
});

describe('A5/A6 and C4', () => {
	it('A5: audio deltas after completion leave the answer alone; an error event with {} still gives a message', async () => {
		const [voice] = await runCoze(emulator, sendMessage(scenarios.voice.botId));
		expect(voice.json).toMatchObject({ answer: 'Hello there.', usage: { token_count: 633 } });
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.errorEmpty.botId)));
		expect(error.message).toBe('Coze sent an error event with no message (data: {})');
	});

	it('A6: a non-stream create answers in_progress without usage; the item still has the real usage', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId, { options: nonStream }));
		expect(item.json.usage).toEqual({ token_count: 633, output_count: 19, input_count: 614 });
	});

	it('A6: pass-through conversation fields arrive untouched', async () => {
		const [created] = await runCoze(emulator, { resource: 'conversation', operation: 'create', botId: { __rl: true, mode: 'id', value: scenarios.plain.botId }, options: {} });
		const [got] = await runCoze(emulator, { resource: 'conversation', operation: 'get', conversationId: created.json.id as string });
		expect(got.json).toMatchObject({ creator_id: expect.any(String), connector_id: '1024', updated_at: expect.any(Number) });
	});

	it('C4: usage keyed *_tokens is read', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.tokensUsage.botId));
		expect(item.json.usage).toEqual({ token_count: 3397, output_count: 1173, input_count: 2224 });
	});
});

describe('B1: envelopes', () => {
	it('an error envelope with an empty msg says what is known', async () => {
		emulator.failNext('/v1/conversation/retrieve', 1, 200, { contentType: 'application/json', body: '{"code":4999,"msg":""}' });
		const error = await rejectionOf(runCoze(emulator, { resource: 'conversation', operation: 'get', conversationId: '7400000000000000000' }));
		expect(error.message).toMatch(/^Coze error 4999: Coze answered HTTP 200 to GET \/v1\/conversation\/retrieve with code 4999 and no error message \(logid \w+EMU\)$/);
	});

	it('a success envelope without code is a success (Coze\'s own cancel example)', async () => {
		const chat = { id: '7400000000000000001', conversation_id: '7400000000000000000', status: 'canceled' };
		emulator.failNext('/v3/chat/cancel', 1, 200, { contentType: 'application/json', body: JSON.stringify({ data: chat, detail: { logid: 'x' }, msg: '' }) });
		const [item] = await runCoze(emulator, { resource: 'chat', operation: 'cancel', conversationId: chat.conversation_id, chatId: chat.id });
		expect(item.json).toEqual(chat);
	});
});

describe('C3: the bot picker pages by has_more / total', () => {
	it('lists every bot when Coze returns fewer bots per page than asked for', async () => {
		emulator.botPageCap = 3;
		const page = await runListSearch({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
			method: 'searchBots',
		});
		const all = [...page.results];
		let token = page.paginationToken;
		while (token) {
			const next = await runListSearch({
				node: new CozeChat(),
				credentialType: new CozeApi(),
				credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
				method: 'searchBots',
				paginationToken: token,
			});
			all.push(...next.results);
			token = next.paginationToken;
		}
		expect(new Set(all.map((r) => r.value)).size).toBe(Object.keys(scenarios).length);
		expect(emulator.requestsTo('/v1/bots').every((r) => r.query.page_size === '20')).toBe(true);
	});
});
