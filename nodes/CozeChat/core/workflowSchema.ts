/**
 * A Coze workflow's own description of its inputs and outputs (`GET /v1/workflows/{id}?
 * include_input_output=true`), and the check of a run's parameters against it. Pure (no n8n imports).
 *
 * Wire shape (docs.coze.cn get_workflow_info; coze-sdk-gen coze-openapi.yaml `OpenAPIParameter`):
 * `data.input.parameters` is a map name → {type, required, description, default_value, properties
 * (objects), items (arrays)}, every key optional; `data.output` is {parameters, terminate_plan:
 * return_variables | use_answer_content, content}. Coze Studio answers the same route with a
 * chatflow's role only, so a missing `input` means "no schema", never "no inputs".
 */
import { exactIntegerOf, JsonInteger, parseJsonNumbersExact } from './json';
import { isObject } from './workflowDecode';

/** Coze's file kinds: a parameter of one of these takes a file (a URL, or `{"file_id": …}`). */
export const FILE_TYPES = new Set(['file', 'default', 'image', 'svg', 'audio', 'video', 'voice', 'doc', 'ppt', 'excel', 'txt', 'code', 'zip']);

export interface ParameterSchema {
	/** Coze's type name: string, integer, number, boolean, time, object, array, or a file kind. */
	type: string;
	required: boolean;
	description: string;
	/** Coze sends defaults as text, whatever the type. */
	defaultValue?: string;
	properties?: NamedParameter[];
	items?: ParameterSchema;
}

export interface NamedParameter extends ParameterSchema {
	name: string;
}

export interface WorkflowSchema {
	workflowId: string;
	name: string;
	description: string;
	/** The Start node's inputs, in the order Coze listed them. */
	inputs: NamedParameter[];
	/** How the End node answers: `return_variables`, `use_answer_content` (a text template), or unknown. */
	terminatePlan?: string;
	/** The End node's variables. */
	outputs: NamedParameter[];
	/** The End node's answer template, for `use_answer_content`. */
	answerTemplate?: string;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function parameterSchema(value: unknown): ParameterSchema {
	const raw = isObject(value) ? value : {};
	const schema: ParameterSchema = {
		type: text(raw.type).toLowerCase() || 'string',
		required: raw.required === true || raw.required === 'true',
		description: text(raw.description),
	};
	if (raw.default_value !== undefined && raw.default_value !== null && raw.default_value !== '') {
		schema.defaultValue = typeof raw.default_value === 'string' ? raw.default_value : JSON.stringify(raw.default_value);
	}
	if (isObject(raw.properties)) schema.properties = namedParameters(raw.properties);
	if (raw.items !== undefined) schema.items = parameterSchema(raw.items);
	return schema;
}

function namedParameters(map: unknown): NamedParameter[] {
	if (!isObject(map)) return [];
	return Object.entries(map).map(([name, value]) => ({ name, ...parameterSchema(value) }));
}

/**
 * The schema from get-workflow-info's `data`, or undefined when the answer has none (Coze Studio,
 * a server that ignores include_input_output).
 */
export function parseWorkflowSchema(data: unknown, workflowId: string): WorkflowSchema | undefined {
	if (!isObject(data) || !isObject(data.input)) return undefined;
	const detail = isObject(data.workflow_detail) ? data.workflow_detail : {};
	const output = isObject(data.output) ? data.output : {};
	const schema: WorkflowSchema = {
		workflowId: text(detail.workflow_id) || workflowId,
		name: text(detail.workflow_name),
		description: text(detail.description),
		inputs: namedParameters(data.input.parameters),
		outputs: namedParameters(output.parameters),
	};
	if (text(output.terminate_plan) !== '') schema.terminatePlan = text(output.terminate_plan);
	if (text(output.content) !== '') schema.answerTemplate = text(output.content);
	return schema;
}

/** A type as a person reads it: "integer", "array of image", "object". */
export function describeType(schema: ParameterSchema): string {
	if (schema.type === 'array') return schema.items ? `array of ${describeType(schema.items)}` : 'array';
	if (FILE_TYPES.has(schema.type)) return schema.type === 'file' || schema.type === 'default' ? 'file' : `file (${schema.type})`;
	return schema.type;
}

export interface ParameterProblem {
	/** Where: `city`, `meta.pages`, `tags[2]`. */
	path: string;
	message: string;
}

export interface CheckedParameters {
	/** The values to send: numbers and booleans from their text, JSON text of objects and arrays parsed, files as Coze takes them. */
	values: Record<string, unknown>;
	problems: ParameterProblem[];
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

function shown(value: unknown): string {
	const json = typeof value === 'string' ? `'${value}'` : value instanceof JsonInteger ? value.digits : JSON.stringify(value) ?? String(value);
	return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function parsedJson(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const trimmed = value.trim();
	if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
	try {
		return parseJsonNumbersExact(trimmed);
	} catch {
		return value;
	}
}

/** One value against its schema: the value to send, or problems (pushed onto `problems`). */
function checkValue(schema: ParameterSchema, value: unknown, path: string, problems: ParameterProblem[]): unknown {
	const wrong = () => {
		problems.push({ path, message: `must be ${article(describeType(schema))}, got ${shown(value)}` });
		return undefined;
	};
	if (schema.type === 'string' || schema.type === 'time') {
		if (typeof value === 'string') return value;
		if (typeof value === 'number' || typeof value === 'boolean' || value instanceof JsonInteger) return String(value);
		return wrong();
	}
	if (schema.type === 'integer' || schema.type === 'number') {
		// An integer beyond 2^53 keeps its digits, and goes to Coze as a number (stringifyJson).
		if (value instanceof JsonInteger) return value;
		const exact = exactIntegerOf(value);
		if (exact) return exact;
		const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : NaN;
		if (!Number.isFinite(n) || (schema.type === 'integer' && !Number.isInteger(n))) return wrong();
		return n;
	}
	if (schema.type === 'boolean') {
		if (typeof value === 'boolean') return value;
		const t = typeof value === 'string' ? value.trim().toLowerCase() : '';
		if (t === 'true' || t === 'false') return t === 'true';
		return wrong();
	}
	if (schema.type === 'object') {
		const object = parsedJson(value);
		if (!isObject(object) || object instanceof JsonInteger) return wrong();
		if (!schema.properties || schema.properties.length === 0) return object;
		return checkObject(schema.properties, object, `${path}.`, problems, false);
	}
	if (schema.type === 'array') {
		const array = parsedJson(value);
		if (!Array.isArray(array)) return wrong();
		if (!schema.items) return array;
		const items = schema.items;
		return array.map((item, index) => checkValue(items, item, `${path}[${index}]`, problems));
	}
	if (FILE_TYPES.has(schema.type)) {
		// A bare number is a file ID (File → Upload's id); Coze reads a plain string as a URL.
		if (typeof value === 'string' && /^\d+$/.test(value.trim())) return JSON.stringify({ file_id: value.trim() });
		if (value instanceof JsonInteger) return JSON.stringify({ file_id: value.toString() });
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (isObject(value) && typeof value.file_id === 'string' && value.file_id !== '') return JSON.stringify({ file_id: value.file_id });
		problems.push({ path, message: `must be ${article(describeType(schema))}: a URL, or the file ID of an upload (File → Upload), or {"file_id": "…"}; got ${shown(value)}` });
		return undefined;
	}
	return value; // a type this code does not know yet: sent as given
}

function article(type: string): string {
	return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function checkObject(
	fields: NamedParameter[],
	given: Record<string, unknown>,
	prefix: string,
	problems: ParameterProblem[],
	topLevel: boolean,
	owner = 'this workflow',
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const known = new Set(fields.map((f) => f.name));
	for (const [name, value] of Object.entries(given)) {
		if (known.has(name)) continue;
		if (topLevel) {
			problems.push({ path: `${prefix}${name}`, message: `is not an input of ${owner}` });
		} else {
			out[name] = value; // nested extras are the workflow's business
		}
	}
	for (const field of fields) {
		const value = given[field.name];
		const path = `${prefix}${field.name}`;
		if (isEmpty(value)) {
			// Left out, so the workflow's default applies (a form cannot tell "empty" from "not set").
			if (field.required && field.defaultValue === undefined) problems.push({ path, message: `is required (${describeType(field)})` });
			continue;
		}
		const checked = checkValue(field, value, path, problems);
		if (checked !== undefined) out[field.name] = checked;
	}
	return out;
}

/**
 * Checks a run's parameters against the workflow's inputs: every required one present (or given a
 * default by the workflow), every value of its type (recursively for objects and arrays), no name
 * the workflow does not have. Empty optional values are left out, so the workflow's defaults apply.
 */
export function checkParameters(schema: WorkflowSchema, given: Record<string, unknown>, owner = 'this workflow'): CheckedParameters {
	const problems: ParameterProblem[] = [];
	const values = checkObject(schema.inputs, given, '', problems, true, owner);
	return { values, problems };
}

/** The problems as one sentence each, with what the workflow takes. */
export function describeProblems(schema: WorkflowSchema, problems: ParameterProblem[]): string {
	const lines = problems.map((p) => `'${p.path}' ${p.message}`);
	const inputs = schema.inputs.map((i) => `${i.name} (${describeType(i)}${i.required ? ', required' : ''})`).join(', ');
	return `${lines.join('; ')}. The workflow${schema.name ? ` '${schema.name}'` : ''} takes: ${inputs || 'no inputs'}.`;
}
