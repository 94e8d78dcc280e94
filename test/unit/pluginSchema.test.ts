/**
 * A plugin tool's JSON-Schema `inputSchema` → the inputs the form, $fromAI fields and the check use
 * (core/pluginSchema.ts, methods/workflowInputs.ts formFields).
 */
import { formFields } from '../../nodes/CozeChat/methods/workflowInputs';
import { checkToolArguments, describeToolProblems, toolInputs } from '../../nodes/CozeChat/core/pluginSchema';
import { JsonInteger, stringifyJson } from '../../nodes/CozeChat/core/json';

/** The documented speech_synthesis schema (coze-sdk-gen batch_get_plugins_info.md), plus nesting, enums and arrays. */
const SCHEMA = {
	type: 'object',
	required: ['text', 'voice'],
	properties: {
		text: { type: 'string', description: 'Text to read aloud' },
		speed_ratio: { type: 'number', description: 'Speed, 0.2 to 3', default: 1 },
		voice: {
			type: 'object',
			description: 'Which voice',
			required: ['id'],
			properties: { id: { type: 'integer', description: 'Voice ID' }, emotions: { type: 'array', items: { type: 'string' } } },
		},
		format: { type: 'string', enum: ['mp3', 'wav'] },
		loud: { type: ['boolean', 'null'] },
		segments: { type: 'array', items: { type: 'object', required: ['start'], properties: { start: { type: 'integer' } } } },
		anything: { description: 'No type given' },
	},
};

const inputs = toolInputs(SCHEMA);

describe('a plugin tool inputSchema as inputs', () => {
	it('reads names in order, required from the object\'s list, types (a nullable type list too), defaults as text, enums into the description, nesting', () => {
		expect(inputs.map((i) => [i.name, i.type, i.required])).toEqual([
			['text', 'string', true],
			['speed_ratio', 'number', false],
			['voice', 'object', true],
			['format', 'string', false],
			['loud', 'boolean', false],
			['segments', 'array', false],
			['anything', 'any', false],
		]);
		expect(inputs[1].defaultValue).toBe('1');
		expect(inputs[3].description).toBe('One of: mp3, wav.');
		expect(inputs[2].properties?.map((p) => [p.name, p.type, p.required])).toEqual([['id', 'integer', true], ['emotions', 'array', false]]);
		expect(inputs[5].items?.properties?.[0]).toMatchObject({ name: 'start', type: 'integer', required: true });
		expect(toolInputs({ type: 'object', properties: {} })).toEqual([]);
		expect(toolInputs(undefined)).toEqual([]);
	});

	it('form fields: typed, required marked, JSON for objects and arrays; as a tool, $fromAI with the schema\'s descriptions', () => {
		const fields = formFields(inputs, false, 'Tool');
		expect(fields.map((f) => [f.id, f.type, f.required])).toEqual([
			['text', 'string', true],
			['speed_ratio', 'number', false],
			['voice', 'string', true],
			['format', 'string', false],
			['loud', 'options', false],
			['segments', 'string', false],
			['anything', 'string', false],
		]);
		expect(fields[1].defaultValue).toBe(1);
		const tool = formFields(inputs, true, 'Tool');
		expect(tool[2].defaultValue).toBe("={{ $fromAI('voice', 'Which voice (object, required) Fields: id (integer, required), emotions (array of string).', 'json') }}");
		expect(tool[3].defaultValue).toBe("={{ $fromAI('format', 'One of: mp3, wav. (string, optional)', 'string') }}");
	});

	it('checks arguments recursively before a call: missing, mistyped, unknown; converts text to the schema\'s types', () => {
		const bad = checkToolArguments(inputs, { speed_ratio: 'fast', voice: '{"emotions": "happy"}', segments: [{ start: 1 }, {}], extra: 1 });
		expect(bad.problems.map((p) => `${p.path} ${p.message}`)).toEqual([
			'extra is not an input of this tool',
			'text is required (string)',
			"speed_ratio must be a number, got 'fast'",
			'voice.id is required (integer)',
			"voice.emotions must be an array of string, got 'happy'",
			'segments[1].start is required (integer)',
		]);
		expect(describeToolProblems('speak', inputs, bad.problems.slice(0, 1))).toMatch(/^'extra' is not an input of this tool\. The tool 'speak' takes: text \(string, required\), speed_ratio \(number\), voice \(object, required\)/);

		const good = checkToolArguments(inputs, { text: 'hi', voice: '{"id": 7426655854067351562}', loud: 'true', anything: { a: 1 }, format: '' });
		expect(good.problems).toEqual([]);
		expect(good.values).toEqual({ text: 'hi', voice: { id: expect.any(JsonInteger) }, loud: true, anything: { a: 1 } });
		expect(stringifyJson(good.values)).toContain('"id":7426655854067351562');
	});
});
