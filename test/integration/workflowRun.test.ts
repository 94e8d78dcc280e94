import { NodeApiError, NodeOperationError, type StructuredChunk } from 'n8n-workflow';

import { USER_ID_DEFAULT } from '../../nodes/CozeChat/actions/descriptions';
import { FRAMINGS } from '../emulator/sse';
import { scenarios, WORKFLOW_USAGE } from '../emulator/workflowScenarios';
import { rejectionOf } from './helpers';
import { runParams, runWorkflowNode, workflowParams } from './workflowHelpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

const JOKE = '为什么小明要带一把尺子去看电影？\n因为他听说电影很长，怕坐不下！';
const posts = (path = '/v1/workflow/stream_run') => emulator.requestsTo(path);

describe('Workflow → Run (stream, the default)', () => {
	it.each(Object.entries(FRAMINGS))('aggregates the docs stream with %s framing', async (_name, framing) => {
		emulator.framing = framing;
		const [item] = await runWorkflowNode(emulator, runParams('docsStream'));
		expect(item.json).toEqual({
			status: 'completed',
			output: { output: JOKE },
			messages: [{ node_title: 'Message', content: `msg${JOKE}` }],
			usage: WORKFLOW_USAGE,
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		const [post] = posts();
		expect(post.headers.accept).toBe('text/event-stream');
		expect(post.body).toEqual({ workflow_id: scenarios.docsStream.workflowId, parameters: {} });
	});

	it('sends typed parameter fields, the bot, ext and the workflow version', async () => {
		const [item] = await runWorkflowNode(
			emulator,
			runParams('echo', {
				parametersInput: 'fields',
				parametersUi: {
					entries: [
						{ name: 'user_name', type: 'string', value: 'George' },
						{ name: 'count', type: 'number', value: '3' },
						{ name: 'strict', type: 'boolean', value: 'true' },
						{ name: 'tags', type: 'json', value: '["a","b"]' },
					],
				},
				associateWith: 'bot',
				botId: { __rl: true, mode: 'id', value: '7400000000000000001' },
				options: { ext: { user_id: 'customer-42', latitude: '39.9' }, workflowVersion: 'v0.0.5' },
			}),
		);
		const parameters = { user_name: 'George', count: 3, strict: true, tags: ['a', 'b'] };
		expect(item.json).toMatchObject({
			status: 'completed',
			output: {
				output: 'Hello, George!',
				echo: { parameters, ext: { user_id: 'customer-42', latitude: '39.9' }, bot_id: '7400000000000000001', workflow_version: 'v0.0.5' },
			},
			messages: [],
			debug_url: expect.stringContaining('https://www.coze.cn/work_flow?execute_id='),
		});
		expect(item.json.execute_id).toMatch(/^\d{19}$/);
		expect(item.json.debug_url).toContain(`execute_id=${item.json.execute_id as string}`);
		expect(posts()[0].body).not.toHaveProperty('app_id');
	});

	it("Extra Fields → User ID, added as it comes, is Send Message's default user; emptied, none is sent", async () => {
		// The option's default as the editor fills it in when the option is added (descriptions.ts).
		const withUser = (user_id: string) => runParams('echo', { parametersInput: 'json', parametersJson: '{"user_name":"Ada"}', options: { ext: { user_id } } });
		await runWorkflowNode(emulator, withUser(USER_ID_DEFAULT), { items: [{ json: { sessionId: 'session-9' } }] });
		expect((posts()[0].body as { ext: object }).ext).toEqual({ user_id: 'session-9' });
		await runWorkflowNode(emulator, withUser(USER_ID_DEFAULT));
		expect((posts()[1].body as { ext: object }).ext).toEqual({ user_id: 'n8n-workflow-harness-workflow' });
		await runWorkflowNode(emulator, withUser(''));
		expect(posts()[2].body).not.toHaveProperty('ext');
	});

	it('takes parameters as JSON and runs in an app', async () => {
		const [item] = await runWorkflowNode(
			emulator,
			runParams('echo', { parametersInput: 'json', parametersJson: '{"user_name":"Ada","n":7382159487131697209}', associateWith: 'app', appId: '7439828073000000001' }),
		);
		expect(item.json.output).toMatchObject({ output: 'Hello, Ada!', echo: { app_id: '7439828073000000001' } });
		expect(posts()[0].body).not.toHaveProperty('bot_id');
	});

	it('sends 19-digit integers given as JSON text with all their digits, as numbers (JSON.parse would round them)', async () => {
		// 7382159487131697209 as a JavaScript number is 7382159487131697000: the emulator reads the body's text.
		await runWorkflowNode(
			emulator,
			runParams('echo', {
				parametersInput: 'json',
				parametersJson: '{"user_name":"Ada","n":7382159487131697209,"nested":{"ids":[-7382159487131697211,2]},"note":"7382159487131697209"}',
			}),
		);
		expect(posts()[0].text).toContain(
			'"parameters":{"user_name":"Ada","n":7382159487131697209,"nested":{"ids":[-7382159487131697211,2]},"note":"7382159487131697209"}',
		);
		// Typed fields: a Number field and a JSON field.
		await runWorkflowNode(
			emulator,
			runParams('echo', {
				parametersInput: 'fields',
				parametersUi: {
					entries: [
						{ name: 'id', type: 'number', value: '7522804697494000001' },
						{ name: 'ids', type: 'json', value: '[7522804697494000003]' },
					],
				},
			}),
		);
		expect(posts()[1].text).toContain('"parameters":{"id":7522804697494000001,"ids":[7522804697494000003]}');
	});

	it('keeps the digits through the check against the workflow\'s inputs (integer, nested integer, string)', async () => {
		await runWorkflowNode(
			emulator,
			workflowParams('run', scenarios.tripPlanner.workflowId, {
				parametersInput: 'json',
				parametersJson: '{"city":7382159487131697209,"days":7382159487131697209,"traveller":{"name":"Ada","age":7382159487131697211}}',
			}),
		);
		expect(posts()[0].text).toContain(
			'"parameters":{"city":"7382159487131697209","days":7382159487131697209,"traveller":{"name":"Ada","age":7382159487131697211}}',
		);
	});

	it('uploads binary fields for file parameters and sends {"file_id": …}', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		const [item] = await runWorkflowNode(
			emulator,
			runParams('echo', { options: { fileParameters: { entries: [{ name: 'image', binaryField: 'data' }] } } }),
			{ items: [{ json: {}, binary: { data: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'pixel.png' } } }] },
		);
		expect((item.json.output as { echo: { files: string[] } }).echo.files).toEqual(['pixel.png']);
		const image = (posts()[0].body as { parameters: { image: string } }).parameters.image;
		const fileId = (JSON.parse(image) as { file_id: string }).file_id;
		expect(emulator.files.get(fileId)?.bytes).toEqual(png);
	});

	it('checks every field before uploading anything', async () => {
		const error = await rejectionOf(
			runWorkflowNode(emulator, runParams('echo', { options: { fileParameters: { entries: [{ name: 'image', binaryField: 'missing' }] } } })),
		);
		expect(error.message).toContain('missing');
		expect(emulator.requests).toHaveLength(0);
	});

	it('keeps Output-node messages apart, with node ids, and the End result', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('twoOutputs'));
		expect(item.json).toMatchObject({
			output: { summary: 'Outline and draft are ready.', words: 7 },
			messages: [
				{ node_title: 'Outline', node_id: '100001', content: '1. Intro 2. Details' },
				{ node_title: 'Draft', node_id: '100002', content: 'Coze workflows stream their output.' },
			],
		});
	});

	it('gives a text-mode End node\'s answer as a string', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('textEnd'));
		expect(item.json.output).toBe('It is sunny in Hangzhou.');
	});

	it('reports an interrupt with everything Resume needs', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('question'));
		expect(item.json).toMatchObject({
			status: 'interrupted',
			output: null,
			messages: [{ node_title: '问答', content: '请问你想查看哪个城市、哪一天的天气呢' }],
			interrupt: { event_id: expect.stringMatching(/^\d{19}\/\d+$/), type: 2, node_title: '问答', data: '', required_parameters: {} },
		});
		expect(item.json.execute_id).toBe((item.json.interrupt as { event_id: string }).event_id.split('/')[0]);
	});
});

describe('Workflow → Run failures', () => {
	it('turns an Error event into an n8n error with Coze\'s code, message, hint and logid', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('cozepyError')));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Coze error 4000: The Coze workflow failed: Request parameter error');
		expect(String(error.description)).toContain('Start node inputs');
		expect(String(error.description)).toMatch(/logid: \w+EMU/);
	});

	it('never outputs a partial result when a packet is lost', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('lostPacket')));
		expect(error.message).toContain("Coze's stream lost packets: event 3 arrived after 1, so event 2 is missing");
		expect(posts()).toHaveLength(1);
	});

	it('does not re-run a broken stream and says so', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('broken')));
		expect(error.message).toContain('The Coze workflow stream broke off');
		expect(error.message).toContain('The run was not started again');
		expect(String(error.description)).toContain('Get Run History');
		// The schema check first, then the one run.
		expect(emulator.requests.map((r) => r.path)).toEqual([`/v1/workflows/${scenarios.broken.workflowId}`, '/v1/workflow/stream_run']);
	});

	it('stops reading at the timeout and says the run may go on', async () => {
		emulator.workflows.options.delayScale = 4;
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('slow', { options: { timeout: 1 } })));
		expect(error.message).toContain('did not finish within 1 s');
		expect(error.message).toContain('may still be running');
		expect(String(error.description)).toContain('Mode: Async');
		expect(emulator.requests.map((r) => r.path)).toEqual([`/v1/workflows/${scenarios.slow.workflowId}`, '/v1/workflow/stream_run']);
	});

	it('explains 4200 for workflows', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('echo', { workflowId: { __rl: true, mode: 'id', value: '7599999999999999999' } })));
		expect(error.message).toContain('Coze error 4200');
		expect(String(error.description)).toContain('workflow is published');
	});

	it('names the field for a bad workflow id, parameter or app id', async () => {
		for (const [params, text] of [
			[runParams('echo', { workflowId: { __rl: true, mode: 'id', value: 'abc' } }), "Workflow: 'abc' is not a Coze workflow ID"],
			[runParams('echo', { parametersInput: 'fields', parametersUi: { entries: [{ name: 'n', type: 'number', value: 'x' }] } }), "Parameter 'n': 'x' is not a number"],
			[runParams('echo', { parametersInput: 'json', parametersJson: '[1]' }), 'Parameters (JSON) must be a JSON object'],
			[runParams('echo', { associateWith: 'app', appId: '' }), 'App ID is empty'],
		] as const) {
			const error = await rejectionOf(runWorkflowNode(emulator, params));
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toContain(text);
		}
		expect(emulator.requests).toHaveLength(0);
	});

	it('accepts a workflow editor URL, also an app\'s', async () => {
		for (const url of [
			`https://www.coze.cn/work_flow?space_id=7498204883280400001&workflow_id=${scenarios.echo.workflowId}`,
			`https://www.coze.cn/space/7391741573409210000/project-ide/7439961051225210000/workflow/${scenarios.echo.workflowId}`,
		]) {
			const [item] = await runWorkflowNode(emulator, runParams('echo', { workflowId: { __rl: true, mode: 'url', value: url } }));
			expect(item.json.status).toBe('completed');
		}
		expect(posts().map((p) => (p.body as { workflow_id: string }).workflow_id)).toEqual([scenarios.echo.workflowId, scenarios.echo.workflowId]);
	});

	it('Continue On Fail: one item per input, the failure as an error item with code and logid', async () => {
		const out = await runWorkflowNode(
			emulator,
			runParams('echo', { workflowId: { __rl: true, mode: 'id', value: '={{ $json.wf }}' } }),
			{
				continueOnFail: true,
				items: [{ json: { wf: scenarios.echo.workflowId } }, { json: { wf: scenarios.cozepyError.workflowId } }, { json: { wf: scenarios.textEnd.workflowId } }],
			},
		);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.status).toBe('completed');
		expect(out[1].json).toMatchObject({ error: 'Coze error 4000: The Coze workflow failed: Request parameter error', code: 4000 });
		expect(out[1].json.logid).toEqual(expect.any(String));
		expect(out[2].json.output).toBe('It is sunny in Hangzhou.');
	});

	it('Continue On Fail keeps the execute_id and debug_url of a failed run', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('fails'), { continueOnFail: true });
		expect(item.json).toMatchObject({ code: 720701013, error: expect.stringContaining('division by zero') });
		// The cloud Error event carries no debug_url: nothing to add, and nothing made up.
		expect(item.json).not.toHaveProperty('debug_url');
	});
});

describe('Items in Parallel', () => {
	it('runs several items at once, keeping order and pairedItem', async () => {
		emulator.workflows.options.delayScale = 0.5;
		const items = Array.from({ length: 6 }, (_, i) => ({ json: { name: `user ${i}` } }));
		const out = await runWorkflowNode(
			emulator,
			runParams('slow', { options: { concurrency: 3 } }),
			{ items },
		);
		expect(out.map((i) => i.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
		expect(out.every((i) => (i.json.output as { output: string }).output === 'Report ready')).toBe(true);
		expect(emulator.workflows.maxOpenStreams).toBe(3);
	});
});

describe('Live streaming to a Chat Trigger / streaming Webhook', () => {
	const collect = () => {
		const chunks: StructuredChunk[] = [];
		return { chunks, onChunk: (chunk: StructuredChunk) => void chunks.push(chunk) };
	};

	it('forwards Output-node text as it arrives, then the End result\'s text', async () => {
		const { chunks, onChunk } = collect();
		const [item] = await runWorkflowNode(emulator, runParams('docsStream'), { onChunk });
		expect(chunks.map((c) => c.type)).toEqual(['begin', 'item', 'item', 'item', 'item', 'item', 'item', 'end']);
		expect(chunks.filter((c) => c.type === 'item').map((c) => c.content)).toEqual([
			'msg',
			'为',
			'什么小明要带一把尺子去看电影？\n因',
			'为他听说电影很长，怕',
			'坐不下！',
			`\n\n${JOKE}`,
		]);
		expect(item.json.output).toEqual({ output: JOKE });
	});

	it('streams a text End node once, and can be turned off', async () => {
		const live = collect();
		await runWorkflowNode(emulator, runParams('textEnd'), { onChunk: live.onChunk });
		expect(live.chunks.filter((c) => c.type === 'item').map((c) => c.content).join('')).toBe('It is sunny in Hangzhou.');
		const off = collect();
		await runWorkflowNode(emulator, runParams('textEnd', { options: { enableStreaming: false } }), { onChunk: off.onChunk });
		expect(off.chunks).toEqual([]);
	});

	it('a chatflow nested in a workflow, its answer streamed again by the End node (coze-studio #2281): shown once, counted once', async () => {
		const live = collect();
		const [item] = await runWorkflowNode(emulator, runParams('nestedChatflow'), { onChunk: live.onChunk });
		expect(live.chunks.filter((c) => c.type === 'item').map((c) => c.content).join('')).toBe('Kyoto is best in autumn.');
		expect(item.json).toMatchObject({ status: 'completed', output: 'Kyoto is best in autumn.', messages: [] });
	});
});
