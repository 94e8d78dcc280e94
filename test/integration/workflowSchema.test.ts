/**
 * Workflow parameters from the workflow's own schema (GET /v1/workflows/{id}?include_input_output):
 * the Parameters form's fields, the check before a run, the chatflow's system inputs, servers
 * without a schema, one schema request per execution.
 */
import { NodeOperationError, type INodeParameters } from 'n8n-workflow';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { EMULATOR_TOKEN, type CozeEmulator } from '../emulator/server';
import { CHATFLOW_IDS } from '../emulator/workflows';
import { scenarios } from '../emulator/workflowScenarios';
import { runNode, runResourceMapping } from '../harness';
import { rejectionOf, runCoze } from './helpers';
import { runParams, runWorkflowNode, workflowParams } from './workflowHelpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();
const TRIP = scenarios.tripPlanner.workflowId;

const schemaRequests = () => emulator.requests.filter((r) => r.method === 'GET' && /^\/v1\/workflows\/\d+$/.test(r.path));
const runs = () => emulator.requests.filter((r) => r.path === '/v1/workflow/stream_run');

const mapped = (value: Record<string, unknown> | null): INodeParameters => ({
	workflowInputs: { mappingMode: 'defineBelow', value: value as never, matchingColumns: [], schema: [] },
});

async function fieldsOf(em: CozeEmulator, parameters: INodeParameters, nodeTypeName?: string) {
	return await runResourceMapping({
		node: new CozeChat(),
		credentialType: new CozeApi(),
		credentials: { region: 'custom', baseUrl: em.url, accessToken: EMULATOR_TOKEN },
		method: 'getWorkflowInputs',
		parameters: { authentication: 'accessToken', resource: 'workflow', ...parameters },
		nodeTypeName,
	});
}

describe('the Parameters form (resource mapper) from the workflow schema', () => {
	it('one field per Start-node input: Coze order, n8n type, required marked, description in the label where it fits, untouched fields send nothing', async () => {
		const { fields } = await fieldsOf(emulator, { operation: 'run', workflowId: { __rl: true, mode: 'list', value: TRIP } });
		// JSON inputs are text fields (n8n's JSON editor marks an empty one as an error), an optional
		// switch a choice whose first option sends nothing (n8n fills an untouched switch with false).
		expect(fields.map((f) => [f.id, f.type, f.required])).toEqual([
			['city', 'string', true],
			['days', 'number', true],
			['budget', 'number', false],
			['hotel', 'options', false],
			['interests', 'string', false],
			['traveller', 'string', false],
			['photo', 'string', false],
		]);
		// The workflow's description joins the name where the label still fits n8n 2.x's room (30 characters).
		expect(fields.map((f) => f.displayName)).toEqual([
			'city — The city to visit',
			'days',
			'budget — Budget per day in CNY',
			'hotel',
			'interests (JSON array)',
			'traveller (JSON object)',
			'photo (file URL or ID)',
		]);
		expect(fields[3].defaultValue).toBe('');
		expect(fields[3].options).toEqual([
			{ name: "Not Sent (the Workflow's Default: false)", value: '' },
			{ name: 'True', value: true },
			{ name: 'False', value: false },
		]);
		expect(fields.filter((f) => f.id !== 'hotel').every((f) => f.defaultValue === undefined)).toBe(true);
		expect(fields.every((f) => f.display && !f.defaultMatch)).toBe(true);
		expect(emulator.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v1/workflows/${TRIP}`, query: { include_input_output: 'true' } });
	});

	it('as an AI Agent tool every field starts as $fromAI with the name, the workflow\'s description and the type', async () => {
		const { fields } = await fieldsOf(emulator, { operation: 'run', workflowId: { __rl: true, mode: 'id', value: TRIP } }, 'cozeChatTool');
		expect(fields.find((f) => f.id === 'days')?.defaultValue).toBe(
			"={{ $fromAI('days', 'How many days the trip lasts (integer, required) A whole number.', 'number') }}",
		);
		expect(fields.find((f) => f.id === 'interests')?.defaultValue).toBe("={{ $fromAI('interests', 'What the traveller likes (array of string, optional)', 'json') }}");
		expect(fields.find((f) => f.id === 'traveller')?.defaultValue).toContain('Fields: name (string, required), age (integer).');
		expect(fields.find((f) => f.id === 'photo')?.defaultValue).toContain('A public URL of the file.');
	});

	it("a chatflow's form leaves out USER_INPUT and CONVERSATION_NAME (the node fills them)", async () => {
		const { fields } = await fieldsOf(emulator, { operation: 'chat', workflowId: { __rl: true, mode: 'id', value: CHATFLOW_IDS.echo } });
		expect(fields.map((f) => f.id)).toEqual(['tone']);
	});

	it('says why there are no fields: no workflow chosen, a workflow without a schema, Coze Studio', async () => {
		expect((await fieldsOf(emulator, { operation: 'run', workflowId: { __rl: true, mode: 'list', value: '' } })).emptyFieldsNotice).toContain('Choose a workflow');
		const older = await fieldsOf(emulator, { operation: 'run', workflowId: { __rl: true, mode: 'id', value: scenarios.echo.workflowId } });
		expect(older.fields).toEqual([]);
		expect(older.emptyFieldsNotice).toContain("answered without the workflow's inputs");
		expect(older.emptyFieldsNotice).toContain('Using JSON');
		emulator.workflows.options.dialect = 'studio';
		const studio = await fieldsOf(emulator, { operation: 'run', workflowId: { __rl: true, mode: 'id', value: TRIP } });
		expect(studio.emptyFieldsNotice).toContain('777777780');
		expect(studio.emptyFieldsNotice).toContain('Using Fields Below or Using JSON');
	});
});

describe('parameters checked before the run', () => {
	it('typed form values run the workflow: numbers, booleans, arrays and objects reach Coze as such', async () => {
		const [item] = await runWorkflowNode(
			emulator,
			runParams('tripPlanner', mapped({ city: 'Kyoto', days: 3, budget: null, hotel: true, interests: '["temples","food"]', traveller: { name: 'Ada', age: '36' } })),
		);
		expect(item.json.output).toMatchObject({ plan: 'A 3-day trip to Kyoto, for temples and food, hotel booked.' });
		expect(runs()[0].body).toMatchObject({ parameters: { city: 'Kyoto', days: 3, hotel: true, interests: ['temples', 'food'], traveller: { name: 'Ada', age: 36 } } });
		expect((runs()[0].body as { parameters: object }).parameters).not.toHaveProperty('budget');
	});

	it('a form as the editor leaves it (untouched choice, emptied fields) sends only what was filled; a file ID from File → Upload goes as {"file_id"}', async () => {
		const [item] = await runWorkflowNode(
			emulator,
			runParams('tripPlanner', mapped({ city: 'Kyoto', days: 2, budget: '', hotel: '', interests: '', traveller: null, photo: '' })),
		);
		expect(item.json.output).toMatchObject({ plan: 'A 2-day trip to Kyoto.' });
		expect((runs()[0].body as { parameters: object }).parameters).toEqual({ city: 'Kyoto', days: 2 });

		const upload = await runCoze(emulator, { resource: 'file', operation: 'upload' }, { items: [{ json: {}, binary: { data: { data: Buffer.from('png').toString('base64'), mimeType: 'image/png', fileName: 'me.png' } } }] });
		const fileId = String(upload[0].json.id);
		await runWorkflowNode(emulator, runParams('tripPlanner', mapped({ city: 'Kyoto', days: 2, hotel: false, photo: ` ${fileId} ` })));
		expect((runs()[1].body as { parameters: object }).parameters).toEqual({ city: 'Kyoto', days: 2, hotel: false, photo: JSON.stringify({ file_id: fileId }) });
	});

	it('a missing required parameter fails the item naming it and its type; nothing is run', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, runParams('tripPlanner', mapped({ city: 'Kyoto' }))));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain("'days' is required (integer)");
		expect(error.message).toContain("The workflow 'Trip planner (typed inputs)' takes: city (string, required), days (integer, required)");
		expect(String(error.description)).toContain('no run was started');
		expect(runs()).toHaveLength(0);
	});

	it('in JSON and manual fields too: a wrong type or a mistyped name is caught before Coze runs anything', async () => {
		const json = await rejectionOf(runWorkflowNode(emulator, runParams('tripPlanner', { parametersInput: 'json', parametersJson: '{"city": "Kyoto", "days": "three"}' })));
		expect(json.message).toContain("'days' must be an integer, got 'three'");
		const typo = await rejectionOf(
			runWorkflowNode(emulator, runParams('tripPlanner', { parametersInput: 'fields', parametersUi: { entries: [{ name: 'city', type: 'string', value: 'Kyoto' }, { name: 'dayz', type: 'number', value: '2' }] } })),
		);
		expect(typo.message).toContain("'dayz' is not an input of this workflow");
		expect(typo.message).toContain("'days' is required");
		expect(runs()).toHaveLength(0);
	});

	it('Continue On Fail: the bad item becomes an error item, the good ones run; one schema request for the whole batch', async () => {
		const items = await runWorkflowNode(emulator, runParams('tripPlanner', { parametersInput: 'json', parametersJson: '={{ JSON.stringify($json) }}' }), {
			items: [{ json: { city: 'Kyoto', days: 2 } }, { json: { city: 'Rome' } }, { json: { city: 'Oslo', days: 4 } }],
			continueOnFail: true,
		});
		expect(items.map((i) => (i.json.output as { plan?: string } | undefined)?.plan ?? i.json.error)).toEqual([
			'A 2-day trip to Kyoto.',
			expect.stringContaining("'days' is required (integer)"),
			'A 4-day trip to Oslo.',
		]);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(schemaRequests()).toHaveLength(1);
		expect(runs()).toHaveLength(2);
	});

	it('a file parameter filled from an input binary field counts as given', async () => {
		const [item] = await runWorkflowNode(
			emulator,
			runParams('tripPlanner', { ...mapped({ city: 'Kyoto', days: 1 }), options: { fileParameters: { entries: [{ name: 'photo', binaryField: 'data' }] } } }),
			{ items: [{ json: {}, binary: { data: { data: Buffer.from('png').toString('base64'), mimeType: 'image/png', fileName: 'me.png' } } }] },
		);
		expect(item.json.output).toMatchObject({ plan: 'A 1-day trip to Kyoto.' });
		expect((runs()[0].body as { parameters: { photo: string } }).parameters.photo).toMatch(/^\{"file_id":"\d+"\}$/);
	});

	it('without a schema (an older workflow, Coze Studio) or with a pinned version the parameters go as given', async () => {
		const [older] = await runWorkflowNode(emulator, runParams('echo', { parametersInput: 'json', parametersJson: '{"user_name": "Lin", "anything": 1}' }));
		expect(older.json.output).toMatchObject({ output: 'Hello, Lin!' });
		emulator.requests.length = 0;
		const pinned = await rejectionOf(runWorkflowNode(emulator, runParams('tripPlanner', { ...mapped({ city: 'Kyoto' }), options: { workflowVersion: 'v0.0.1' } })));
		// Not checked by the node: Coze itself refuses the run (the emulator like Coze, coze-js #102).
		expect(pinned.message).toContain('Missing required parameter: days');
		expect(schemaRequests()).toHaveLength(0);
	});

	it('Chat With Chatflow: its own inputs are checked, USER_INPUT comes from the message', async () => {
		const chat = (extra: INodeParameters) =>
			workflowParams('chat', CHATFLOW_IDS.echo, { message: 'Hi', associateWith: 'bot', botId: { __rl: true, mode: 'id', value: '7348293334459318306' }, ...extra });
		const [item] = await runWorkflowNode(emulator, chat(mapped({ tone: 'formal' })));
		expect(item.json.answer).toBe('Turn 1 (formal): you said "Hi".');
		const error = await rejectionOf(runWorkflowNode(emulator, chat({ parametersInput: 'json', parametersJson: '{"tone": 3, "mood": "x"}' })));
		expect(error.message).toContain("'mood' is not an input of this workflow");
	});

	it('a node saved as version 1 keeps Using Fields Below as its default', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('echo', { parametersUi: { entries: [{ name: 'user_name', type: 'string', value: 'Old' }] } }), { typeVersion: 1 });
		expect(item.json.output).toMatchObject({ output: 'Hello, Old!' });
	});
});

describe('the End node\'s output plan, in Stream mode (coze-studio #826)', () => {
	/** `streaming`: the execution's caller takes a stream (a Chat Trigger or a Webhook responding with Streaming). */
	const run = async (scenario: keyof typeof scenarios, extra: INodeParameters, items = 1, streaming = false) =>
		await runNode({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
			parameters: runParams(scenario, extra),
			items: Array.from({ length: items }, (_, i) => ({ json: { city: `City ${i}`, days: 2 } })),
			onChunk: streaming ? () => undefined : undefined,
		});
	const asJson = { parametersInput: 'json', parametersJson: '={{ JSON.stringify($json) }}' };

	it('an End node that returns variables, run for a streaming caller: the run works and the editor says, once for all items, why nothing streamed', async () => {
		const result = await run('tripPlanner', asJson, 3, true);
		expect(result.items).toHaveLength(3);
		expect(result.hints).toEqual([
			expect.objectContaining({ location: 'outputPane', message: expect.stringContaining('returns variables from its End node, so Coze sends its result in one piece') }),
		]);
	});

	it('an ordinary run (nothing takes a stream), streaming turned off, an End node that returns text, or another mode: no hint', async () => {
		const ordinary = await run('tripPlanner', asJson);
		expect(ordinary.items[0].json.status).toBe('completed');
		expect(ordinary.hints).toEqual([]);
		expect((await run('tripPlanner', { ...asJson, options: { enableStreaming: false } }, 1, true)).hints).toEqual([]);
		expect((await run('textEnd', {}, 1, true)).hints).toEqual([]);
		expect((await run('tripPlanner', { runMode: 'sync', parametersInput: 'json', parametersJson: '{"city": "Kyoto", "days": 1}' }, 1, true)).hints).toEqual([]);
	});
});
