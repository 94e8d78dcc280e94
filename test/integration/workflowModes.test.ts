import { NodeApiError } from 'n8n-workflow';

import { scenarios, WORKFLOW_USAGE } from '../emulator/workflowScenarios';
import { rejectionOf } from './helpers';
import { runParams, runWorkflowNode, workflowParams } from './workflowHelpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

const paths = () => emulator.requests.map((r) => `${r.method} ${r.path}`);

describe('Workflow → Run, Synchronous', () => {
	it('decodes the double-encoded data and keeps debug_url, usage and the execute id', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('echo', { runMode: 'sync', parametersInput: 'fields', parametersUi: { entries: [{ name: 'user_name', type: 'string', value: 'Lin' }] } }));
		expect(item.json).toMatchObject({
			status: 'completed',
			output: { output: 'Hello, Lin!', echo: { parameters: { user_name: 'Lin' } } },
			messages: [],
			usage: WORKFLOW_USAGE,
			debug_url: expect.stringContaining('execute_id='),
		});
		expect(item.json.execute_id).toMatch(/^\d{19}$/);
		expect(paths()).toEqual([`GET /v1/workflows/${scenarios.echo.workflowId}`, 'POST /v1/workflow/run']);
		expect(emulator.requests[1].body).not.toHaveProperty('is_async');
	});

	it('explains the refusal of workflows with Output nodes and points to Stream', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('docsStream', { runMode: 'sync' })));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('Coze error 4000');
		expect(String(error.description)).toContain('refuses workflows with Output nodes');
		expect(String(error.description)).toContain('Mode: Stream');
	});

	it('explains the 90 s cut (here shortened) without running the workflow again', async () => {
		emulator.workflows.options.syncLimitMs = 300;
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('slow', { runMode: 'sync' })));
		expect(error.message).toMatch(/Could not reach Coze|socket hang up|ECONNRESET/);
		expect(String(error.description)).toContain('ends the connection after 90 s');
		expect(String(error.description)).toContain('was not started again');
		expect(paths()).toEqual([`GET /v1/workflows/${scenarios.slow.workflowId}`, 'POST /v1/workflow/run']);
	});

	it('reports a synchronous interrupt', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('input', { runMode: 'sync' }));
		expect(item.json).toMatchObject({
			status: 'interrupted',
			output: null,
			interrupt: { type: 5, required_parameters: { name: { type: 'string', required: true } } },
		});
	});
});

describe('Workflow → Run, Async', () => {
	it('polls the run history from Running to Success', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('slow', { runMode: 'async', options: { pollInterval: 0.2 } }));
		expect(item.json).toMatchObject({ status: 'completed', output: { output: 'Report ready' }, messages: [], usage: WORKFLOW_USAGE });
		expect(emulator.requests.find((r) => r.path === '/v1/workflow/run')?.body).toMatchObject({ is_async: true });
		const histories = emulator.requests.filter((r) => r.path.includes('/run_histories/'));
		expect(histories.length).toBeGreaterThanOrEqual(2);
		expect(histories[0].path).toBe(`/v1/workflows/${scenarios.slow.workflowId}/run_histories/${item.json.execute_id as string}`);
	});

	it('fails with the history\'s error code and message, execute_id and debug_url when the run fails', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('fails', { runMode: 'async', options: { pollInterval: 0.1 } })));
		expect(error.message).toBe("Coze error 720701013: The Coze workflow failed: Node 'Code' failed: division by zero");
		expect(String(error.description)).toMatch(/execute_id: \d{19}/);
		expect(String(error.description)).toContain('debug_url: https://www.coze.cn/work_flow?execute_id=');
	});

	it('reads a trimmed Output node from execute_nodes', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('trimmed', { runMode: 'async', options: { pollInterval: 0.1 } }));
		expect(item.json).toMatchObject({
			status: 'completed',
			output: { ok: true, size: 5000 },
			messages: [{ node_title: 'Big Output', node_id: '100003', node_execute_uuid: '7500000000000100003', content: 'x'.repeat(5000) }],
		});
		expect(paths()).toContain(`GET /v1/workflows/${scenarios.trimmed.workflowId}/run_histories/${item.json.execute_id as string}/execute_nodes/7500000000000100003`);
	});

	it('waits for an Output node that execute_nodes says is not finished, and takes its final content', async () => {
		emulator.workflows.options.nodeFinishLagMs = 700;
		const [item] = await runWorkflowNode(emulator, runParams('trimmed', { runMode: 'async', options: { pollInterval: 0.2 } }));
		expect(item.json.messages).toEqual([{ node_title: 'Big Output', node_id: '100003', node_execute_uuid: '7500000000000100003', content: 'x'.repeat(5000) }]);
		expect(item.json).not.toHaveProperty('unfinished_nodes');
		const reads = paths().filter((p) => p.includes('/execute_nodes/'));
		expect(reads.length).toBeGreaterThanOrEqual(2);
	});

	it('an Output node still unfinished at the Timeout fails the item, never returns its partial content', async () => {
		emulator.workflows.options.nodeFinishLagMs = 60_000;
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('trimmed', { runMode: 'async', options: { pollInterval: 0.2, timeout: 1.5 } })));
		expect(error.message).toContain("Output node 'Big Output' had not finished after 1.5 s");
		expect(String(error.description)).toContain('Get Run History');
		expect(String(error.description)).toMatch(/execute_id: \d{19}/);
	});

	it('says the Output node had not finished when the Timeout strikes during a re-read of it', async () => {
		emulator.workflows.options.nodeFinishLagMs = 60_000;
		emulator.workflows.options.nodeRereadDelayMs = 5_000;
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('trimmed', { runMode: 'async', options: { pollInterval: 0.2, timeout: 1.5 } })));
		expect(error.message).toContain("Output node 'Big Output' had not finished after 1.5 s");
		expect(String(error.description)).toMatch(/execute_id: \d{19}/);
	});

	it('gives up at the timeout with the execute id to look it up later', async () => {
		emulator.workflows.options.delayScale = 20;
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('slow', { runMode: 'async', options: { pollInterval: 0.2, timeout: 1 } })));
		expect(error.message).toContain('still running after 1 s');
		expect(String(error.description)).toContain('Get Run History');
		expect(String(error.description)).toMatch(/execute_id: \d{19}/);
	});

	it('Continue On Fail turns a failed async run into an error item with its execute_id', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('fails', { runMode: 'async', options: { pollInterval: 0.1 } }), { continueOnFail: true });
		expect(item.json).toMatchObject({ code: 720701013, execute_id: expect.stringMatching(/^\d{19}$/), debug_url: expect.stringContaining('work_flow') });
	});
});

describe('Workflow → Get Run History', () => {
	it('returns status, decoded output, Output-node contents, usage and node statuses', async () => {
		const [run] = await runWorkflowNode(emulator, runParams('twoOutputs'));
		const [item] = await runWorkflowNode(
			emulator,
			workflowParams('getRunHistory', scenarios.twoOutputs.workflowId, { executeId: run.json.execute_id as string }),
		);
		expect(item.json).toMatchObject({
			execute_id: run.json.execute_id,
			execute_status: 'Success',
			status: 'completed',
			output: { summary: 'Outline and draft are ready.', words: 7 },
			messages: [
				{ node_title: 'Outline', content: '1. Intro 2. Details' },
				{ node_title: 'Draft', content: 'Coze workflows stream their output.' },
			],
			error: null,
			usage: WORKFLOW_USAGE,
			debug_url: run.json.debug_url,
			run_mode: 1,
			is_output_trimmed: false,
			node_execute_status: [
				{ node_title: 'Outline', node_id: '100001', node_execute_uuid: '7500000000000100001', is_finish: true },
				{ node_title: 'Draft', node_id: '100002', node_execute_uuid: '7500000000000100002', is_finish: true },
			],
		});
		expect(item.json).not.toHaveProperty('outputReadable');
	});

	it('reports a failed run as data, not as an error', async () => {
		const run = await rejectionOf(runWorkflowNode(emulator, runParams('fails')));
		expect(run.message).toContain('division by zero');
		const started = emulator.workflows.runs;
		const executeId = [...started.values()].filter((r) => r.scenario.name === 'fails').pop()!.executeId;
		const [item] = await runWorkflowNode(emulator, workflowParams('getRunHistory', scenarios.fails.workflowId, { executeId }));
		expect(item.json).toMatchObject({ status: 'failed', execute_status: 'Fail', output: null, error: { code: 720701013, message: "Node 'Code' failed: division by zero" } });
	});

	it('fetches trimmed Output nodes, and says which execute id is unknown', async () => {
		const [run] = await runWorkflowNode(emulator, runParams('trimmed'));
		const [item] = await runWorkflowNode(emulator, workflowParams('getRunHistory', scenarios.trimmed.workflowId, { executeId: run.json.execute_id as string }));
		expect(item.json).toMatchObject({ is_output_trimmed: true, messages: [{ node_title: 'Big Output', content: 'x'.repeat(5000) }] });
		const error = await rejectionOf(runWorkflowNode(emulator, workflowParams('getRunHistory', scenarios.trimmed.workflowId, { executeId: '7000000000000000001' })));
		expect(error.message).toContain('Coze error 4000');
		const bad = await rejectionOf(runWorkflowNode(emulator, workflowParams('getRunHistory', scenarios.trimmed.workflowId, { executeId: 'x1' })));
		expect(bad.message).toContain("Execute ID: 'x1' is not a Coze ID");
	});

	it('reports an Output node that execute_nodes says is not finished as unfinished, not as its output', async () => {
		const [run] = await runWorkflowNode(emulator, runParams('trimmed'));
		emulator.workflows.options.nodeFinishLagMs = 60_000;
		const [item] = await runWorkflowNode(emulator, workflowParams('getRunHistory', scenarios.trimmed.workflowId, { executeId: run.json.execute_id as string }));
		expect(item.json).toMatchObject({
			unfinished_nodes: ['Big Output'],
			messages: [{ node_title: 'Big Output', is_finish: false, content: 'x'.repeat(2500) }],
		});
	});
});
