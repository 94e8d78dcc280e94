import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { EMULATOR_TOKEN } from '../emulator/server';
import { CHATFLOW_IDS } from '../emulator/workflows';
import { scenarios } from '../emulator/workflowScenarios';
import { runListSearch } from '../harness';
import { rejectionOf } from './helpers';
import { runParams, runWorkflowNode, workflowParams } from './workflowHelpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();
beforeEach(() => {
	emulator.workflows.options.dialect = 'studio';
});

const JOKE = '为什么小明要带一把尺子去看电影？\n因为他听说电影很长，怕坐不下！';
const search = (method: string, filter?: string) =>
	runListSearch({
		node: new CozeChat(),
		credentialType: new CozeApi(),
		credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
		method,
		filter,
	});

describe('Coze Studio (custom base URL)', () => {
	it.each([true, false])('streams a run with lowercase=%s event names and node_type', async (lowercase) => {
		emulator.workflows.options.lowercaseEvents = lowercase;
		const [item] = await runWorkflowNode(emulator, runParams('docsStream'));
		expect(item.json).toMatchObject({
			status: 'completed',
			output: { output: JOKE },
			messages: [{ node_title: 'Message', node_id: 'message-node', content: `msg${JOKE}` }],
			debug_url: expect.stringContaining('execute_id='),
		});
	});

	it('sends the workflow version also as Studio\'s `version`', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('echo', { options: { workflowVersion: 'v0.0.2' } }));
		expect(item.json.output).toMatchObject({ echo: { workflow_version: 'v0.0.2' } });
		expect(emulator.requestsTo('/v1/workflow/stream_run')[0].body).toMatchObject({ version: 'v0.0.2', workflow_version: 'v0.0.2' });
	});

	it('reports a plain-text error event (a failure while Studio reads the run)', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('broken')));
		expect(error.message).toBe('The Coze workflow failed: workflow stream recv failed: context canceled\nexecute interrupted');
	});

	it('interrupt without node_title, then a lowercase resume stream', async () => {
		emulator.workflows.options.lowercaseEvents = true;
		const [interrupted] = await runWorkflowNode(emulator, runParams('question'));
		expect(interrupted.json).toMatchObject({ status: 'interrupted', interrupt: { type: 2, node_title: '' }, debug_url: expect.any(String) });
		const [item] = await runWorkflowNode(
			emulator,
			workflowParams('resume', scenarios.question.workflowId, { eventId: '={{ $json.interrupt.event_id }}', interruptType: '={{ $json.interrupt.type }}', resumeData: 'Shanghai' }),
			{ items: [interrupted] },
		);
		expect(item.json.output).toEqual({ output: 'Shanghai: sunny, 24°C' });
	});

	it('Get Run History falls back to /v1/workflow/get_run_history and keeps the 19-digit id exact', async () => {
		const [run] = await runWorkflowNode(emulator, runParams('echo'));
		emulator.requests.length = 0;
		const [item] = await runWorkflowNode(emulator, workflowParams('getRunHistory', scenarios.echo.workflowId, { executeId: run.json.execute_id as string }));
		expect(item.json).toMatchObject({
			execute_id: run.json.execute_id,
			status: 'completed',
			output: { output: 'Hello, guest!' },
			logid: expect.any(String),
			error: null,
		});
		expect(emulator.requests.map((r) => `${r.path}?${new URLSearchParams(r.query).toString()}`)).toEqual([
			`/v1/workflows/${scenarios.echo.workflowId}/run_histories/${run.json.execute_id as string}?`,
			`/v1/workflow/get_run_history?workflow_id=${scenarios.echo.workflowId}&execute_id=${run.json.execute_id as string}`,
		]);
	});

	it('an async run polls get_run_history after one try of the cloud path', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('slow', { runMode: 'async', options: { pollInterval: 0.2 } }));
		expect(item.json).toMatchObject({ status: 'completed', output: { output: 'Report ready' } });
		const cloud = emulator.requests.filter((r) => r.path.includes('/run_histories/'));
		const studio = emulator.requests.filter((r) => r.path === '/v1/workflow/get_run_history');
		expect(cloud).toHaveLength(1);
		expect(studio.length).toBeGreaterThanOrEqual(2);
	});

	// Studio stores an interrupted run with status 5, which its WorkflowExeStatus.String() turns into
	// "<UNSET>", and its history has no interrupt_data (coze-studio application/workflow/workflow.go
	// OpenAPIGetWorkflowRunHistory, domain/workflow/entity/workflow_execution.go).
	it('an async run that stops at a question node is interrupted, not running until the timeout', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('question', { runMode: 'async', options: { pollInterval: 0.2, timeout: 5 } }));
		expect(item.json).toMatchObject({ status: 'interrupted', output: null });
		const histories = emulator.requests.filter((r) => r.path === '/v1/workflow/get_run_history');
		expect(histories.length).toBeLessThan(5);
	});

	it('Get Run History of an interrupted run says interrupted ("<UNSET>" on Studio)', async () => {
		const [run] = await runWorkflowNode(emulator, runParams('question'));
		const [item] = await runWorkflowNode(emulator, workflowParams('getRunHistory', scenarios.question.workflowId, { executeId: run.json.execute_id as string }));
		expect(item.json).toMatchObject({ execute_status: '<UNSET>', status: 'interrupted', output: null, error: null });
	});

	it('a chatflow question ends with requires_action (no required_action payload)', async () => {
		const [item] = await runWorkflowNode(
			emulator,
			workflowParams('chat', CHATFLOW_IDS.question, { message: 'weather?', associateWith: 'bot', botId: { __rl: true, mode: 'id', value: '7400000000000000001' } }),
		);
		expect(item.json).toMatchObject({ status: 'requires_action', interrupt: { question: 'Which city?' } });
	});

	it('the workflow picker says to use By URL or ID', async () => {
		const error = await rejectionOf(search('searchWorkflows'));
		expect(error.message).toContain('choose By URL or ID');
	});
});

describe('Workflow picker (Coze cloud)', () => {
	beforeEach(() => {
		emulator.workflows.options.dialect = 'cloud';
	});

	it('lists published workflows, filtered, each with its editor URL', async () => {
		const all = await search('searchWorkflows');
		expect(all.results.length).toBeGreaterThan(10);
		expect(all.results.every((r) => !String(r.name).includes('chatflow'))).toBe(true);
		const filtered = await search('searchWorkflows', 'question');
		expect(filtered.results.map((r) => r.value)).toContain(scenarios.question.workflowId);
		expect(filtered.results.every((r) => String(r.name).toLowerCase().includes('question'))).toBe(true);
		const request = emulator.requestsTo('/v1/workflows')[0];
		expect(request.query).toMatchObject({ workflow_mode: 'workflow', publish_status: 'published_online', workspace_id: '7400000000000100001' });
	});

	it('lists chatflows for Chat With Chatflow', async () => {
		const chatflows = await search('searchChatflows');
		expect(chatflows.results.map((r) => r.value).sort()).toEqual(expect.arrayContaining(Object.values(CHATFLOW_IDS)));
		expect(chatflows.results.map((r) => r.value)).not.toContain(scenarios.echo.workflowId);
	});
});
