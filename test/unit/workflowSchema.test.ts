import { checkParameters, describeProblems, describeType, parseWorkflowSchema, type WorkflowSchema } from '../../nodes/CozeChat/core/workflowSchema';
import { JsonInteger, stringifyJson } from '../../nodes/CozeChat/core/json';

/** The documented get-workflow-info `data` (docs.coze.cn get_workflow_info), with every parameter kind. */
const DATA = {
	workflow_detail: { workflow_id: '7507120000000091219', workflow_name: 'image_counter', description: 'Counts the images', app_id: '0', created_at: 1747888248 },
	input: {
		parameters: {
			query: { type: 'string', required: true, description: 'The question', default_value: '' },
			top_k: { type: 'integer', required: false, description: '', default_value: '3' },
			ratio: { type: 'number', required: false },
			verbose: { type: 'boolean' },
			photo: { type: 'image', required: true, description: 'The picture' },
			tags: { type: 'array', required: false, items: { type: 'string' } },
			meta: { type: 'object', required: false, properties: { author: { type: 'string' }, pages: { type: 'integer', required: true } } },
			lang: { type: 'string', required: true, default_value: 'en' },
		},
	},
	output: { parameters: { count: { type: 'integer' } }, terminate_plan: 'return_variables' },
};

const schema = parseWorkflowSchema(DATA, '7507120000000091219') as WorkflowSchema;

describe('the workflow schema (get workflow info, include_input_output)', () => {
	it('reads inputs in Coze order with type, required, description and text defaults; outputs and the End plan', () => {
		expect(schema.name).toBe('image_counter');
		expect(schema.description).toBe('Counts the images');
		expect(schema.inputs.map((i) => i.name)).toEqual(['query', 'top_k', 'ratio', 'verbose', 'photo', 'tags', 'meta', 'lang']);
		expect(schema.inputs[0]).toEqual({ name: 'query', type: 'string', required: true, description: 'The question' });
		expect(schema.inputs[1]).toMatchObject({ type: 'integer', required: false, defaultValue: '3' });
		expect(schema.inputs[3]).toMatchObject({ type: 'boolean', required: false, description: '' });
		expect(schema.inputs[6].properties?.map((p) => [p.name, p.type, p.required])).toEqual([
			['author', 'string', false],
			['pages', 'integer', true],
		]);
		expect(schema.terminatePlan).toBe('return_variables');
		expect(schema.outputs).toEqual([{ name: 'count', type: 'integer', required: false, description: '' }]);
	});

	it('is absent when the answer has no input (Coze Studio answers with a chatflow role only)', () => {
		expect(parseWorkflowSchema({ role: { name: 'Helper' } }, '1')).toBeUndefined();
		expect(parseWorkflowSchema(undefined, '1')).toBeUndefined();
		expect(parseWorkflowSchema({ input: {} }, '1')?.inputs).toEqual([]);
	});

	it('names types as a person reads them', () => {
		expect(schema.inputs.map(describeType)).toEqual(['string', 'integer', 'number', 'boolean', 'file (image)', 'array of string', 'object', 'string']);
		expect(describeType({ type: 'file', required: false, description: '' })).toBe('file');
	});
});

describe('checking parameters against the schema', () => {
	const good = { query: 'How many?', photo: 'https://example.com/a.png' };

	it('passes good values, converts text of numbers, booleans, objects and arrays, leaves empty optional ones out', () => {
		const { values, problems } = checkParameters(schema, { ...good, top_k: '5', ratio: 0.5, verbose: 'true', tags: '["a","b"]', meta: { pages: '12', extra: 1 }, lang: '' });
		expect(problems).toEqual([]);
		expect(values).toEqual({ query: 'How many?', photo: 'https://example.com/a.png', top_k: 5, ratio: 0.5, verbose: true, tags: ['a', 'b'], meta: { pages: 12, extra: 1 } });
	});

	it('a missing required parameter is named with its type; one with a workflow default is not required', () => {
		const { problems } = checkParameters(schema, { photo: 'https://example.com/a.png' });
		expect(problems).toEqual([{ path: 'query', message: 'is required (string)' }]);
	});

	it('wrong types are named with the expected type and the value given, nested ones by their path', () => {
		const { problems } = checkParameters(schema, { ...good, top_k: 'three', ratio: 'NaN', verbose: 'yes', tags: ['a', { b: 1 }], meta: { author: 'x' }, photo: { url: 1 } });
		expect(problems).toEqual([
			{ path: 'top_k', message: "must be an integer, got 'three'" },
			{ path: 'ratio', message: "must be a number, got 'NaN'" },
			{ path: 'verbose', message: "must be a boolean, got 'yes'" },
			{ path: 'photo', message: 'must be a file (image): a URL, or the file ID of an upload (File → Upload), or {"file_id": "…"}; got {"url":1}' },
			{ path: 'tags[1]', message: 'must be a string, got {"b":1}' },
			{ path: 'meta.pages', message: 'is required (integer)' },
		]);
		expect(checkParameters(schema, { ...good, top_k: 2.5 }).problems).toEqual([{ path: 'top_k', message: 'must be an integer, got 2.5' }]);
	});

	it('a name the workflow does not have (a typo) is a problem, and the message lists what the workflow takes', () => {
		const { problems } = checkParameters(schema, { ...good, qeury: 'x' });
		expect(problems).toEqual([{ path: 'qeury', message: 'is not an input of this workflow' }]);
		expect(describeProblems(schema, problems)).toBe(
			"'qeury' is not an input of this workflow. The workflow 'image_counter' takes: query (string, required), top_k (integer), ratio (number), verbose (boolean), photo (file (image), required), tags (array of string), meta (object), lang (string, required).",
		);
	});

	it('an uploaded file as {file_id} is sent as Coze takes it; a 19-digit integer given as text keeps its digits', () => {
		const withId = parseWorkflowSchema({ input: { parameters: { id: { type: 'integer', required: true }, photo: { type: 'image' } } } }, '1') as WorkflowSchema;
		const { values, problems } = checkParameters(withId, { id: '7522804697494000001', photo: { file_id: '7400000000000000001' } });
		expect(problems).toEqual([]);
		// The digits stay exact, and reach Coze as a number (stringifyJson writes a JsonInteger bare).
		expect(values).toEqual({ id: new JsonInteger('7522804697494000001'), photo: '{"file_id":"7400000000000000001"}' });
		expect(stringifyJson(values)).toBe('{"id":7522804697494000001,"photo":"{\\"file_id\\":\\"7400000000000000001\\"}"}');
	});
});
