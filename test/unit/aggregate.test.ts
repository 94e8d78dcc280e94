import { ChatAggregator, aggregateChatMessages, type ChatResult } from '../../nodes/CozeChat/core/chatAggregator';
import { CozeApiError } from '../../nodes/CozeChat/core/errors';
import { readSseEvents } from '../../nodes/CozeChat/core/sse';
import { scenarios, standaloneContext, type Scenario, type Transcript } from '../emulator/scenarios';
import { DEBUG_URL, FRAMINGS, renderChunks } from '../emulator/sse';

async function* fromChunks(chunks: Buffer[]): AsyncGenerator<Uint8Array> {
	for (const chunk of chunks) yield new Uint8Array(chunk);
}

/** Bytes → events → aggregator, exactly the path of a real stream minus the socket. */
async function aggregateBytes(chunks: Buffer[]): Promise<ChatAggregator> {
	const aggregator = new ChatAggregator();
	for await (const event of readSseEvents(fromChunks(chunks))) aggregator.push(event);
	return aggregator;
}

function checkExpected(result: ChatResult, transcript: Transcript): void {
	const { error, ...fields } = transcript.expected;
	expect(error).toBeUndefined();
	expect(result).toMatchObject(fields);
	expect(result.chat_id).toBe(transcript.finalChat.id);
	expect(result.conversation_id).toBe(transcript.finalChat.conversation_id);
	expect(result.section_id).toBe(transcript.finalChat.section_id);
	expect(result.bot_id).toBe(transcript.finalChat.bot_id);
}

// Scenarios whose stream is complete (the truncated ones are covered by the integration tests).
const streamed = Object.values(scenarios).filter((s) => s.build(standaloneContext(s.botId)).closeAfterEvents === undefined);

describe.each(Object.entries(FRAMINGS))('stream aggregation with framing %s', (framingName, framing) => {
	it.each(streamed.map((s) => [s.name, s] as [string, Scenario]))('%s', async (_name, scenario) => {
		const transcript = scenario.build(standaloneContext(scenario.botId));
		const chunks = renderChunks(transcript.events, framing);
		if (transcript.expected.error) {
			const failure = await aggregateBytes(chunks).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(failure).toBeInstanceOf(CozeApiError);
			expect((failure as CozeApiError).code).toBe(transcript.expected.error.code);
			expect((failure as CozeApiError).message).toContain(transcript.expected.error.msg);
			return;
		}
		const aggregator = await aggregateBytes(chunks);
		expect(aggregator.isTerminal).toBe(true);
		expect(aggregator.isDone).toBe(true);
		const result = aggregator.result();
		checkExpected(result, transcript);
		if (framing.done === 'debug-url') expect(result.debug_url).toBe(DEBUG_URL);
		else expect(result.debug_url).toBeUndefined();
	});
});

describe('message-list aggregation (non-stream mode and recovery)', () => {
	it.each(Object.values(scenarios).map((s) => [s.name, s] as [string, Scenario]))('%s', (_name, scenario) => {
		const transcript = scenario.build(standaloneContext(scenario.botId));
		if (transcript.closeAfterEvents !== undefined) {
			// Only the stream breaks in these; the chat itself completes and must list cleanly.
			expect(aggregateChatMessages(transcript.finalChat as never, transcript.messages as never).status).toBe('completed');
			return;
		}
		if (transcript.expected.error) {
			expect(() => aggregateChatMessages(transcript.finalChat as never, transcript.messages as never)).toThrow(
				CozeApiError,
			);
			return;
		}
		const result = aggregateChatMessages(transcript.finalChat as never, transcript.messages as never);
		checkExpected(result, transcript);
	});
});

describe('ChatAggregator edge cases', () => {
	const ctx = () => standaloneContext(scenarios.plain.botId);

	it('keeps 19-digit plugin ids exact while JSON.parse would round them', async () => {
		const transcript = scenarios.toolCall.build(ctx());
		const call = transcript.messages.find((m) => m.type === 'function_call')!;
		expect(String((JSON.parse(call.content) as { plugin_id: number }).plugin_id)).not.toBe('7379227414322217010');
		const result = (await aggregateBytes(renderChunks(transcript.events, FRAMINGS.real))).result();
		expect(result.tool_calls[0].plugin_id).toBe('7379227414322217010');
	});

	it('lists the client-side calls answered in the chat only when asked (Submit Tool Outputs)', () => {
		const ids = { conversation_id: '7381473525342978089', chat_id: '7382159487131697202' };
		const message = (id: string, type: string, content: string) => ({ ...ids, id, role: 'assistant', type, content, content_type: 'text' });
		const chat = { id: ids.chat_id, conversation_id: ids.conversation_id, status: 'completed', usage: { token_count: 3, input_count: 2, output_count: 1 } };
		const messages = [
			message('1', 'function_call', '{"name":"ts-local_plugin-get_weather","arguments":{"city":"Kyoto"},"plugin_id":7485412896352075788,"plugin_type":6}'),
			message('2', 'tool_response', 'cloudy'),
			message('3', 'function_call', '{"name":"search","arguments":{"q":"umbrella"},"plugin_id":7379227414322217010,"plugin_type":1}'),
			message('4', 'tool_response', 'found'),
			message('5', 'answer', 'Take an umbrella.'),
		];
		const serverCall = { name: 'search', arguments: { q: 'umbrella' }, args: { q: 'umbrella' }, output: 'found', plugin_id: '7379227414322217010' };
		expect(aggregateChatMessages(chat as never, messages as never).tool_calls).toEqual([serverCall]);
		expect(aggregateChatMessages(chat as never, messages as never, { clientSideCalls: true }).tool_calls).toEqual([
			{ name: 'get_weather', arguments: { city: 'Kyoto' }, args: { city: 'Kyoto' }, output: 'cloudy', plugin_id: '7485412896352075788', client_side: true },
			serverCall,
		]);
		// A client-side call Coze holds no answer for is not listed.
		expect(aggregateChatMessages(chat as never, [messages[0], messages[4]] as never, { clientSideCalls: true }).tool_calls).toEqual([]);
	});

	it('refuses to return a result for a stream that stopped before a terminal event', async () => {
		const transcript = scenarios.plain.build(ctx());
		const aggregator = await aggregateBytes(renderChunks(transcript.events.slice(0, 5), FRAMINGS.real));
		expect(aggregator.isTerminal).toBe(false);
		expect(aggregator.chatId).toBe(transcript.finalChat.id);
		expect(() => aggregator.result()).toThrow('did not finish');
	});

	it('fails a chat.failed event with no ids at all, keeping the code from a string', async () => {
		const aggregator = new ChatAggregator();
		expect(() =>
			aggregator.push({ event: 'conversation.chat.failed', data: '{"code":"701231","msg":"error"}' }),
		).toThrow(expect.objectContaining({ code: 701231, msg: expect.stringContaining('error') }));
	});

	it('treats an error event with empty data as a failure', () => {
		expect(() => new ChatAggregator().push({ event: 'error', data: '{}' })).toThrow(CozeApiError);
	});

	it('a card, even one sent in deltas, is never answer text nor live text: it is parsed into cards', () => {
		const aggregator = new ChatAggregator();
		const base = { conversation_id: '7381473525342978089', chat_id: '7382159487131697202', role: 'assistant', type: 'answer' };
		const live: string[] = [];
		const push = (event: string, data: Record<string, unknown>) => {
			const text = aggregator.push({ event, data: JSON.stringify(data) });
			if (text) live.push(text);
		};
		push('conversation.chat.created', { id: base.chat_id, conversation_id: base.conversation_id, status: 'created' });
		push('conversation.message.delta', { ...base, id: '1', content: 'Pick one:', content_type: 'text' });
		push('conversation.message.delta', { ...base, id: '2', content: '{"template_id":73839973844', content_type: 'card' });
		push('conversation.message.delta', { ...base, id: '2', content: '20262952,"x":1}', content_type: 'card' });
		push('conversation.chat.completed', { id: base.chat_id, conversation_id: base.conversation_id, status: 'completed', usage: { token_count: 1, input_count: 1, output_count: 0 } });
		const result = aggregator.result();
		expect(live).toEqual(['Pick one:']);
		expect(result.answer).toBe('Pick one:');
		expect(result.cards).toEqual([{ template_id: '7383997384420262952', x: 1 }]);
	});

	it('ignores unknown events and audio deltas', async () => {
		const transcript = scenarios.plain.build(ctx());
		const events = [...transcript.events];
		events.splice(2, 0, { event: 'conversation.audio.delta', data: { id: '1', content: 'AAAA' } }, { event: 'ping', data: '{}' });
		const result = (await aggregateBytes(renderChunks(events, FRAMINGS.real))).result();
		expect(result.answer).toBe(transcript.expected.answer);
	});

	it('returns answer deltas for live streaming, not reasoning or tool output', async () => {
		const transcript = scenarios.reasoning.build(ctx());
		const aggregator = new ChatAggregator();
		const deltas: string[] = [];
		for await (const event of readSseEvents(fromChunks(renderChunks(transcript.events, FRAMINGS.real)))) {
			const delta = aggregator.push(event);
			if (delta !== undefined) deltas.push(delta);
		}
		expect(deltas).toEqual(['The answer ', 'is 42.']);
	});

	it('includes raw messages when asked', async () => {
		const transcript = scenarios.followUps.build(ctx());
		const result = (await aggregateBytes(renderChunks(transcript.events, FRAMINGS.real))).result({ includeMessages: true });
		expect(result.messages?.map((m) => m.type)).toEqual(['answer', 'follow_up', 'follow_up', 'follow_up', 'verbose']);
	});
});
