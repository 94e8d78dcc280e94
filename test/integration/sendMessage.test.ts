import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { EMULATOR_TOKEN } from '../emulator/server';
import { scenarios } from '../emulator/scenarios';
import { FRAMINGS } from '../emulator/sse';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

const chatPosts = () => emulator.requestsTo('/v3/chat');

describe('Send Message over a real socket', () => {
	it.each(Object.entries(FRAMINGS))('aggregates a streamed answer with %s framing', async (_name, framing) => {
		emulator.framing = framing;
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
		expect(item.json).toMatchObject({
			answer: '2024 年 10 月 1 日是星期二。',
			status: 'completed',
			usage: { token_count: 633, output_count: 19, input_count: 614 },
			bot_id: scenarios.plain.botId,
		});
		expect(item.json.chat_id).toMatch(/^\d{19}$/);
		expect(item.json.conversation_id).toMatch(/^\d{19}$/);
		expect(item.pairedItem).toEqual({ item: 0 });
		const [post] = chatPosts();
		expect(post.headers.authorization).toBe(`Bearer ${EMULATOR_TOKEN}`);
		expect(post.headers.accept).toBe('text/event-stream');
		expect(post.body).toMatchObject({
			bot_id: scenarios.plain.botId,
			user_id: 'it-user',
			stream: true,
			auto_save_history: true,
			additional_messages: [{ role: 'user', content: 'What day is 2024-10-01?', content_type: 'text' }],
		});
	});

	it('pairs tool calls with their output and keeps 19-digit plugin ids exact', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.toolCall.botId));
		expect(item.json.tool_calls).toEqual([
			{
				name: 'weather-getForecast',
				arguments: { city: '杭州', days: 3 },
				args: { city: '杭州', days: 3 },
				output: '{"content_type":1,"response_for_model":"Sunny, 24°C","type_for_model":1}',
				plugin_id: '7379227414322217010',
			},
		]);
	});

	it('keeps the done event\'s debug_url', async () => {
		emulator.framing = FRAMINGS.chatflowStyle;
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
		expect(item.json.debug_url).toMatch(/^https:\/\/www\.coze\.cn\/work_flow\?execute_id=/);
	});

	it('reports requires_action with the tool calls Coze waits for', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId));
		expect(item.json).toMatchObject({
			status: 'requires_action',
			answer: '',
			required_action: {
				tool_calls: [{ id: expect.any(String), name: 'local_data_assistant', arguments: { location: '南京', type: 0 } }],
			},
		});
	});

	it('aggregates a 10k-delta stream', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.long.botId));
		const answer = item.json.answer as string;
		expect(answer.startsWith('w0 w1 ')).toBe(true);
		expect(answer.split('字。')).toHaveLength(1001);
	});

	it('sends custom variables, metadata and the conversation id as a query parameter', async () => {
		const [first] = await runCoze(emulator, sendMessage(scenarios.memory.botId, { message: 'I am Ada.' }));
		const [second] = await runCoze(
			emulator,
			sendMessage(scenarios.memory.botId, {
				message: 'Who am I?',
				conversationId: first.json.conversation_id as string,
				options: {
					customVariables: { entries: [{ key: 'city', value: 'Hangzhou' }] },
					metaData: { entries: [{ key: 'source', value: 'n8n' }] },
				},
			}),
		);
		expect(second.json.answer).toBe('Turn 2. You said: "Who am I?". Before that you said: "I am Ada.".');
		const post = chatPosts()[1];
		expect(post.query.conversation_id).toBe(first.json.conversation_id);
		expect(post.body).not.toHaveProperty('conversation_id');
		expect(post.body).toMatchObject({ custom_variables: { city: 'Hangzhou' }, meta_data: { source: 'n8n' } });
	});
});

describe('Send Message failures', () => {
	it.each([
		['failedChat', 5000, 'event interval error'],
		['failedBare', 720702204, 'conversation name does not exist'],
		['errorEvent', 4000, 'Request parameter error'],
	])('%s becomes a NodeApiError with Coze\'s code, msg and logid', async (name, code, msg) => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios[name].botId)));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain(`Coze error ${code}`);
		expect(error.message).toContain(msg);
		expect(String(error.description)).toMatch(/logid: \w+/);
		expect((error.context as Record<string, unknown>).cozeCode).toBe(code);
	});

	it('turns a JSON error on a stream request (HTTP 200) into a NodeApiError with a hint', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage('7499999999999999999')));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Coze error 4200: Bot 7499999999999999999 is not published/);
		expect(String(error.description)).toContain('published to the API channel');
		expect(String(error.description)).toMatch(/logid: \w+EMU/);
	});

	it('reports HTTP 401 with code 4100 and the hint for its custom Base URL, never the token', async () => {
		const token = 'pat_wrong_token_must_not_leak_123456';
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId), { token }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Coze error 4100: authentication is invalid');
		expect(String(error.description)).toContain('use a token created on that server');
		expect(JSON.stringify({ ...error, message: error.message, description: error.description })).not.toContain(token);
	});

	it('recovers a stream that breaks after the chat started: polls, lists, never re-posts', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.truncated.botId, { options: { pollInterval: 0.1 } }));
		expect(item.json).toMatchObject({ answer: 'This answer is long and the connection drops halfway.', status: 'completed' });
		expect(chatPosts()).toHaveLength(1);
		expect(emulator.requestsTo('/v3/chat/retrieve').length).toBeGreaterThanOrEqual(2);
		expect(emulator.requestsTo('/v3/chat/message/list')).toHaveLength(1);
	});

	it('fails clearly when the stream dies before any event, without re-posting', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.truncatedBeforeStart.botId)));
		expect(error.message).toContain('The Coze stream ended before the chat started');
		expect(chatPosts()).toHaveLength(1);
	});

	it('cannot recover with Auto Save History off, and says why', async () => {
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.truncated.botId, { options: { autoSaveHistory: false } })),
		);
		expect(error.message).toContain('Auto Save History off');
		expect(chatPosts()).toHaveLength(1);
	});

	it('cancels the chat when the time limit runs out while streaming', async () => {
		const closedBefore = emulator.streamsClosedByClient;
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.slow.botId, { options: { timeout: 1 } })));
		expect(error.message).toContain('did not finish within 1 s');
		// The node hung up on the stream (the slow bot was still writing) and canceled the chat.
		expect(emulator.streamsClosedByClient).toBe(closedBefore + 1);
		expect(emulator.requestsTo('/v3/chat/cancel')).toHaveLength(1);
	});

	it('explains 4016 when a chat is already running in the conversation', async () => {
		const [first] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
		const slow = runCoze(emulator, sendMessage(scenarios.slow.botId, { conversationId: first.json.conversation_id as string }));
		await new Promise((r) => setTimeout(r, 200));
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.plain.botId, { conversationId: first.json.conversation_id as string })),
		);
		expect(error.message).toContain('Coze error 4016');
		expect(String(error.description)).toContain('one at a time');
		await slow;
	});

	it('aborts the socket when the execution is canceled', async () => {
		const controller = new AbortController();
		const run = runCoze(emulator, sendMessage(scenarios.slow.botId), { abortSignal: controller.signal });
		await new Promise((r) => setTimeout(r, 700));
		const closedBefore = emulator.streamsClosedByClient;
		controller.abort();
		const error = await rejectionOf(run);
		expect(error.message).toMatch(/cancel/i);
		// The socket was closed while the bot was still answering.
		await new Promise((r) => setTimeout(r, 50));
		expect(emulator.streamsClosedByClient).toBe(closedBefore + 1);
		expect(chatPosts()).toHaveLength(1);
		expect(emulator.requestsTo('/v3/chat/retrieve')).toHaveLength(0);
	});

	it('names the field for a bad bot id, conversation id or empty message', async () => {
		for (const [params, text] of [
			[sendMessage('not-a-bot'), "Bot: 'not-a-bot' is not a Coze bot ID"],
			[sendMessage(scenarios.plain.botId, { conversationId: 'abc' }), "Conversation ID: 'abc' is not a Coze ID"],
			[sendMessage(scenarios.plain.botId, { message: '  ' }), 'Message is empty'],
		] as const) {
			const error = await rejectionOf(runCoze(emulator, params));
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toContain(text);
		}
		expect(chatPosts()).toHaveLength(0);
	});

	it('accepts a bot editor URL', async () => {
		const [item] = await runCoze(
			emulator,
			sendMessage('', { botId: { __rl: true, mode: 'url', value: `https://www.coze.com/space/7400000000000100001/bot/${scenarios.plain.botId}` } }),
		);
		expect(item.json.bot_id).toBe(scenarios.plain.botId);
	});
});

describe('Send Message in non-stream mode', () => {
	it('creates, polls and lists, forcing auto_save_history', async () => {
		const [item] = await runCoze(
			emulator,
			sendMessage(scenarios.toolCall.botId, { options: { stream: false, autoSaveHistory: false, pollInterval: 0.1, includeMessages: true } }),
		);
		expect(item.json).toMatchObject({ answer: 'Hangzhou: sunny, 24°C ☀️', status: 'completed', usage: { token_count: 2308 } });
		expect((item.json.tool_calls as Array<{ plugin_id: string }>)[0].plugin_id).toBe('7379227414322217010');
		expect((item.json.messages as unknown[]).length).toBe(4);
		expect(chatPosts()[0].body).toMatchObject({ stream: false, auto_save_history: true });
		expect(emulator.requestsTo('/v3/chat/retrieve').length).toBeGreaterThanOrEqual(2);
	});

	it('cancels a chat that runs past the time limit', async () => {
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.slow.botId, { options: { stream: false, timeout: 1, pollInterval: 0.2 } })),
		);
		expect(error.message).toContain('did not finish within 1 s');
		expect(error.message).toContain('it was canceled');
		expect(emulator.requestsTo('/v3/chat/cancel')).toHaveLength(1);
	});

	it('fails with last_error for a failed chat', async () => {
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.failedChat.botId, { options: { stream: false, pollInterval: 0.1 } })),
		);
		expect(error.message).toBe('Coze error 5000: The Coze chat failed: event interval error');
	});
});

describe('Transient failures', () => {
	it('retries idempotent reads (retrieve) after a gateway error, and the answer still arrives', async () => {
		emulator.failNext('/v3/chat/retrieve', 2, 503);
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { stream: false, pollInterval: 0.1 } }));
		expect(item.json.answer).toBe('2024 年 10 月 1 日是星期二。');
		expect(chatPosts()).toHaveLength(1);
	});

	it('never re-sends a chat: a gateway error on POST /v3/chat fails the item with the status', async () => {
		emulator.failNext('/v3/chat', 1, 502);
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId)));
		expect(error.message).toContain('Coze answered HTTP 502 to POST /v3/chat with a body that is not JSON');
		expect(chatPosts()).toHaveLength(1);
	});

	it('gives up on reads after three tries and says what happened', async () => {
		emulator.failNext('/v3/chat/retrieve', 3, 503);
		const error = await rejectionOf(
			runCoze(emulator, { resource: 'chat', operation: 'retrieve', conversationId: '7400000000000000000', chatId: '7400000000000000001', options: {} }),
		);
		expect(error.message).toContain('HTTP 503');
		expect(emulator.requestsTo('/v3/chat/retrieve')).toHaveLength(3);
	});
});

describe('Items in parallel', () => {
	it('runs several items at once, keeping input order and pairedItem', async () => {
		emulator.maxOpenStreams = 0;
		const items = Array.from({ length: 6 }, (_, i) => ({ json: { q: `question ${i}` } }));
		const out = await runCoze(emulator, sendMessage(scenarios.latency.botId, { message: '={{ $json.q }}', options: { concurrency: 3 } }), { items });
		expect(out.map((i) => i.json.answer)).toEqual(items.map((i) => `Answer to: ${i.json.q}`));
		expect(out.map((i) => i.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
		expect(emulator.maxOpenStreams).toBe(3);
	});

	it('still runs the items of one conversation one after another', async () => {
		const [first] = await runCoze(emulator, sendMessage(scenarios.memory.botId, { message: 'zero' }));
		emulator.maxOpenStreams = 0;
		const items = ['one', 'two', 'three'].map((q) => ({ json: { q } }));
		const out = await runCoze(
			emulator,
			sendMessage(scenarios.memory.botId, { message: '={{ $json.q }}', conversationId: first.json.conversation_id as string, options: { concurrency: 3 } }),
			{ items },
		);
		expect(out.map((i) => i.json.answer)).toEqual([
			'Turn 2. You said: "one". Before that you said: "zero".',
			'Turn 3. You said: "two". Before that you said: "one".',
			'Turn 4. You said: "three". Before that you said: "two".',
		]);
		expect(emulator.maxOpenStreams).toBe(1);
	});

	it('stops starting new items after a failure when Continue On Fail is off', async () => {
		const items = [scenarios.failedChat.botId, ...Array(5).fill(scenarios.latency.botId)].map((bot) => ({ json: { bot } }));
		const error = await rejectionOf(
			runCoze(emulator, sendMessage('', { botId: { __rl: true, mode: 'id', value: '={{ $json.bot }}' }, options: { concurrency: 2 } }), { items }),
		);
		expect(error.message).toContain('Coze error 5000');
		expect(chatPosts().length).toBeLessThan(items.length);
	});
});

describe('Continue On Fail and several items', () => {
	it('keeps going: one output item per input item, the failure as an error item', async () => {
		const out = await runCoze(
			emulator,
			sendMessage('', { botId: { __rl: true, mode: 'id', value: '={{ $json.bot }}' }, message: '={{ $json.q }}' }),
			{
				continueOnFail: true,
				items: [
					{ json: { bot: scenarios.plain.botId, q: 'one' } },
					{ json: { bot: scenarios.failedChat.botId, q: 'two' } },
					{ json: { bot: scenarios.followUps.botId, q: 'three' } },
				],
			},
		);
		expect(out).toHaveLength(3);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.answer).toBe('2024 年 10 月 1 日是星期二。');
		expect(out[1].json).toMatchObject({ error: 'Coze error 5000: The Coze chat failed: event interval error', code: 5000 });
		expect(out[1].json.logid).toEqual(expect.any(String));
		expect(out[2].json.follow_ups).toHaveLength(3);
		const asked = chatPosts().map((r) => (r.body as { additional_messages: Array<{ content: string }> }).additional_messages[0].content);
		expect(asked).toEqual(['one', 'two', 'three']);
	});
});
