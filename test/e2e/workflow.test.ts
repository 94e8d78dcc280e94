/**
 * End to end for the Workflow resource (issue 11): the packed tarball in each pinned real n8n, one
 * workflow whose parallel branches cover a stream executed.run, an interrupt → Resume round trip, an async
 * executed.run, a two-turn chatflow, Continue On Fail on a failing executed.run, and Workflow → Run as a tool of
 * n8n's AI Agent — one `n8n execute` per version. Asserted from the run JSON and from what the
 * emulator received.
 */

import type { RecordedRequest } from '../emulator/server';
import { CHATFLOW_IDS } from '../emulator/workflows';
import { scenarios, WORKFLOW_USAGE } from '../emulator/workflowScenarios';
import { TARGETS, log, nodeItems } from './n8n';
import { itNeverPrintsTheToken, useExecutedWorkflow } from './executed';
import { usePackedPackage } from './packed';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, OPENAI_CREDENTIAL_ID, link, nodeBuilder, openAiEmulatorCredential } from './workflows';

const WORKFLOW_ID = 'cozeE2eWorkflow01';
const CHATFLOW_BOT = '7400000000000000001';
/** What the AI Agent is asked; the emulator's scripted model puts it into every tool parameter. */
const AGENT_PROMPT = 'Ada Lovelace';
const END_OUTPUT = { summary: 'Outline and draft are ready.', words: 7 };

/** The second agent's prompt: the scripted model reads key=value pairs into the tool's typed parameters. */
const TRIP_PROMPT = 'Plan my trip: city=Osaka; days=2; interests=["ramen"]';

/**
 * The Parameters form of the tool variant as the editor fills it (methods/workflowInputs.ts, checked
 * against the method's own answer in the integration tests): one $fromAI per input.
 */
const TRIP_TOOL_FORM = {
	city: "={{ $fromAI('city', 'The city to visit (string, required)', 'string') }}",
	days: "={{ $fromAI('days', 'How many days the trip lasts (integer, required) A whole number.', 'number') }}",
	interests: "={{ $fromAI('interests', 'What the traveller likes (array of string, optional)', 'json') }}",
};

/** A resource mapper value as the editor saves it. */
function tripForm(value: Record<string, unknown>): Record<string, unknown> {
	return { mappingMode: 'defineBelow', value, matchingColumns: [], schema: [], attemptToConvertTypes: false, convertFieldsToString: true };
}

function workflowE2e(): Record<string, unknown> {
	const node = nodeBuilder('a');
	const credentials = { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	const coze = (name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		node(name, NODE_TYPE, 1, { resource: 'workflow', options: {}, ...parameters }, { credentials, ...extra });
	const id = (value: string) => ({ __rl: true, mode: 'id', value });
	const nodes = [
		node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
		// A: stream run of a workflow with two Output nodes and a variable-mode End node
		coze('Run Stream', { operation: 'run', workflowId: id(scenarios.twoOutputs.workflowId) }),
		// B: a question node interrupts; Resume reads event id and type from the item (its defaults)
		coze('Run Question', { operation: 'run', workflowId: id(scenarios.question.workflowId) }),
		coze('Resume', {
			operation: 'resume',
			workflowId: id(scenarios.question.workflowId),
			eventId: '={{ $json.interrupt.event_id }}',
			interruptType: '={{ $json.interrupt.type }}',
			resumeData: 'Hangzhou',
		}),
		// C: async executed.run, polled from Running to Success
		coze('Run Async', { operation: 'run', runMode: 'async', workflowId: id(scenarios.slow.workflowId), options: { pollInterval: 0.2 } }),
		// D: a chatflow over two turns, the second in the first one's conversation
		coze('Chatflow Turn 1', {
			operation: 'chat',
			workflowId: id(CHATFLOW_IDS.echo),
			associateWith: 'bot',
			botId: id(CHATFLOW_BOT),
			message: 'Hi, I am Ada',
		}),
		coze('Chatflow Turn 2', {
			operation: 'chat',
			workflowId: id(CHATFLOW_IDS.echo),
			associateWith: 'bot',
			botId: id(CHATFLOW_BOT),
			message: 'What did I say?',
			conversationId: '={{ $json.conversation_id }}',
		}),
		// E: Continue On Fail: two runs, the second fails
		node('Workflows', 'n8n-nodes-base.set', 3.4, {
			mode: 'raw',
			jsonOutput: JSON.stringify({ wf: [scenarios.echo.workflowId, scenarios.fails.workflowId] }),
			options: {},
		}),
		node('Split Workflows', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'wf', options: {} }),
		coze(
			'Run With Continue On Fail',
			{ operation: 'run', runMode: 'async', workflowId: id('={{ $json.wf }}'), options: { pollInterval: 0.2 } },
			{ onError: 'continueRegularOutput' },
		),
		// F: Workflow → Run as a tool of n8n's AI Agent; the model fills user_name through $fromAI
		node('AI Agent', '@n8n/n8n-nodes-langchain.agent', 2.2, { promptType: 'define', text: AGENT_PROMPT, options: {} }),
		node(
			'OpenAI Chat Model',
			'@n8n/n8n-nodes-langchain.lmChatOpenAi',
			1.2,
			{ model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, options: {} },
			{ credentials: { openAiApi: { id: OPENAI_CREDENTIAL_ID, name: 'OpenAI (emulator)' } } },
		),
		node(
			'Coze Workflow Tool',
			`${NODE_TYPE}Tool`,
			1,
			{
				descriptionType: 'manual',
				toolDescription: 'Greets a person by name with a Coze workflow',
				resource: 'workflow',
				operation: 'run',
				workflowId: id(scenarios.echo.workflowId),
				parametersUi: {
					entries: [{ name: 'user_name', type: 'string', value: "={{ $fromAI('user_name', 'Name of the person to greet', 'string') }}" }],
				},
				options: {},
			},
			{ credentials },
		),
		// G: version 1.1, Parameters from the workflow's inputs (the form), typed values
		node(
			'Run Trip Form',
			NODE_TYPE,
			1.1,
			{ resource: 'workflow', operation: 'run', workflowId: id(scenarios.tripPlanner.workflowId), workflowInputs: tripForm({ city: 'Kyoto', days: 3, interests: '["temples","food"]' }), options: {} },
			{ credentials },
		),
		// H: a required input missing: the item fails before Coze runs anything
		node(
			'Run Trip Missing Days',
			NODE_TYPE,
			1.1,
			{ resource: 'workflow', operation: 'run', workflowId: id(scenarios.tripPlanner.workflowId), workflowInputs: tripForm({ city: 'Rome' }), options: {} },
			{ credentials, onError: 'continueRegularOutput' },
		),
		// I: the form as the tool variant fills it: one $fromAI per input, from the workflow's schema
		node('Trip Agent', '@n8n/n8n-nodes-langchain.agent', 2.2, { promptType: 'define', text: TRIP_PROMPT, options: {} }),
		node(
			'Trip Model',
			'@n8n/n8n-nodes-langchain.lmChatOpenAi',
			1.2,
			{ model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, options: {} },
			{ credentials: { openAiApi: { id: OPENAI_CREDENTIAL_ID, name: 'OpenAI (emulator)' } } },
		),
		node(
			'Coze Trip Planner',
			`${NODE_TYPE}Tool`,
			1.1,
			{
				descriptionType: 'manual',
				toolDescription: 'Plans a trip with a Coze workflow',
				resource: 'workflow',
				operation: 'run',
				workflowId: id(scenarios.tripPlanner.workflowId),
				workflowInputs: tripForm(TRIP_TOOL_FORM),
				options: {},
			},
			{ credentials },
		),
	];
	return {
		id: WORKFLOW_ID,
		name: 'Coze e2e: workflows',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: {
			'Manual Trigger': {
				main: [
					[
						link('Run Stream'),
						link('Run Question'),
						link('Run Async'),
						link('Chatflow Turn 1'),
						link('Workflows'),
						link('AI Agent'),
						link('Run Trip Form'),
						link('Run Trip Missing Days'),
						link('Trip Agent'),
					],
				],
			},
			'Run Question': { main: [[link('Resume')]] },
			'Chatflow Turn 1': { main: [[link('Chatflow Turn 2')]] },
			Workflows: { main: [[link('Split Workflows')]] },
			'Split Workflows': { main: [[link('Run With Continue On Fail')]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Coze Workflow Tool': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			'Trip Model': { ai_languageModel: [[{ node: 'Trip Agent', type: 'ai_languageModel', index: 0 }]] },
			'Coze Trip Planner': { ai_tool: [[{ node: 'Trip Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

const tarball = usePackedPackage('workflow');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('Workflow resource in %s', (_label, target) => {
	let started = 0;
	beforeAll(() => {
		started = Date.now();
	});
	afterAll(() => log(`${target.name}: workflow.test.ts took ${((Date.now() - started) / 1000).toFixed(1)} s for this version; the emulator saw ${executed.emulator?.requests.length} requests`));
	const executed = useExecutedWorkflow(target, { tarball, what: 'execute the Workflow-resource workflow', workflow: workflowE2e, extraCredentials: (url: string) => [openAiEmulatorCredential(url)] });

	const body = (request: RecordedRequest | undefined) => (request?.body ?? {}) as Record<string, unknown>;
	const runsOf = (workflowId: string, path = '/v1/workflow/stream_run') =>
		executed.emulator.requestsTo(path).filter((r) => body(r).workflow_id === workflowId);
	/** The chat-model requests of the agent whose tool has this parameter (two agents share the model). */
	const completionsFor = (parameter: string) =>
		executed.emulator.requestsTo('/v1/chat/completions').filter((r) => JSON.stringify(body(r).tools ?? []).includes(`"${parameter}"`));

	it('stream run: End output decoded, Output-node messages, usage, execute_id and debug_url', () => {
		const [item] = nodeItems(executed.run, 'Run Stream');
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			status: 'completed',
			output: END_OUTPUT,
			messages: [
				{ node_title: 'Outline', node_id: '100001', content: '1. Intro 2. Details' },
				{ node_title: 'Draft', node_id: '100002', content: 'Coze workflows stream their output.' },
			],
			usage: WORKFLOW_USAGE,
		});
		expect(item.json.execute_id).toMatch(/^\d{19}$/);
		expect(item.json.debug_url).toBe(
			`https://www.coze.cn/work_flow?execute_id=${item.json.execute_id as string}&space_id=7498204883280400001&workflow_id=${scenarios.twoOutputs.workflowId}`,
		);
		const [post] = runsOf(scenarios.twoOutputs.workflowId);
		expect(post.headers.accept).toBe('text/event-stream');
		expect(post.body).toEqual({ workflow_id: scenarios.twoOutputs.workflowId, parameters: {} });
	});

	it('interrupt → Resume: the interrupt item feeds Resume through expressions', () => {
		const [interrupted] = nodeItems(executed.run, 'Run Question');
		expect(interrupted.json).toMatchObject({
			status: 'interrupted',
			output: null,
			messages: [{ node_title: '问答', content: '请问你想查看哪个城市、哪一天的天气呢' }],
			interrupt: { type: 2, node_title: '问答' },
		});
		const eventId = (interrupted.json.interrupt as { event_id: string }).event_id;
		expect(eventId).toMatch(/^\d{19}\/\d+$/);
		const [resumed] = nodeItems(executed.run, 'Resume');
		expect(resumed.pairedItem).toEqual({ item: 0 });
		expect(resumed.json).toMatchObject({ status: 'completed', output: { output: 'Hangzhou: sunny, 24°C' }, execute_id: interrupted.json.execute_id });
		const resumes = executed.emulator.requestsTo('/v1/workflow/stream_resume');
		expect(resumes.map((r) => r.body)).toEqual([
			{ workflow_id: scenarios.question.workflowId, event_id: eventId, resume_data: 'Hangzhou', interrupt_type: 2 },
		]);
	});

	it('async run: started with is_async, polled from Running to Success', () => {
		const [item] = nodeItems(executed.run, 'Run Async');
		expect(item.json).toMatchObject({ status: 'completed', output: { output: 'Report ready' }, messages: [], usage: WORKFLOW_USAGE });
		const executeId = item.json.execute_id as string;
		expect(executeId).toMatch(/^\d{19}$/);
		const [start] = runsOf(scenarios.slow.workflowId, '/v1/workflow/run');
		expect(start.body).toMatchObject({ workflow_id: scenarios.slow.workflowId, is_async: true });
		expect(runsOf(scenarios.slow.workflowId)).toHaveLength(0);
		// The run takes 900 ms on the emulator: at least one poll saw Running before the one that saw Success.
		const polls = executed.emulator.requestsTo(`/v1/workflows/${scenarios.slow.workflowId}/run_histories/${executeId}`);
		expect(polls.length).toBeGreaterThanOrEqual(2);
	});

	it('two-turn chatflow: turn 2 runs in turn 1\'s conversation (id in the body) and sees turn 1', () => {
		const [first] = nodeItems(executed.run, 'Chatflow Turn 1');
		const [second] = nodeItems(executed.run, 'Chatflow Turn 2');
		expect(first.json).toMatchObject({ status: 'completed', answer: 'Turn 1: you said "Hi, I am Ada".' });
		const conversationId = first.json.conversation_id as string;
		expect(conversationId).toMatch(/^\d{19}$/);
		expect(second.json).toMatchObject({
			status: 'completed',
			conversation_id: conversationId,
			answer: 'Turn 2: you said "What did I say?". Before that: "Hi, I am Ada".',
			debug_url: expect.stringContaining('work_flow?execute_id='),
		});
		const posts = executed.emulator.requestsTo('/v1/workflows/chat');
		expect(posts).toHaveLength(2);
		expect(posts[0].body).not.toHaveProperty('conversation_id');
		expect(posts[1].query).toEqual({});
		expect(posts[1].body).toMatchObject({ workflow_id: CHATFLOW_IDS.echo, bot_id: CHATFLOW_BOT, conversation_id: conversationId });
	});

	it('Continue On Fail: the failed run is an error item with Coze\'s code, message and execute_id; the other item still runs', () => {
		const out = nodeItems(executed.run, 'Run With Continue On Fail');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out[0].json).toMatchObject({ status: 'completed', output: { output: 'Hello, guest!' } });
		expect(out[1].json).toMatchObject({
			error: "Coze error 720701013: The Coze workflow failed: Node 'Code' failed: division by zero",
			code: 720701013,
			execute_id: expect.stringMatching(/^\d{19}$/),
			debug_url: expect.stringContaining('work_flow?execute_id='),
		});
		const [failedStart] = runsOf(scenarios.fails.workflowId, '/v1/workflow/run');
		expect(executed.emulator.requestsTo(`/v1/workflows/${scenarios.fails.workflowId}/run_histories/${out[1].json.execute_id as string}`).length).toBeGreaterThanOrEqual(1);
		expect(failedStart.body).toMatchObject({ is_async: true });
	});

	it('as a tool of n8n\'s AI Agent: the model fills user_name through $fromAI and reads the result', () => {
		const [call] = runsOf(scenarios.echo.workflowId);
		expect(call.body).toEqual({ workflow_id: scenarios.echo.workflowId, parameters: { user_name: AGENT_PROMPT } });
		const completions = completionsFor('user_name');
		expect(completions).toHaveLength(2); // the tool call, then the answer after the tool's result
		const tools = (body(completions[0]).tools as Array<{ function: { name: string; parameters: { properties: Record<string, unknown> } } }>) ?? [];
		expect(tools).toHaveLength(1);
		expect(Object.keys(tools[0].function.parameters.properties)).toEqual(['user_name']);
		const [answer] = nodeItems(executed.run, 'AI Agent');
		expect(String(answer.json.output)).toContain(`Hello, ${AGENT_PROMPT}!`);
	});

	it("version 1.1, the workflow's inputs as a form: typed values reach Coze as numbers and arrays", () => {
		const [item] = nodeItems(executed.run, 'Run Trip Form');
		expect(item.json).toMatchObject({ status: 'completed', output: { plan: 'A 3-day trip to Kyoto, for temples and food.' } });
		const [post] = runsOf(scenarios.tripPlanner.workflowId).filter((r) => (body(r).parameters as { city?: string }).city === 'Kyoto');
		expect(post.body).toEqual({ workflow_id: scenarios.tripPlanner.workflowId, parameters: { city: 'Kyoto', days: 3, interests: ['temples', 'food'] } });
	});

	it('a missing required input fails the item before the run, naming it; Coze is never asked to run it', () => {
		const [item] = nodeItems(executed.run, 'Run Trip Missing Days');
		expect(String(item.json.error)).toContain("'days' is required (integer)");
		expect(runsOf(scenarios.tripPlanner.workflowId).filter((r) => (body(r).parameters as { city?: string }).city === 'Rome')).toHaveLength(0);
		// One schema request per node execution, whatever the items (three nodes ask for this workflow).
		expect(executed.emulator.requestsTo(`/v1/workflows/${scenarios.tripPlanner.workflowId}`).length).toBeLessThanOrEqual(3);
	});

	it("as the AI Agent's tool: the model is asked for each input by name, type and description, and the run gets them typed", () => {
		const [first] = completionsFor('days');
		const tools = (body(first).tools as Array<{ function: { parameters: { properties: Record<string, { type?: string; description?: string }>; required?: string[] } } }>) ?? [];
		const properties = tools[0].function.parameters.properties;
		expect(Object.keys(properties).sort()).toEqual(['city', 'days', 'interests']);
		expect(properties.days).toMatchObject({ type: 'number', description: expect.stringContaining('How many days the trip lasts (integer, required)') });
		expect(properties.city).toMatchObject({ type: 'string', description: expect.stringContaining('The city to visit') });
		const [post] = runsOf(scenarios.tripPlanner.workflowId).filter((r) => (body(r).parameters as { city?: string }).city === 'Osaka');
		expect(post.body).toEqual({ workflow_id: scenarios.tripPlanner.workflowId, parameters: { city: 'Osaka', days: 2, interests: ['ramen'] } });
		const [answer] = nodeItems(executed.run, 'Trip Agent');
		expect(String(answer.json.output)).toContain('A 2-day trip to Osaka, for ramen.');
	});

	itNeverPrintsTheToken(executed);
});
