/**
 * The real wire shapes of docs/coze-fidelity.md, replayed through the node's pure logic: cloud shapes
 * come from the emulator's scenarios (which carry them), Coze Studio shapes from the emulator's studio
 * dialect rendering of the same scenarios.
 */
import type { IN8nHttpFullResponse } from 'n8n-workflow';

import { ChatAggregator, aggregateChatMessages, liveStreamCorrection } from '../../nodes/CozeChat/core/chatAggregator';
import { CozeApiError, isMissingEndpoint, unwrapServerError } from '../../nodes/CozeChat/core/errors';
import { hasMorePages } from '../../nodes/CozeChat/core/paging';
import { readSseEvents } from '../../nodes/CozeChat/core/sse';
import { isTerminalStatus, type CozeChat, type CozeMessage } from '../../nodes/CozeChat/core/types';
import { hintFor } from '../../nodes/CozeChat/boundaries/hints';
import { toNodeError } from '../../nodes/CozeChat/boundaries/nodeErrors';
import { parseEnvelope } from '../../nodes/CozeChat/transport/body';
import { scenarios, standaloneContext, type Scenario, type Transcript } from '../emulator/scenarios';
import { REAL_FRAMING, renderChunks } from '../emulator/sse';
import { goError, goJson, studioEvents, studioMessageList } from '../emulator/studio';

async function* fromChunks(chunks: Buffer[]): AsyncGenerator<Uint8Array> {
	for (const chunk of chunks) yield new Uint8Array(chunk);
}

/** Bytes → events → aggregator; returns the aggregator and the live text it handed out. */
async function replay(chunks: Buffer[]): Promise<{ aggregator: ChatAggregator; live: string[] }> {
	const aggregator = new ChatAggregator();
	const live: string[] = [];
	for await (const event of readSseEvents(fromChunks(chunks))) {
		const delta = aggregator.push(event);
		if (delta !== undefined) live.push(delta);
		if (aggregator.isDone) break;
	}
	return { aggregator, live };
}

const build = (scenario: Scenario, userMessage?: string): Transcript => scenario.build(standaloneContext(scenario.botId, userMessage));
const studioRecord = (transcript: Transcript, userMessage = 'What day is 2024-10-01?') => ({
	chat: transcript.finalChat,
	transcript,
	userMessage,
	createdAt: 1718792949,
});

/** What Studio gives for a scenario: the cloud's answer fields, no plugin ids, no usage on the stream. */
function studioExpectation(transcript: Transcript): Record<string, unknown> {
	const { error: _error, usage: _usage, tool_calls: toolCalls, ...fields } = transcript.expected;
	return { ...fields, ...(toolCalls ? { tool_calls: toolCalls.map((call) => ({ ...call, plugin_id: '' })) } : {}) };
}

describe('Coze Studio stream (dialect rendering of every scenario)', () => {
	const answered = Object.values(scenarios).filter((s) => {
		const t = build(s);
		// Studio has no client-side tools and no broken-stream variant of its own; numericIds is
		// prerendered wire text (bare-number ids), which the Studio renderer does not rewrite.
		return !t.expected.error && t.closeAfterEvents === undefined && s.name !== 'requiresAction' && !s.clientToolRounds && s.name !== 'numericIds';
	});

	it.each(answered.map((s) => [s.name, s] as [string, Scenario]))('%s gives the cloud answer fields', async (_name, scenario) => {
		const transcript = build(scenario, 'Tom & <Jerry>');
		const events = studioEvents(transcript, studioRecord(transcript, 'Tom & <Jerry>'));
		expect(events[events.length - 1]).toEqual({ event: 'conversation.stream.done', data: '' });
		const bytes = renderChunks(events, REAL_FRAMING);
		const { aggregator } = await replay(bytes);
		expect(aggregator.isDone).toBe(true);
		expect(aggregator.status).toBe('completed');
		// No usage on Studio's chat events: the node must fetch it (runChat → addMissingUsage).
		expect(aggregator.usageReported).toBe(false);
		expect(aggregator.result()).toMatchObject(studioExpectation(transcript));
	});

	it('escapes & < > the way Go does, and the node decodes them', async () => {
		const transcript = build(scenarios.memory, 'Tom & <Jerry>');
		const text = Buffer.concat(renderChunks(studioEvents(transcript, studioRecord(transcript)), REAL_FRAMING)).toString('utf8');
		expect(text).toContain('Tom \\u0026 \\u003cJerry\\u003e');
		expect(text).not.toContain('x-tt-logid');
		const { aggregator } = await replay([Buffer.from(text)]);
		expect(aggregator.result().answer).toContain('"Tom & <Jerry>"');
	});

	it('carries function_call content as an eino ToolCall, read into the same tool_calls[] (D2)', async () => {
		const transcript = build(scenarios.toolCall);
		const events = studioEvents(transcript, studioRecord(transcript));
		const call = events.find((e) => (e.data as string).includes('"function_call"'));
		const content = JSON.parse(JSON.parse(call!.data as string).content as string) as Record<string, unknown>;
		expect(content).toEqual({ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'weather-getForecast', arguments: '{"city":"杭州","days":3}' } });
		const { aggregator } = await replay(renderChunks(events, REAL_FRAMING));
		expect(aggregator.result().tool_calls).toEqual([
			{ name: 'weather-getForecast', arguments: { city: '杭州', days: 3 }, args: { city: '杭州', days: 3 }, output: transcript.expected.tool_calls![0].output, plugin_id: '' },
		]);
	});

	it('sends reasoning as deltas of the answer message, and the completed answer without it', async () => {
		const transcript = build(scenarios.reasoning);
		const events = studioEvents(transcript, studioRecord(transcript)).map((e) => ({ event: e.event, data: JSON.parse((e.data as string) || '{}') as Record<string, unknown> }));
		const messageIds = new Set(events.filter((e) => e.event.startsWith('conversation.message')).map((e) => e.data.id));
		expect(messageIds.size).toBe(2); // the answer (with its reasoning) and the finish verbose
		const completedAnswer = events.find((e) => e.event === 'conversation.message.completed' && e.data.type === 'answer');
		expect(completedAnswer?.data.reasoning_content).toBe('');
	});

	it('ends a failed chat with only an error event, and a model error with error + completed + done (D7)', async () => {
		const failed = build(scenarios.failedChat);
		const failedEvents = studioEvents(failed, studioRecord(failed));
		expect(failedEvents.map((e) => e.event)).toEqual(['conversation.chat.created', 'conversation.chat.in_progress', 'conversation.message.delta', 'error']);
		await expect(replay(renderChunks(failedEvents, REAL_FRAMING))).rejects.toThrow('Coze sent an error event: event interval error');

		const modelError = build(scenarios.errorEvent);
		const modelEvents = studioEvents(modelError, studioRecord(modelError));
		expect(modelEvents.slice(-3).map((e) => e.event)).toEqual(['error', 'conversation.chat.completed', 'conversation.stream.done']);
		await expect(replay(renderChunks(modelEvents, REAL_FRAMING))).rejects.toMatchObject({ code: 103200002 });
	});

	it('unwraps an error event that wraps the real code and a Go stack (unknown bot)', () => {
		const data = goJson({ code: 103100001, msg: goError(103100002, 'agent not exists') });
		expect(() => new ChatAggregator().push({ event: 'error', data })).toThrow(
			expect.objectContaining({ code: 103100002, message: 'Coze sent an error event: agent not exists' }),
		);
	});
});

describe('Coze Studio message list (D1)', () => {
	it.each(['plain', 'toolCall', 'reasoning', 'multiAnswer', 'followUps'].map((n) => [n]))('%s aggregates from the Messages list', (name) => {
		const transcript = build(scenarios[name]);
		const list = studioMessageList(studioRecord(transcript)) as unknown as CozeMessage[];
		expect(list[0]).toMatchObject({ role: 'user', type: 'question' });
		const result = aggregateChatMessages(transcript.finalChat as unknown as CozeChat, list);
		expect(result).toMatchObject({ ...studioExpectation(transcript), usage: transcript.expected.usage ?? {} });
	});
});

describe('cloud shapes the emulator now carries', () => {
	it('A1/B2: a client-side tool turn streams its ts-… function_call, which is not an executed tool call', async () => {
		const transcript = build(scenarios.requiresAction);
		const types = transcript.events.map((e) => `${e.event}:${(e.data as { type?: string }).type ?? ''}`);
		expect(types).toEqual([
			'conversation.chat.created:',
			'conversation.chat.in_progress:',
			'conversation.message.completed:function_call',
			'conversation.message.completed:verbose',
			'conversation.chat.requires_action:',
			'done:',
		]);
		expect(transcript.messages.map((m) => m.type)).toEqual(['function_call', 'verbose']);
		const { aggregator } = await replay(renderChunks(transcript.events, REAL_FRAMING));
		const result = aggregator.result({ includeMessages: true });
		expect(result.tool_calls).toEqual([]);
		expect(result.required_action?.tool_calls).toEqual([expect.objectContaining({ name: 'local_data_assistant' })]);
		expect(result.messages?.find((m) => m.type === 'function_call')?.content).toContain('ts-local_plugin-local_data_assistant');
	});

	it('B2: a pending call without plugin_type is still not reported once the chat waits for tool outputs', () => {
		const chat = { id: '1', conversation_id: '2', status: 'requires_action', required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{}' } }] } } } as CozeChat;
		const result = aggregateChatMessages(chat, [{ id: 'm1', type: 'function_call', content: '{"name":"ts-p-f","arguments":{}}' }]);
		expect(result.tool_calls).toEqual([]);
		expect(result.required_action?.tool_calls).toEqual([{ id: 'c1', name: 'f', arguments: {}, args: {} }]);
	});

	it('A3: the item holds the completed text; the live stream ends with it after a blank line', async () => {
		const transcript = build(scenarios.revisedAnswer);
		const { aggregator, live } = await replay(renderChunks(transcript.events, REAL_FRAMING));
		const answer = aggregator.result().answer;
		expect(answer).toBe('明天南京降雨概率为50%。');
		const streamed = live.join('');
		expect(streamed).toBe('明天南京降雨概率为50$\\%$。');
		expect(liveStreamCorrection(streamed, answer)).toBe('\n\n明天南京降雨概率为50%。');
	});

	it('A3: several answers stream with the blank line the item joins them with; a missing tail is sent as such', async () => {
		const transcript = build(scenarios.multiAnswer);
		const { aggregator, live } = await replay(renderChunks(transcript.events, REAL_FRAMING));
		expect(live.join('')).toBe(aggregator.result().answer);
		expect(liveStreamCorrection('Hello', 'Hello world')).toBe(' world');
		expect(liveStreamCorrection('', 'Whole answer')).toBe('Whole answer');
		expect(liveStreamCorrection('Same', 'Same')).toBeUndefined();
	});

	it('A5: audio deltas after chat.completed do not touch the answer; an error event with {} still says something', async () => {
		const voice = build(scenarios.voice);
		expect(voice.events.slice(-3).map((e) => e.event)).toEqual(['conversation.audio.delta', 'conversation.audio.delta', 'done']);
		const { aggregator } = await replay(renderChunks(voice.events, REAL_FRAMING));
		expect(aggregator.result().answer).toBe('Hello there.');
		expect(() => new ChatAggregator().push({ event: 'error', data: '{}' })).toThrow('Coze sent an error event with no message (data: {})');
	});

	it('A2: the submit stream starts with in_progress and echoes the tool output first', async () => {
		const { continuationTranscript } = await import('../emulator/scenarios');
		const asked = build(scenarios.requiresAction);
		const next = continuationTranscript({ chat: asked.finalChat }, ['rain'], asked.messages);
		expect(next.events.slice(0, 2).map((e) => `${e.event}:${(e.data as { type?: string }).type ?? ''}`)).toEqual([
			'conversation.chat.in_progress:',
			'conversation.message.completed:tool_response',
		]);
		const { aggregator } = await replay(renderChunks(next.events, REAL_FRAMING));
		expect(aggregator.result()).toMatchObject({ answer: 'According to local_data_assistant: rain', tool_calls: [] });
		// Polled instead: the list holds the earlier ts-… call and the echo; still no executed tool call.
		expect(aggregateChatMessages(next.finalChat as unknown as CozeChat, next.messages as unknown as CozeMessage[]).tool_calls).toEqual([]);
	});

	it('C4: usage is read from *_tokens as well as *_count', () => {
		const transcript = build(scenarios.tokensUsage);
		const result = aggregateChatMessages(transcript.finalChat as unknown as CozeChat, transcript.messages as unknown as CozeMessage[]);
		expect(result.usage).toEqual({ token_count: 3397, output_count: 1173, input_count: 2224 });
	});

	it('C2/D6: every terminal spelling is terminal', () => {
		for (const status of ['completed', 'requires_action', 'required_action', 'failed', 'canceled', 'cancelled', 'expired', 'deleted']) {
			expect(isTerminalStatus(status)).toBe(true);
		}
		expect(isTerminalStatus('in_progress')).toBe(false);
		expect(isTerminalStatus('created')).toBe(false);
	});

	it('D1: a completed chat whose list is empty is an error, never an empty answer', () => {
		const chat = { id: '1', conversation_id: '2', status: 'completed' } as CozeChat;
		expect(() => aggregateChatMessages(chat, [])).toThrow('completed but listed no messages');
	});
});

describe('envelopes and error messages (B1, B3, D8)', () => {
	const response = (statusCode: number, headers: Record<string, string> = {}): IN8nHttpFullResponse => ({ statusCode, headers, body: '' });

	it('B1: a success envelope may lack code (Coze docs cancel example; Studio cancel)', () => {
		expect(parseEnvelope(response(200), '{"data":{"id":"1"},"detail":{"logid":"x"},"msg":""}')).toMatchObject({ data: { id: '1' } });
		expect(parseEnvelope(response(200), '{"ChatV3ChatDetail":{"id":"1"},"BaseResp":null}')).toMatchObject({ ChatV3ChatDetail: { id: '1' } });
	});

	it('B1: an error with an empty msg names the HTTP status, code, endpoint and logid', () => {
		expect(() => parseEnvelope(response(200, { 'x-tt-logid': 'LOG1' }), '{"code":4999,"msg":""}', 'GET /v1/conversation/retrieve')).toThrow(
			'Coze answered HTTP 200 to GET /v1/conversation/retrieve with code 4999 and no error message (logid LOG1)',
		);
		const error = toNodeError({ name: 'Coze', type: 'cozeChat', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' }, new CozeApiError({ msg: '', httpStatus: 502 }));
		expect(error.message).toBe('Coze reported a failure without a message (HTTP 502)');
	});

	it('D8: Studio errors give their inner code and message, without the Go stack, and X-Log-ID as logid', () => {
		const bad = () => parseEnvelope(response(400, { 'x-log-id': 'uuid-1' }), goJson({ code: 400, msg: goError(103200005, 'in progress can not be cancelled') }));
		expect(bad).toThrow(expect.objectContaining({ code: 103200005, msg: 'in progress can not be cancelled', logid: 'uuid-1', httpStatus: 400 }));
		const plain = () => parseEnvelope(response(500), goError(103200003, 'record not found or nothing to update'));
		expect(plain).toThrow(expect.objectContaining({ code: 103200003, msg: 'record not found or nothing to update', httpStatus: 500 }));
		expect(unwrapServerError(400, 'plain message')).toEqual({ code: 400, msg: 'plain message' });
	});

	it('D3: knows a missing endpoint (Studio\'s session check, or 404)', () => {
		expect(isMissingEndpoint(new CozeApiError({ code: 401, msg: 'missing session_key in cookie', httpStatus: 401 }))).toBe(true);
		expect(isMissingEndpoint(new CozeApiError({ code: 700012006, msg: 'authentication failed: missing session_key in cookie' }))).toBe(true);
		expect(isMissingEndpoint(new CozeApiError({ code: 404, msg: 'not found', httpStatus: 404 }))).toBe(true);
		expect(isMissingEndpoint(new CozeApiError({ code: 4100, msg: 'authentication is invalid', httpStatus: 401 }))).toBe(false);
	});

	it('an error\'s description is the hint, then one sentence with the ids for Coze support (no "| logid: … | chat_id:" tails)', () => {
		const node = { name: 'Coze', type: 'cozeChat', typeVersion: 1, position: [0, 0] as [number, number], parameters: {}, id: '1' };
		const error = toNodeError(node, new CozeApiError({ code: 4200, msg: 'Bot not found', logid: '20261207LOG', chatId: '7400000000000000001', conversationId: '7400000000000000002' }));
		expect(error.message).toBe('Coze error 4200: Bot not found');
		expect(error.description).toBe(
			`${hintFor(4200)}\nFor Coze support: logid: 20261207LOG, chat_id: 7400000000000000001, conversation_id: 7400000000000000002`,
		);
		expect(error.description).not.toContain(' | ');
		expect(toNodeError(node, new CozeApiError({ msg: 'boom', logid: 'L2' })).description).toBe('For Coze support: logid: L2');
		expect(toNodeError(node, new CozeApiError({ msg: 'boom' })).description).toBeUndefined();
		// The ids stay in the error's context (Continue On Fail puts them in the error item).
		expect(error.context).toMatchObject({ logid: '20261207LOG', chatId: '7400000000000000001' });
	});

	it('B3: 4028 has a hint', () => {
		const error = toNodeError({ name: 'Coze', type: 'cozeChat', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' }, new CozeApiError({ code: 4028, msg: 'Your free quota has been used up.' }));
		expect(error.description).toContain('quota');
	});
});

describe('C3: paging by has_more / total, never by a short page', () => {
	it.each([
		[{ received: 5, seen: 5, total: 12 }, true],
		[{ received: 5, seen: 12, total: 12 }, false],
		[{ received: 5, seen: 5, hasMore: true }, true],
		[{ received: 20, seen: 20, hasMore: false }, false],
		[{ received: 3, seen: 3 }, true],
		[{ received: 0, seen: 3, total: 10 }, false],
	])('%j → %s', (page, more) => {
		expect(hasMorePages(page)).toBe(more);
	});
});

describe('hints fit where the credential points', () => {
	it('4100 on coze.cn / coze.com speaks of the region; on a custom Base URL of that server', () => {
		const node = { id: '1', name: 'Coze', type: 'n8n-nodes-coze.cozeChat', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
		const error = new CozeApiError({ code: 4100, msg: 'authentication is invalid' });
		expect(toNodeError(node, error).description).toContain('coze.cn tokens do not work on coze.com');
		expect(toNodeError(node, error, undefined, { customBaseUrl: true }).description).toContain('use a token created on that server');
		expect(toNodeError(node, error, undefined, { customBaseUrl: true }).description).not.toContain('coze.com');
	});
});
