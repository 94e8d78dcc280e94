/**
 * Every operation against both servers the node talks to: Coze's cloud and a self-hosted Coze Studio
 * (the emulator's `studio` dialect, written from coze-dev/coze-studio). What Studio supports must
 * give the same items as the cloud; what it lacks must fail with a clear message.
 */
import { NodeApiError } from 'n8n-workflow';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { scenarios } from '../emulator/scenarios';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { runListSearch } from '../harness';
import { rejectionOf, runCoze, sendMessage } from './helpers';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const pngItem = { json: {}, binary: { data: { data: PNG.toString('base64'), mimeType: 'image/png', fileName: 'pixel.png', fileExtension: 'png' } } };

type Dialect = 'cloud' | 'studio';
const nonStream = { stream: false, pollInterval: 0.1 };
const ids = (item: { json: Record<string, unknown> }) => ({
	conversationId: item.json.conversation_id as string,
	chatId: item.json.chat_id as string,
});

describe.each<Dialect>(['cloud', 'studio'])('against the %s dialect', (dialect) => {
	let emulator: CozeEmulator;

	beforeAll(async () => {
		emulator = await startEmulator({ dialect });
	});
	afterAll(async () => await emulator.stop());
	beforeEach(() => {
		emulator.requests.length = 0;
		emulator.finalStatusByBot.clear();
	});

	describe('Send Message', () => {
		it.each([
			['stream', {}],
			['non-stream', nonStream],
		])('answers with the full item in %s mode, real usage included', async (_mode, options) => {
			const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId, { options }));
			expect(item.json).toMatchObject({
				answer: '2024 年 10 月 1 日是星期二。',
				status: 'completed',
				bot_id: scenarios.plain.botId,
				usage: { token_count: 633, output_count: 19, input_count: 614 },
			});
			// Studio's stream carries no usage: the node reads it with one retrieve (D5).
			const retrieves = emulator.requestsTo('/v3/chat/retrieve').length;
			if (dialect === 'studio' || (options as { stream?: boolean }).stream === false) expect(retrieves).toBeGreaterThanOrEqual(1);
			else expect(retrieves).toBe(0);
		});

		it.each([
			['stream', {}],
			['non-stream', nonStream],
		])('reports tool calls with name, arguments object and output (%s)', async (_mode, options) => {
			const [item] = await runCoze(emulator, sendMessage(scenarios.toolCall.botId, { options }));
			const output = '{"content_type":1,"response_for_model":"Sunny, 24°C","type_for_model":1}';
			expect(item.json.answer).toBe('Hangzhou: sunny, 24°C ☀️');
			expect(item.json.tool_calls).toEqual([
				{
					name: 'weather-getForecast',
					arguments: { city: '杭州', days: 3 },
					args: { city: '杭州', days: 3 },
					output,
					// Studio's eino tool call has no plugin id.
					plugin_id: dialect === 'cloud' ? '7379227414322217010' : '',
				},
			]);
		});

		it.each([
			['stream', {}],
			['non-stream', nonStream],
		])('keeps reasoning, several answers and follow-ups apart (%s)', async (_mode, options) => {
			const [reasoning] = await runCoze(emulator, sendMessage(scenarios.reasoning.botId, { options }));
			expect(reasoning.json).toMatchObject({ answer: 'The answer is 42.', reasoning_content: 'Let me think. 6 × 7 = 42. Done.' });
			const [multi] = await runCoze(emulator, sendMessage(scenarios.multiAnswer.botId, { options }));
			expect(multi.json.answer).toBe('First part.\n\nSecond part.');
			const [followUps] = await runCoze(emulator, sendMessage(scenarios.followUps.botId, { options }));
			expect(followUps.json.follow_ups).toEqual(['What is the best season?', 'How do I get there?', 'Any food tips?']);
		});

		it('keeps text with & < > exact (Go escapes them as \\u0026 on Studio)', async () => {
			const [item] = await runCoze(emulator, sendMessage(scenarios.memory.botId, { message: 'Tom & <Jerry>' }));
			expect(item.json.answer).toBe('Turn 1. You said: "Tom & <Jerry>". This is the start of our conversation.');
		});

		it('recovers a broken stream from the message list, never with an empty answer', async () => {
			const [item] = await runCoze(emulator, sendMessage(scenarios.truncated.botId, { options: { pollInterval: 0.1 } }));
			expect(item.json).toMatchObject({ answer: 'This answer is long and the connection drops halfway.', status: 'completed' });
			expect(emulator.requestsTo('/v3/chat')).toHaveLength(1);
			expect(emulator.requestsTo('/v3/chat/message/list')).toHaveLength(1);
		});

		it('uploads a binary and sends it with the message', async () => {
			const [item] = await runCoze(emulator, sendMessage(scenarios.vision.botId, { message: 'Look', options: { binaryProperties: 'data' } }), {
				items: [pngItem],
			});
			expect(item.json.answer).toBe('I received 1 attachment(s): image pixel.png. Your text: "Look".');
		});

		it('continues a conversation: the bot sees the earlier turn', async () => {
			const [first] = await runCoze(emulator, sendMessage(scenarios.memory.botId, { message: 'I am Ada.' }));
			const [second] = await runCoze(
				emulator,
				sendMessage(scenarios.memory.botId, { message: 'Who am I?', conversationId: first.json.conversation_id as string }),
			);
			expect(second.json.answer).toBe('Turn 2. You said: "Who am I?". Before that you said: "I am Ada.".');
		});

		it('reports an unknown bot with a code and a readable message', async () => {
			const error = await rejectionOf(runCoze(emulator, sendMessage('7499999999999999999')));
			expect(error).toBeInstanceOf(NodeApiError);
			if (dialect === 'cloud') {
				expect(error.message).toMatch(/^Coze error 4200: Bot 7499999999999999999 is not published/);
			} else {
				// An SSE error event wrapping "code=103100002 message=agent not exists\nstack=…".
				expect(error.message).toBe('Coze error 103100002: Coze sent an error event: agent not exists');
				expect(String(error.description)).toContain('publish the bot with the API channel');
			}
			expect(error.message).not.toContain('stack=');
		});

		it('reports a bad token as a bad token', async () => {
			const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId), { token: 'pat_wrong' }));
			expect(error.message).toBe(
				dialect === 'cloud'
					? 'Coze error 4100: authentication is invalid'
					: 'Coze error 700012006: authentication failed: api key invalid',
			);
			// Both run on a custom Base URL: the hint speaks of that server, not of coze.cn vs coze.com.
			expect(String(error.description)).toMatch(dialect === 'cloud' ? /a token created on that server/ : /personal access token/);
		});

		it('fails on a model error, with its message', async () => {
			const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.errorEvent.botId)));
			expect(error.message).toContain('Request parameter error');
		});
	});

	describe('every terminal status ends polling at once with a clear outcome', () => {
		it.each([
			['completed', /^2024/],
			['requires_action', 'requires_action'],
			['required_action', 'requires_action'],
			['failed', /The Coze chat failed/],
			['canceled', /canceled before it finished/],
			['cancelled', /canceled before it finished/],
			['expired', /expired before it finished/],
			['deleted', /was deleted/],
		])('%s', async (status, outcome) => {
			emulator.finalStatusByBot.set(scenarios.plain.botId, status);
			const run = runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { ...nonStream, timeout: 30 } }));
			if (typeof outcome === 'string') {
				const [item] = await run;
				expect(item.json.status).toBe(outcome);
			} else if (status === 'completed') {
				const [item] = await run;
				expect(item.json.answer).toMatch(outcome);
			} else {
				const error = await rejectionOf(run);
				expect(error.message).toMatch(outcome);
				expect(error.message).not.toContain('did not finish within');
			}
			// One in_progress poll, then the terminal one: no loop until the timeout, no cancel.
			expect(emulator.requestsTo('/v3/chat/retrieve')).toHaveLength(2);
			expect(emulator.requestsTo('/v3/chat/cancel')).toHaveLength(0);
		});
	});

	describe('Chat → Retrieve, List Messages, Cancel', () => {
		it('Retrieve returns the chat object with the complete answer and raw messages', async () => {
			const [sent] = await runCoze(emulator, sendMessage(scenarios.followUps.botId));
			const [item] = await runCoze(emulator, { resource: 'chat', operation: 'retrieve', ...ids(sent), options: { includeMessages: true } });
			expect(item.json).toMatchObject({
				id: sent.json.chat_id,
				status: 'completed',
				answer: 'Visit West Lake.',
				follow_ups: ['What is the best season?', 'How do I get there?', 'Any food tips?'],
				usage: { token_count: 633 },
			});
			const types = (item.json.messages as Array<{ type: string }>).map((m) => m.type);
			expect(types).toEqual(expect.arrayContaining(['answer', 'follow_up', 'verbose']));
		});

		it('List Messages aggregates, and lists every raw message with Simplify off', async () => {
			const [sent] = await runCoze(emulator, sendMessage(scenarios.toolCall.botId));
			const [simple] = await runCoze(emulator, { resource: 'chat', operation: 'listMessages', ...ids(sent) });
			expect(simple.json).toMatchObject({ answer: 'Hangzhou: sunny, 24°C ☀️', status: 'completed', tool_calls: [{ name: 'weather-getForecast' }] });
			const raw = await runCoze(emulator, { resource: 'chat', operation: 'listMessages', ...ids(sent), simplify: false });
			const types = raw.map((i) => i.json.type);
			expect(types).toEqual(expect.arrayContaining(['answer', 'function_call', 'tool_response', 'verbose']));
			// Studio also lists the user's question.
			expect(raw).toHaveLength(dialect === 'studio' ? 5 : 4);
		});

		it('Cancel returns the canceled chat object', async () => {
			// Settled whatever happens below, so a failing assertion cannot leave it polling.
			const outcome = rejectionOf(runCoze(emulator, sendMessage(scenarios.slow.botId, { options: { stream: false, pollInterval: 0.5, timeout: 0 } })));
			try {
				let created;
				while (!(created = emulator.requestsTo('/v3/chat/retrieve')[0])) await new Promise((r) => setTimeout(r, 50));
				const chatIds = { conversationId: created.query.conversation_id, chatId: created.query.chat_id };
				const [canceled] = await runCoze(emulator, { resource: 'chat', operation: 'cancel', ...chatIds });
				expect(canceled.json).toMatchObject({
					id: chatIds.chatId,
					conversation_id: chatIds.conversationId,
					status: dialect === 'cloud' ? 'canceled' : 'cancelled',
				});
			} finally {
				await outcome.catch(() => undefined);
			}
			expect((await outcome).message).toContain('canceled before it finished');
		});

		it('Cancel of a finished chat names its status', async () => {
			const [sent] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
			const error = await rejectionOf(runCoze(emulator, { resource: 'chat', operation: 'cancel', ...ids(sent) }));
			expect(error.message).toBe(
				`Coze error ${dialect === 'cloud' ? 4104 : 103200005}: The chat cannot be canceled in its current status (completed); only chats that are still created or in progress can be`,
			);
		});
	});

	describe('Conversation → Create, Get, Get Many, Clear Context', () => {
		it('creates, gets, lists and clears', async () => {
			const botId = scenarios.memory.botId;
			const [created] = await runCoze(emulator, {
				resource: 'conversation',
				operation: 'create',
				botId: { __rl: true, mode: 'id', value: botId },
				options: { metaData: { entries: [{ key: 'ticket', value: '42' }] } },
			});
			expect(created.json).toMatchObject({ id: expect.stringMatching(/^\d{19}$/), meta_data: { ticket: '42' } });
			const [got] = await runCoze(emulator, { resource: 'conversation', operation: 'get', conversationId: created.json.id as string });
			expect(got.json).toMatchObject({ id: created.json.id, meta_data: { ticket: '42' }, last_section_id: created.json.last_section_id });
			const listed = await runCoze(emulator, { resource: 'conversation', operation: 'list', botId: { __rl: true, mode: 'id', value: botId }, returnAll: true });
			expect(listed.map((i) => i.json.id)).toContain(created.json.id);
			const [section] = await runCoze(emulator, { resource: 'conversation', operation: 'clearContext', conversationId: created.json.id as string });
			expect(section.json).toMatchObject({ conversation_id: created.json.id, id: expect.stringMatching(/^\d{19}$/) });
		});
	});

	describe('File → Upload', () => {
		it('returns the file object with its id', async () => {
			const [item] = await runCoze(emulator, { resource: 'file', operation: 'upload', binaryPropertyName: 'data' }, { items: [pngItem] });
			expect(item.json).toMatchObject({ id: expect.stringMatching(/^\d{19}$/), bytes: PNG.length, file_name: 'pixel.png', mime_type: 'image/png' });
		});
	});

	describe('Chat → Submit Tool Outputs', () => {
		if (dialect === 'cloud') {
			it('answers the client-side tool and completes the chat', async () => {
				const [asked] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId));
				const callId = (asked.json.required_action as { tool_calls: Array<{ id: string }> }).tool_calls[0].id;
				const [item] = await runCoze(emulator, {
					resource: 'chat',
					operation: 'submitToolOutputs',
					...ids(asked),
					toolOutputs: { entries: [{ toolCallId: callId, output: 'sunny' }] },
					options: {},
				});
				expect(item.json).toMatchObject({ status: 'completed', answer: 'According to local_data_assistant: sunny', tool_calls: [] });
			});
		} else {
			it('fails with "not supported by this Coze server"', async () => {
				const error = await rejectionOf(
					runCoze(emulator, {
						resource: 'chat',
						operation: 'submitToolOutputs',
						conversationId: '7400000000000000000',
						chatId: '7400000000000000001',
						toolOutputs: { entries: [{ toolCallId: 'call_1', output: 'sunny' }] },
						options: {},
					}),
				);
				expect(error).toBeInstanceOf(NodeApiError);
				expect(error.message).toContain('Submit Tool Outputs is not supported by this Coze server');
				expect(error.message).toContain('/v3/chat/submit_tool_outputs');
			});
		}
	});

	describe('Bot picker', () => {
		const search = () =>
			runListSearch({
				node: new CozeChat(),
				credentialType: new CozeApi(),
				credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
				method: 'searchBots',
			});

		if (dialect === 'cloud') {
			it('lists the bots', async () => {
				expect((await search()).results.map((r) => r.value)).toContain(scenarios.plain.botId);
			});
		} else {
			it('falls back with a clear message: use By ID or By URL', async () => {
				await expect(search()).rejects.toThrow(
					'This Coze server cannot list bots (self-hosted Coze Studio has no bot list in its API). Choose "By ID" and enter the bot ID, or "By URL" and paste the bot editor URL.',
				);
			});

			it('accepts the Studio bot editor URL', async () => {
				const [item] = await runCoze(
					emulator,
					sendMessage('', { botId: { __rl: true, mode: 'url', value: `http://localhost:8888/space/7400000000000100001/bot/${scenarios.plain.botId}` } }),
				);
				expect(item.json.bot_id).toBe(scenarios.plain.botId);
			});
		}
	});
});
