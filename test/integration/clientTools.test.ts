/**
 * Send Message with n8n tools on its Tools input: the bot's client-side plugin calls are answered
 * by the connected tools, round after round, in one item. The tools are real LangChain tools (the
 * classes n8n's Code Tool and Workflow Tool build), supplied by tool sub-nodes through n8n-core's
 * own getInputConnectionData; the chat runs over real sockets against the emulator.
 */
import { DynamicStructuredTool, DynamicTool } from '@langchain/core/tools';
import { StructuredToolkit } from 'n8n-core';
import { z } from 'zod';

import { clientToolAnswer, scenarios } from '../emulator/scenarios';
import { useEmulator } from './emulatorSetup';
import { rejectionOf, runCoze, runCozeWithState, sendMessage } from './helpers';

const emulator = useEmulator();

const WEATHER = { Kyoto: 'Kyoto: 17°C and cloudy (from the n8n tool)', Hangzhou: 'Hangzhou: 25°C and sunny (from the n8n tool)' };

/** What each tool was called with, per test. */
let calls: Array<{ tool: string; input: unknown }> = [];

beforeEach(() => {
	calls = [];
});

function weatherTool(name = 'get_local_weather') {
	return new DynamicStructuredTool({
		name,
		description: 'The weather in a city',
		schema: z.object({ city: z.string() }),
		func: async (input: { city: string }) => {
			calls.push({ tool: name, input });
			return WEATHER[input.city as keyof typeof WEATHER] ?? `no weather for ${input.city}`;
		},
	});
}

function outfitTool() {
	return new DynamicStructuredTool({
		name: 'suggest_outfit',
		description: 'What to wear for a weather',
		schema: z.object({ weather: z.string() }),
		func: async (input: { weather: string }) => {
			calls.push({ tool: 'suggest_outfit', input });
			return { outfit: input.weather.includes('cloudy') ? 'a light jacket' : 'a t-shirt' };
		},
	});
}

/** A text-input tool, like n8n's Code Tool without an input schema. */
function textTool(name: string, answer: (query: string) => string) {
	return new DynamicTool({
		name,
		description: `${name} (text input)`,
		func: async (query: string) => {
			calls.push({ tool: name, input: query });
			return answer(query);
		},
	});
}

const ask = (bot: string, extra: Record<string, unknown> = {}) => sendMessage(bot, { message: 'What should I wear in Kyoto today?', ...extra });

describe('Send Message answers client-side plugins with connected n8n tools', () => {
	it('one round: the tool gets Coze\'s arguments and its output is in the answer', async () => {
		const run = await runCozeWithState(emulator, ask(scenarios.n8nToolsOneRound.botId), {
			tools: [{ nodeName: 'Get Local Weather', tool: weatherTool() }],
		});
		const json = run.items[0].json;
		expect(calls).toEqual([{ tool: 'get_local_weather', input: { city: 'Kyoto' } }]);
		expect(json.status).toBe('completed');
		expect(json.answer).toBe(clientToolAnswer([WEATHER.Kyoto]));
		expect(json.required_action).toBeUndefined();
		expect(json.tool_rounds).toBe(1);
		expect(json.tool_calls).toEqual([
			{
				id: expect.any(String),
				name: 'get_local_weather',
				arguments: { city: 'Kyoto' },
				args: { city: 'Kyoto' },
				output: WEATHER.Kyoto,
				client_side: true,
				n8n_tool: 'get_local_weather',
				n8n_node: 'Get Local Weather',
				duration_ms: expect.any(Number),
				round: 1,
			},
		]);
		// Usage of every round of the turn (the emulator's continuation: 50 in, 30 out).
		expect(json.usage).toEqual({ input_count: 50, output_count: 30, token_count: 80 });
		expect(run.metadata?.tokenUsage).toEqual({ inputTokens: 50, outputTokens: 30 });
	});

	it('two rounds: the second call takes the first tool\'s output; an object output goes as JSON', async () => {
		const [item] = await runCoze(emulator, ask(scenarios.n8nToolsTwoRounds.botId), {
			tools: [
				{ nodeName: 'Weather', tool: weatherTool() },
				{ nodeName: 'Outfit', tool: outfitTool() },
			],
		});
		expect(calls.map((c) => c.tool)).toEqual(['get_local_weather', 'suggest_outfit']);
		expect(calls[1].input).toEqual({ weather: WEATHER.Kyoto });
		expect(item.json.answer).toBe(clientToolAnswer([WEATHER.Kyoto, '{"outfit":"a light jacket"}']));
		expect(item.json.tool_rounds).toBe(2);
		expect((item.json.tool_calls as Array<{ round: number; n8n_node: string }>).map((c) => [c.round, c.n8n_node])).toEqual([
			[1, 'Weather'],
			[2, 'Outfit'],
		]);
	});

	it('three rounds, two calls in one: names match like n8n tool names, a mapping wins, text tools get text', async () => {
		const [item] = await runCoze(
			emulator,
			ask(scenarios.n8nToolsThreeRounds.botId, {
				options: { toolNameMapping: { entries: [{ cozeName: 'send_notice', n8nTool: 'Notifier' }] } },
			}),
			{
				tools: [
					// n8n names a tool after its node: "Lookup Order" → Lookup_Order.
					{ nodeName: 'Lookup Order', tool: textTool('Lookup_Order', (q) => `order ${q} is packed`) },
					{ nodeName: 'Weather', tool: weatherTool() },
					{ nodeName: 'Stock', tool: textTool('check_stock', (q) => `stock: ${q}`) },
					{ nodeName: 'Notifier', tool: textTool('Notifier', (q) => `sent: ${q}`) },
				],
			},
		);
		expect(calls).toEqual([
			// A lone text argument is given as it is; several arguments as their JSON.
			{ tool: 'Lookup_Order', input: 'A-1001' },
			{ tool: 'get_local_weather', input: { city: 'Kyoto' } },
			{ tool: 'check_stock', input: '{"sku":"umbrella","quantity":2}' },
			{ tool: 'Notifier', input: 'Your order A-1001 ships today' },
		]);
		expect(item.json.answer).toBe(
			clientToolAnswer(['order A-1001 is packed', WEATHER.Kyoto, 'stock: {"sku":"umbrella","quantity":2}', 'sent: Your order A-1001 ships today']),
		);
		expect(item.json.tool_rounds).toBe(3);
		expect((item.json.tool_calls as Array<{ round: number }>).map((c) => c.round)).toEqual([1, 2, 2, 3]);
	});

	it('a toolkit (MCP Client Tool and others) offers each of its tools', async () => {
		const [item] = await runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId), {
			tools: [{ nodeName: 'MCP Client', tool: new StructuredToolkit([textTool('other', () => 'x') as unknown as ReturnType<typeof weatherTool>, weatherTool()]) }],
		});
		expect(item.json.answer).toBe(clientToolAnswer([WEATHER.Kyoto]));
		expect((item.json.tool_calls as Array<{ n8n_node: string }>)[0].n8n_node).toBe('MCP Client');
	});

	it('works without streaming too (submit, then poll)', async () => {
		const [item] = await runCoze(emulator, ask(scenarios.n8nToolsTwoRounds.botId, { options: { stream: false, pollInterval: 0.1 } }), {
			tools: [
				{ nodeName: 'Weather', tool: weatherTool() },
				{ nodeName: 'Outfit', tool: outfitTool() },
			],
		});
		expect(item.json.status).toBe('completed');
		expect(item.json.answer).toBe(clientToolAnswer([WEATHER.Kyoto, '{"outfit":"a light jacket"}']));
	});

	it('Items in Parallel: each item runs its own tool loop in its own chat', async () => {
		const items = ['Kyoto', 'Hangzhou', 'Kyoto'].map((city) => ({ json: { city } }));
		const out = await runCoze(
			emulator,
			ask(scenarios.n8nToolsTwoRounds.botId, { message: '=What should I wear in {{ $json.city }}?', options: { itemsInParallel: 3 } }),
			{ items, tools: [{ nodeName: 'Weather', tool: weatherTool() }, { nodeName: 'Outfit', tool: outfitTool() }] },
		);
		expect(out.map((i) => i.json.answer)).toEqual([
			clientToolAnswer([WEATHER.Kyoto, '{"outfit":"a light jacket"}']),
			clientToolAnswer([WEATHER.Hangzhou, '{"outfit":"a t-shirt"}']),
			clientToolAnswer([WEATHER.Kyoto, '{"outfit":"a light jacket"}']),
		]);
		expect(new Set(out.map((i) => i.json.chat_id)).size).toBe(3);
		expect(calls).toHaveLength(6);
	});

	it('streams the turn live with a marker while tools run; the item holds the answer alone', async () => {
		const chunks: Array<{ type: string; content?: string }> = [];
		const [item] = await runCoze(emulator, ask(scenarios.n8nToolsTwoRounds.botId), {
			tools: [{ nodeName: 'Weather', tool: weatherTool() }, { nodeName: 'Outfit', tool: outfitTool() }],
			onChunk: (chunk) => chunks.push(chunk),
		});
		const text = chunks.filter((c) => c.type === 'item').map((c) => c.content).join('');
		expect(text).toBe(`_Calling get_local_weather…_\n\n_Calling suggest_outfit…_\n\n${item.json.answer as string}`);
		expect(chunks.filter((c) => c.type === 'begin')).toHaveLength(1);
		expect(chunks.filter((c) => c.type === 'end')).toHaveLength(1);
		const quiet: Array<{ type: string; content?: string }> = [];
		await runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId, { options: { toolCallMarker: '' } }), {
			tools: [{ nodeName: 'Weather', tool: weatherTool() }],
			onChunk: (chunk) => quiet.push(chunk),
		});
		expect(quiet.filter((c) => c.type === 'item').map((c) => c.content).join('')).toBe(clientToolAnswer([WEATHER.Kyoto]));
	});

	it('without tools connected, the waiting turn is output saying what it waits for and the two ways to answer (field and hint)', async () => {
		const run = await runCozeWithState(emulator, ask(scenarios.n8nToolsOneRound.botId));
		const item = run.items[0];
		expect(item.json.status).toBe('requires_action');
		expect(item.json.tool_rounds).toBeUndefined();
		expect((item.json.required_action as { tool_calls: Array<{ name: string }> }).tool_calls[0].name).toBe('get_local_weather');
		const message = (item.json.unanswered as { reason: string; message: string }).message;
		expect(item.json.unanswered).toEqual({ reason: 'no_tools_connected', message: expect.any(String) });
		expect(message).toContain('client-side plugin "get_local_weather"');
		expect(message).toContain('connect n8n tools named "get_local_weather" to this node\'s Tools input');
		expect(message).toContain('Chat → Submit Tool Outputs');
		expect(run.hints).toEqual([{ message, location: 'outputPane' }]);
	});

	it('without tools connected, several items waiting give one hint', async () => {
		const run = await runCozeWithState(emulator, ask(scenarios.n8nToolsOneRound.botId), { items: [{ json: {} }, { json: {} }] });
		expect(run.items.map((i) => (i.json.unanswered as { reason: string }).reason)).toEqual(['no_tools_connected', 'no_tools_connected']);
		expect(run.hints).toHaveLength(1);
	});
});

describe('When the tools cannot answer', () => {
	it('a tool that is not connected fails the item, naming it and the connected ones', async () => {
		const error = await rejectionOf(
			runCoze(emulator, ask(scenarios.n8nToolsUnknown.botId), { tools: [{ nodeName: 'Weather', tool: weatherTool() }] }),
		);
		expect(error.message).toContain('"open_garage_door", but no connected n8n tool has that name (connected: get_local_weather)');
		expect(String(error.description)).toContain('Coze cannot cancel a chat in requires_action');
		expect(String(error.description)).toMatch(/chat_id: \d{19}/);
		expect(calls).toEqual([]);
	});

	it('Return Them outputs the turn still waiting, with the reason', async () => {
		const [item] = await runCoze(emulator, ask(scenarios.n8nToolsUnknown.botId, { options: { unansweredToolCalls: 'return' } }), {
			tools: [{ nodeName: 'Weather', tool: weatherTool() }],
		});
		expect(item.json.status).toBe('requires_action');
		expect((item.json.required_action as { tool_calls: Array<{ name: string }> }).tool_calls[0].name).toBe('open_garage_door');
		expect(item.json.unanswered).toEqual({ reason: 'unknown_tool', message: expect.stringContaining('open_garage_door') });
	});

	it('Max Tool Calls Iterations stops a bot that keeps asking', async () => {
		const tools = [
			{ nodeName: 'Lookup', tool: textTool('lookup_order', () => 'packed') },
			{ nodeName: 'Weather', tool: weatherTool() },
			{ nodeName: 'Stock', tool: textTool('check_stock', () => 'in stock') },
			{ nodeName: 'Notice', tool: textTool('send_notice', () => 'sent') },
		];
		const error = await rejectionOf(runCoze(emulator, ask(scenarios.n8nToolsThreeRounds.botId, { options: { maxToolsIterations: 2 } }), { tools }));
		expect(error.message).toContain('still asked for tools (send_notice) after 2 round(s)');
		expect(calls.map((c) => c.tool)).toEqual(['lookup_order', 'get_local_weather', 'check_stock']);
		const [item] = await runCoze(
			emulator,
			ask(scenarios.n8nToolsThreeRounds.botId, { options: { maxToolsIterations: 2, unansweredToolCalls: 'return' } }),
			{ tools },
		);
		expect(item.json).toMatchObject({ status: 'requires_action', tool_rounds: 2, unanswered: { reason: 'max_iterations' } });
	});

	it('a tool that throws fails the item with the tool\'s error (and Continue On Fail keeps the item)', async () => {
		const broken = new DynamicStructuredTool({
			name: 'get_local_weather',
			description: 'Fails',
			schema: z.object({ city: z.string() }),
			func: async () => {
				throw new Error('weather service is down');
			},
		});
		const out = await runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId), {
			continueOnFail: true,
			items: [{ json: {} }, { json: {} }],
			tools: [{ nodeName: 'Weather', tool: broken }],
		});
		expect(out).toHaveLength(2);
		for (const item of out) {
			expect(item.json.error).toContain('The n8n tool "get_local_weather" (node "Weather"), answering Coze\'s "get_local_weather", failed: weather service is down');
		}
	});

	/** A tool that fails the way n8n's Code Tool, Workflow Tool and HTTP Request Tool do: it returns the error as text. */
	function reportingTool(failure = 'There was an error: "weather service is down [line 1]"') {
		return textTool('get_local_weather', () => failure);
	}

	it('a tool that returns its error as n8n\'s tool nodes do fails the item, naming the tool, its node and the error (only that shape)', async () => {
		const error = await rejectionOf(runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId), { tools: [{ nodeName: 'Get Local Weather', tool: reportingTool() }] }));
		expect(error.message).toContain(
			'The n8n tool "get_local_weather" (node "Get Local Weather"), answering Coze\'s "get_local_weather", failed: weather service is down [line 1]',
		);
		expect(String(error.description)).toContain('Coze cannot cancel a chat in requires_action');
		expect(calls).toHaveLength(1);
		expect(emulator.requestsTo('/v3/chat/submit_tool_outputs')).toHaveLength(0);
		// The HTTP Request Tool's shape, with its status.
		const http = await rejectionOf(
			runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId), {
				tools: [{ nodeName: 'Weather API', tool: reportingTool('HTTP 503 There was an error: "Service unavailable"') }],
			}),
		);
		expect(http.message).toContain('(node "Weather API"), answering Coze\'s "get_local_weather", failed: HTTP 503: Service unavailable');
		// Only n8n's shapes are failures: an ordinary output that mentions an error is the tool's answer.
		const fine = 'Kyoto: no error in the forecast, There was an error: "none" yesterday';
		const [item] = await runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId), { tools: [{ nodeName: 'Weather', tool: reportingTool(fine) }] });
		expect(item.json).toMatchObject({ status: 'completed', answer: clientToolAnswer([fine]) });
		expect((item.json.tool_calls as Array<Record<string, unknown>>)[0]).not.toHaveProperty('error');
	});

	it('with Return Them, a tool that returned its error leaves the turn waiting, reason tool_failed', async () => {
		const [item] = await runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId, { options: { unansweredToolCalls: 'return' } }), {
			tools: [{ nodeName: 'Get Local Weather', tool: reportingTool() }],
		});
		expect(item.json).toMatchObject({ status: 'requires_action', unanswered: { reason: 'tool_failed', message: expect.stringContaining('weather service is down') } });
		expect(emulator.requestsTo('/v3/chat/submit_tool_outputs')).toHaveLength(0);
	});

	it('On Tool Error: Let the Bot Handle It submits the error text as the output and the turn goes on', async () => {
		const returned = 'There was an error: "weather service is down [line 1]"';
		const [item] = await runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId, { options: { onToolError: 'bot' } }), {
			tools: [{ nodeName: 'Get Local Weather', tool: reportingTool(returned) }],
		});
		expect(item.json).toMatchObject({ status: 'completed', answer: clientToolAnswer([returned]), tool_rounds: 1 });
		expect(item.json.tool_calls).toEqual([
			expect.objectContaining({ name: 'get_local_weather', output: returned, error: 'weather service is down [line 1]', n8n_node: 'Get Local Weather' }),
		]);
		const [submit] = emulator.requestsTo('/v3/chat/submit_tool_outputs');
		expect((submit.body as { tool_outputs: Array<{ output: string }> }).tool_outputs.map((o) => o.output)).toEqual([returned]);
		// A tool that throws: the bot gets n8n's own shape of the error.
		const broken = new DynamicStructuredTool({
			name: 'get_local_weather',
			description: 'Fails',
			schema: z.object({ city: z.string() }),
			func: async () => {
				throw new Error('weather service is down');
			},
		});
		const [thrown] = await runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId, { options: { onToolError: 'bot' } }), {
			tools: [{ nodeName: 'Weather', tool: broken }],
		});
		expect(thrown.json.answer).toBe(clientToolAnswer(['There was an error: "weather service is down"']));
		expect((thrown.json.tool_calls as Array<{ error?: string }>)[0].error).toBe('weather service is down');
	});

	it('two connected tools whose names differ only in case or punctuation fail the item, naming both', async () => {
		const error = await rejectionOf(
			runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId), {
				tools: [
					{ nodeName: 'Get Local Weather', tool: textTool('Get_Local_Weather', () => 'from the node') },
					{ nodeName: 'Weather Code', tool: weatherTool('get_local_weather') },
				],
			}),
		);
		expect(error.message).toContain('The bot asked for the tool "get_local_weather", which fits the connected tools ');
		expect(error.message).toContain('"Get_Local_Weather" (node "Get Local Weather")');
		expect(error.message).toContain('"get_local_weather" (node "Weather Code")');
		expect(calls).toEqual([]);
		expect(emulator.requestsTo('/v3/chat/submit_tool_outputs')).toHaveLength(0);
	});

	it('arguments the tool\'s schema refuses fail the item, not the run', async () => {
		const strict = new DynamicStructuredTool({
			name: 'get_local_weather',
			description: 'Wants a number',
			schema: z.object({ city: z.number() }),
			func: async () => 'never',
		});
		const error = await rejectionOf(runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId), { tools: [{ nodeName: 'Weather', tool: strict }] }));
		expect(error.message).toContain('failed: Received tool input did not match expected schema');
	});

	it('the item Timeout covers the tools: a tool that never returns times out', async () => {
		const stuck = new DynamicStructuredTool({
			name: 'get_local_weather',
			description: 'Never answers',
			schema: z.object({ city: z.string() }),
			func: async () => await new Promise<string>(() => undefined),
		});
		const started = Date.now();
		const error = await rejectionOf(
			runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId, { options: { timeout: 1 } }), { tools: [{ nodeName: 'Weather', tool: stuck }] }),
		);
		expect(error.message).toContain('Timed out after 1 s while running the n8n tool "get_local_weather"');
		expect(Date.now() - started).toBeLessThan(10_000);
	});

	it('canceling the execution while a tool runs stops the item', async () => {
		const controller = new AbortController();
		const slow = new DynamicStructuredTool({
			name: 'get_local_weather',
			description: 'Slow',
			schema: z.object({ city: z.string() }),
			func: async () => {
				controller.abort();
				return await new Promise<string>(() => undefined);
			},
		});
		const error = await rejectionOf(
			runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId), { abortSignal: controller.signal, tools: [{ nodeName: 'Weather', tool: slow }] }),
		);
		expect(error.message).toContain('The execution was canceled while running the n8n tool "get_local_weather"');
	});

	it('a mapping needs both names', async () => {
		const error = await rejectionOf(
			runCoze(emulator, ask(scenarios.n8nToolsOneRound.botId, { options: { toolNameMapping: { entries: [{ cozeName: 'x', n8nTool: '' }] } } }), {
				tools: [{ nodeName: 'Weather', tool: weatherTool() }],
			}),
		);
		expect(error.message).toContain('Options → Tool Name Mapping: each mapping needs both');
	});
});
