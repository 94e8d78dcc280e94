/**
 * End to end for Send Message with n8n tools on its Tools input (issue 18): the packed tarball in
 * each pinned real n8n, n8n's own tool nodes — a Code Tool and a Call n8n Workflow Tool running an
 * inline sub-workflow — answering a Coze bot's client-side plugin calls over two rounds in one
 * item, and the failure paths (a tool that is not connected: the item fails under Continue On
 * Fail, or with Return Them the waiting turn is output; a Code Tool whose code throws — n8n returns
 * that as the text `There was an error: "…"` — and a Workflow Tool whose sub-workflow fails fail the
 * item, or with On Tool Error: Let the Bot Handle It the error is the submitted output). One `n8n execute` per version, asserted from the
 * run JSON and from what the emulator received.
 */

import { clientToolAnswer, scenarios } from '../emulator/scenarios';
import { TARGETS, log, nodeItems } from './n8n';
import { itNeverPrintsTheToken, useExecutedWorkflow } from './executed';
import { usePackedPackage } from './packed';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, link, nodeBuilder } from './workflows';

const WORKFLOW_ID = 'cozeE2eClientTools1';
const CODE_TOOL = '@n8n/n8n-nodes-langchain.toolCode';
const WORKFLOW_TOOL = '@n8n/n8n-nodes-langchain.toolWorkflow';

/** What the broken Code Tool throws, and the mapping that sends the planner bot's get_local_weather to it. */
const BROKEN = 'weather service is down';
const BROKEN_MAPPING = { entries: [{ cozeName: 'get_local_weather', n8nTool: 'Broken Weather' }] };

/** What the Code Tool answers for a city (its text input is the lone `city` argument). */
const weatherOf = (city: string) => `${city}: 17°C and cloudy (n8n Code Tool)`;

/** The Call n8n Workflow Tool's inline sub-workflow: its first item's json is the tool's output. */
function outfitSubWorkflow(): Record<string, unknown> {
	return {
		nodes: [
			{ id: 'sub-1', name: 'When Called', type: 'n8n-nodes-base.executeWorkflowTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'sub-2',
				name: 'Pick Outfit',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: {
					mode: 'raw',
					jsonOutput: "={{ JSON.stringify({ outfit: $json.query.includes('cloudy') ? 'a light jacket' : 'a t-shirt', source: 'n8n sub-workflow' }) }}",
					options: {},
				},
			},
		],
		connections: { 'When Called': { main: [[{ node: 'Pick Outfit', type: 'main', index: 0 }]] } },
	};
}

/** A sub-workflow that stops with an error (the Call n8n Workflow Tool's failure). */
const BROKEN_SUB = 'forecast service is down';
function brokenSubWorkflow(): Record<string, unknown> {
	return {
		nodes: [
			{ id: 'sub-1', name: 'When Called', type: 'n8n-nodes-base.executeWorkflowTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'sub-2', name: 'Stop', type: 'n8n-nodes-base.stopAndError', typeVersion: 1, position: [220, 0], parameters: { errorMessage: BROKEN_SUB } },
		],
		connections: { 'When Called': { main: [[{ node: 'Stop', type: 'main', index: 0 }]] } },
	};
}

function clientToolsWorkflow(): Record<string, unknown> {
	const node = nodeBuilder('c');
	const credentials = { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	const ask = (name: string, botId: string, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
		node(
			name,
			NODE_TYPE,
			1.1,
			{
				resource: 'chat',
				operation: 'sendMessage',
				botId: { __rl: true, mode: 'id', value: botId },
				userId: 'e2e-tools',
				message: 'What should I wear in Kyoto today?',
				options,
			},
			{ credentials, ...extra },
		);
	const nodes = [
		node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
		// Two rounds: get_local_weather, then suggest_outfit with the weather the first tool gave.
		ask('Ask Outfit Bot', scenarios.n8nToolsTwoRounds.botId),
		// The bot's plugin is get_local_weather; n8n names this tool Get_Local_Weather: matched ignoring case.
		node('Get Local Weather', CODE_TOOL, 1.3, {
			description: 'The weather in a city. Input: the city name.',
			language: 'javaScript',
			jsCode: "return `${query}: 17°C and cloudy (n8n Code Tool)`;",
		}),
		node('Suggest Outfit', WORKFLOW_TOOL, 2.2, {
			description: 'What to wear for a weather. Input: the weather.',
			source: 'parameter',
			workflowJson: JSON.stringify(outfitSubWorkflow(), null, 2),
		}),
		// A plugin no connected tool answers: Continue On Fail keeps the item as an error item …
		ask('Ask Garage Bot', scenarios.n8nToolsUnknown.botId, {}, { onError: 'continueRegularOutput' }),
		// … or, with Return Them, the waiting turn is output as it is.
		ask('Ask Garage Bot, Return Them', scenarios.n8nToolsUnknown.botId, { unansweredToolCalls: 'return' }),
		// A Code Tool whose code throws: n8n catches it and returns the error as the tool's text.
		node('Broken Weather', CODE_TOOL, 1.3, {
			description: 'The weather in a city. Input: the city name.',
			language: 'javaScript',
			jsCode: `throw new Error('${BROKEN}');`,
		}),
		ask('Ask Planner, Broken Tool', scenarios.n8nToolsOneRound.botId, { toolNameMapping: BROKEN_MAPPING }, { onError: 'continueRegularOutput' }),
		ask('Ask Planner, Broken Tool, Bot Handles', scenarios.n8nToolsOneRound.botId, { toolNameMapping: BROKEN_MAPPING, onToolError: 'bot' }),
		// A Call n8n Workflow Tool whose sub-workflow stops with an error: n8n returns that as text too.
		node('Broken Sub Workflow', WORKFLOW_TOOL, 2.2, {
			description: 'The weather in a city. Input: the city name.',
			source: 'parameter',
			workflowJson: JSON.stringify(brokenSubWorkflow(), null, 2),
		}),
		ask(
			'Ask Planner, Broken Sub Workflow',
			scenarios.n8nToolsOneRound.botId,
			{ toolNameMapping: { entries: [{ cozeName: 'get_local_weather', n8nTool: 'Broken Sub Workflow' }] } },
			{ onError: 'continueRegularOutput' },
		),
	];
	return {
		id: WORKFLOW_ID,
		name: 'Coze e2e: n8n tools answer client-side plugins',
		active: false,
		nodes,
		settings: { executionOrder: 'v1' },
		connections: {
			'Manual Trigger': {
				main: [
					[
						link('Ask Outfit Bot'),
						link('Ask Garage Bot'),
						link('Ask Garage Bot, Return Them'),
						link('Ask Planner, Broken Tool'),
						link('Ask Planner, Broken Tool, Bot Handles'),
						link('Ask Planner, Broken Sub Workflow'),
					],
				],
			},
			'Get Local Weather': {
				ai_tool: [
					[
						{ node: 'Ask Outfit Bot', type: 'ai_tool', index: 0 },
						{ node: 'Ask Garage Bot', type: 'ai_tool', index: 0 },
						{ node: 'Ask Garage Bot, Return Them', type: 'ai_tool', index: 0 },
					],
				],
			},
			'Suggest Outfit': { ai_tool: [[{ node: 'Ask Outfit Bot', type: 'ai_tool', index: 0 }]] },
			'Broken Sub Workflow': { ai_tool: [[{ node: 'Ask Planner, Broken Sub Workflow', type: 'ai_tool', index: 0 }]] },
			'Broken Weather': {
				ai_tool: [
					[
						{ node: 'Ask Planner, Broken Tool', type: 'ai_tool', index: 0 },
						{ node: 'Ask Planner, Broken Tool, Bot Handles', type: 'ai_tool', index: 0 },
					],
				],
			},
		},
	};
}

const tarball = usePackedPackage('clientTools');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('n8n tools on Send Message in %s', (_label, target) => {
	const executed = useExecutedWorkflow(target, { tarball, what: 'execute the n8n-tools workflow', workflow: clientToolsWorkflow });

	const chatsOf = (botId: string) => executed.emulator.requestsTo('/v3/chat').filter((r) => (r.body as { bot_id?: string }).bot_id === botId);

	it("two rounds in one item: the Code Tool's and the sub-workflow's real outputs are in the answer", () => {
		const items = nodeItems(executed.run, 'Ask Outfit Bot');
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.pairedItem).toEqual({ item: 0 });
		const weather = weatherOf('Kyoto');
		// The Call n8n Workflow Tool (2.2) answers with all the sub-workflow's items, as pretty-printed
		// JSON: Coze gets it compact (no layout line breaks in the answer).
		const outfit = JSON.stringify([{ outfit: 'a light jacket', source: 'n8n sub-workflow' }]);
		log(`${target.name}: Ask Outfit Bot answered ${JSON.stringify(item.json.answer)}`);
		expect(item.json).toMatchObject({ status: 'completed', tool_rounds: 2, answer: clientToolAnswer([weather, outfit]) });
		expect(item.json).not.toHaveProperty('required_action');
		const calls = item.json.tool_calls as Array<Record<string, unknown>>;
		expect(calls.map((c) => [c.name, c.n8n_node, c.round, c.output])).toEqual([
			['get_local_weather', 'Get Local Weather', 1, weather],
			['suggest_outfit', 'Suggest Outfit', 2, outfit],
		]);
		expect(calls[1].arguments).toEqual({ weather });
		calls.forEach((c) => expect(c.duration_ms).toEqual(expect.any(Number)));
		// One chat, two submits — each with the outputs of its own round, in Coze's query parameters.
		const [chat] = chatsOf(scenarios.n8nToolsTwoRounds.botId);
		expect(chat).toBeDefined();
		const submits = executed.emulator
			.requestsTo('/v3/chat/submit_tool_outputs')
			.filter((r) => r.query.conversation_id === item.json.conversation_id);
		expect(submits.map((s) => (s.body as { tool_outputs: Array<{ output: string }> }).tool_outputs.map((t) => t.output))).toEqual([[weather], [outfit]]);
		expect(chatsOf(scenarios.n8nToolsTwoRounds.botId)).toHaveLength(1);
	});

	it('a plugin no connected tool answers: Continue On Fail outputs an error item naming it, nothing is submitted', () => {
		const [item] = nodeItems(executed.run, 'Ask Garage Bot');
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(String(item.json.error)).toContain('open_garage_door');
		expect(JSON.stringify(item.json)).toContain('Get_Local_Weather');
		const garageConversations = chatsOf(scenarios.n8nToolsUnknown.botId).map((c) => c.query.conversation_id);
		const submits = executed.emulator.requestsTo('/v3/chat/submit_tool_outputs').filter((r) => garageConversations.includes(r.query.conversation_id));
		expect(submits).toHaveLength(0);
	});

	it('with Return Them: the turn still waiting is the output, with the reason', () => {
		const [item] = nodeItems(executed.run, 'Ask Garage Bot, Return Them');
		expect(item.json).toMatchObject({ status: 'requires_action', unanswered: { reason: expect.any(String) } });
		const required = item.json.required_action as { tool_calls: Array<{ name: string }> };
		expect(required.tool_calls.map((c) => c.name)).toEqual(['open_garage_door']);
	});

	const submitsFor = (conversationId: unknown) =>
		executed.emulator
			.requestsTo('/v3/chat/submit_tool_outputs')
			.filter((r) => r.query.conversation_id === conversationId)
			.map((s) => (s.body as { tool_outputs: Array<{ output: string }> }).tool_outputs.map((t) => t.output));

	it('a Code Tool whose code throws fails the item, naming the tool, its node and the error; nothing is submitted', () => {
		const [item] = nodeItems(executed.run, 'Ask Planner, Broken Tool');
		expect(item.pairedItem).toEqual({ item: 0 });
		log(`${target.name}: Ask Planner, Broken Tool → ${JSON.stringify(item.json.error)}`);
		expect(String(item.json.error)).toContain('The n8n tool "Broken_Weather" (node "Broken Weather"), answering Coze\'s "get_local_weather", failed: ');
		expect(String(item.json.error)).toContain(BROKEN);
		expect(item.json).not.toHaveProperty('answer');
		expect(chatsOf(scenarios.n8nToolsOneRound.botId)).toHaveLength(3);
		// The one submit of the broken tool's error is the Bot Handles node's (below).
		const [handled] = nodeItems(executed.run, 'Ask Planner, Broken Tool, Bot Handles');
		const withError = executed.emulator.requestsTo('/v3/chat/submit_tool_outputs').filter((r) => JSON.stringify(r.body).includes(BROKEN));
		expect(withError.map((r) => r.query.conversation_id)).toEqual([handled.json.conversation_id]);
	});

	it('with On Tool Error: Let the Bot Handle It, the Code Tool\'s error text is the submitted output', () => {
		const [item] = nodeItems(executed.run, 'Ask Planner, Broken Tool, Bot Handles');
		const [call] = item.json.tool_calls as Array<Record<string, unknown>>;
		log(`${target.name}: Ask Planner, Broken Tool, Bot Handles → ${JSON.stringify(call.output)}`);
		expect(call).toMatchObject({ name: 'get_local_weather', n8n_node: 'Broken Weather', error: expect.stringContaining(BROKEN) });
		expect(call.output).toMatch(/^There was an error: ".*weather service is down.*"$/s);
		expect(item.json).toMatchObject({ status: 'completed', answer: clientToolAnswer([call.output as string]) });
		expect(submitsFor(item.json.conversation_id)).toEqual([[call.output]]);
	});

	it('a Call n8n Workflow Tool whose sub-workflow fails fails the item the same way', () => {
		const [item] = nodeItems(executed.run, 'Ask Planner, Broken Sub Workflow');
		log(`${target.name}: Ask Planner, Broken Sub Workflow → ${JSON.stringify(item.json.error)}`);
		expect(String(item.json.error)).toContain('The n8n tool "Broken_Sub_Workflow" (node "Broken Sub Workflow"), answering Coze\'s "get_local_weather", failed: ');
		expect(String(item.json.error)).toContain(BROKEN_SUB);
		const submitted = executed.emulator.requestsTo('/v3/chat/submit_tool_outputs').filter((r) => JSON.stringify(r.body).includes(BROKEN_SUB));
		expect(submitted).toHaveLength(0);
	});

	itNeverPrintsTheToken(executed);
});
