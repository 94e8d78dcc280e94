/**
 * A Coze plugin tool's `inputSchema` (JSON Schema: `{type: object, properties, required: [...]}`,
 * nested objects and arrays; coze-sdk-gen docs/api-markdown/get_plugin.md) in the shape the node
 * already uses for a workflow's inputs (core/workflowSchema.ts), so the same form fields, $fromAI
 * placeholders and checks serve both. Pure (no n8n imports).
 */
import { isObject } from './workflowDecode';
import { checkParameters, describeType, type NamedParameter, type ParameterProblem, type ParameterSchema } from './workflowSchema';

/** JSON Schema types the check knows; anything else (or none) is sent as given. */
const KNOWN = new Set(['string', 'integer', 'number', 'boolean', 'object', 'array']);

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/** `type` may be a list (`["string", "null"]`): the first that is not null. */
function typeOf(raw: Record<string, unknown>): string {
	const types = Array.isArray(raw.type) ? raw.type : [raw.type];
	const type = types.map((t) => text(t).toLowerCase()).find((t) => t !== '' && t !== 'null');
	if (type && KNOWN.has(type)) return type;
	if (!type && isObject(raw.properties)) return 'object';
	if (!type && raw.items !== undefined) return 'array';
	return type ? type : 'any';
}

function describe(raw: Record<string, unknown>): string {
	const parts = [text(raw.description).trim()];
	if (Array.isArray(raw.enum) && raw.enum.length > 0) parts.push(`One of: ${raw.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}.`);
	return parts.filter(Boolean).join(' ');
}

function schemaOf(value: unknown, required: boolean): ParameterSchema {
	const raw = isObject(value) ? value : {};
	const type = typeOf(raw);
	const schema: ParameterSchema = { type, required, description: describe(raw) };
	if (raw.default !== undefined && raw.default !== null) schema.defaultValue = typeof raw.default === 'string' ? raw.default : JSON.stringify(raw.default);
	if (type === 'object' && isObject(raw.properties)) schema.properties = toolInputs(raw);
	if (type === 'array' && raw.items !== undefined) schema.items = schemaOf(raw.items, false);
	return schema;
}

/** The top-level arguments of a tool (or the fields of a nested object), in the schema's order. */
export function toolInputs(inputSchema: unknown): NamedParameter[] {
	if (!isObject(inputSchema) || !isObject(inputSchema.properties)) return [];
	const required = new Set(Array.isArray(inputSchema.required) ? inputSchema.required.map(text) : []);
	return Object.entries(inputSchema.properties).map(([name, value]) => ({ name, ...schemaOf(value, required.has(name)) }));
}

/**
 * Checks a call's arguments against the tool's schema: every required argument given, each of its
 * type (recursively), no name the tool does not take. Empty optional values are left out.
 */
export function checkToolArguments(inputs: NamedParameter[], given: Record<string, unknown>): { values: Record<string, unknown>; problems: ParameterProblem[] } {
	return checkParameters({ workflowId: '', name: '', description: '', inputs, outputs: [] }, given, 'this tool');
}

/** The problems as one sentence each, with what the tool takes. */
export function describeToolProblems(toolName: string, inputs: NamedParameter[], problems: ParameterProblem[]): string {
	const lines = problems.map((p) => `'${p.path}' ${p.message}`);
	const takes = inputs.map((i) => `${i.name} (${describeType(i)}${i.required ? ', required' : ''})`).join(', ');
	return `${lines.join('; ')}. The tool '${toolName}' takes: ${takes || 'no arguments'}.`;
}
