/**
 * The Parameters form of Workflow → Run and Chat With Chatflow: one field per input of the
 * workflow's Start node, from the workflow's own schema (GET /v1/workflows/{id}?include_input_output).
 */
import type { FieldType, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { CozeClient } from '../api/client';
import { safeError } from '../boundaries/output';
import { formContextOf } from '../boundaries/parameters';
import { describeType, FILE_TYPES, type NamedParameter } from '../core/workflowSchema';
import { CHATFLOW_SYSTEM_INPUTS } from '../actions/workflow/schemaCheck';

const NO_SCHEMA_ADVICE = 'Choose Specify Parameters → Using Fields Below or Using JSON: the parameters then go as you give them.';

/** What a file input takes, as its label says (the node's check accepts each of these). */
const FILE_HINT = 'file URL or ID';

/**
 * The longest label n8n 2.x shows whole: its field-options toggle keeps its room beside the label
 * even while hidden, so in a 1440-pixel-wide editor a longer label is cut with an ellipsis (1.123.81
 * showed 54 characters whole). The workflow's description of an input joins the name only where it fits.
 */
const LABEL_FITS = 30;

/**
 * The field's type in the form. JSON inputs are text fields: n8n's JSON editor marks an empty one
 * as an error (a red gutter dot and a field issue), though leaving an optional input out is fine;
 * the node parses and checks the text against the schema itself. An optional switch is a choice
 * whose first option sends nothing: n8n fills an untouched switch with false, which would be sent.
 */
function formType(input: NamedParameter, asTool: boolean): FieldType {
	const type = fieldType(input);
	if (asTool) return type; // every field is a $fromAI expression, typed for the model
	if (type === 'object' || type === 'array') return 'string';
	if (type === 'boolean' && !requiredInForm(input)) return 'options';
	return type;
}

/** Required in the form: the workflow needs it and has no default of its own. */
function requiredInForm(input: NamedParameter): boolean {
	return input.required && input.defaultValue === undefined;
}

/** What the label adds after the name: how to fill a file or JSON input. */
function typeHint(input: NamedParameter): string | undefined {
	if (FILE_TYPES.has(input.type)) return FILE_HINT;
	if (input.type === 'object') return 'JSON object';
	if (input.type === 'array') return 'JSON array';
	return undefined;
}

function fieldType(input: NamedParameter): FieldType {
	if (input.type === 'integer' || input.type === 'number') return 'number';
	if (input.type === 'boolean') return 'boolean';
	if (input.type === 'object') return 'object';
	if (input.type === 'array') return 'array';
	return 'string'; // string, time, and files (a URL, or {"file_id": …} of an upload)
}

/** What $fromAI calls the type: the model is asked for a number, a boolean, JSON or text. */
function modelType(input: NamedParameter): 'string' | 'number' | 'boolean' | 'json' {
	const type = fieldType(input);
	return type === 'number' || type === 'boolean' ? type : type === 'object' || type === 'array' ? 'json' : 'string';
}

/** What the model reads about an input: the workflow's description of it, its type, whether it may be left out. */
function modelDescription(input: NamedParameter): string {
	const parts = [input.description.trim() || input.name, `(${describeType(input)}${input.required ? ', required' : ', optional'})`];
	if (FILE_TYPES.has(input.type)) parts.push('A public URL of the file.');
	if (input.type === 'integer') parts.push('A whole number.');
	if (input.properties && input.properties.length > 0) {
		parts.push(`Fields: ${input.properties.map((p) => `${p.name} (${describeType(p)}${p.required ? ', required' : ''})`).join(', ')}.`);
	}
	return parts.join(' ');
}

/** A quoted $fromAI argument: n8n's parser reads quotes and backslashes, so neither is left inside. */
function quoted(text: string): string {
	return `'${text.replace(/[\\'`]/g, ' ').replace(/\s+/g, ' ').trim()}'`;
}

function defaultValue(input: NamedParameter): string | number | boolean | null {
	const text = input.defaultValue;
	if (text === undefined) return null;
	if (fieldType(input) === 'number') return Number.isFinite(Number(text)) ? Number(text) : null;
	if (fieldType(input) === 'boolean') return text === 'true' ? true : text === 'false' ? false : null;
	return text;
}

/**
 * The fields. As an AI Agent tool each one starts as a `$fromAI(name, description, type)` input,
 * so the model is asked for every parameter by the workflow's own name and description.
 */
export async function getWorkflowInputs(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const { workflowId, operation } = formContextOf(this);
	if (workflowId === '') return { fields: [], emptyFieldsNotice: 'Choose a workflow above first: its inputs are read from Coze.' };
	const asTool = this.getNode().type.endsWith('Tool');
	let answer;
	try {
		answer = await CozeClient.forPicker(this).workflows.schema(workflowId);
	} catch (error) {
		throw safeError(this, error);
	}
	if (!answer.schema) {
		return { fields: [], emptyFieldsNotice: `The workflow's inputs cannot be shown: ${answer.unavailable}. ${NO_SCHEMA_ADVICE}` };
	}
	const inputs = answer.schema.inputs.filter((input) => operation !== 'chat' || !CHATFLOW_SYSTEM_INPUTS.includes(input.name));
	if (inputs.length === 0) return { fields: [], emptyFieldsNotice: 'This workflow\'s Start node has no inputs.' };
	return { fields: formFields(inputs, asTool, 'Workflow') };
}

/**
 * The form's fields for a list of inputs (a workflow's Start node, a plugin tool's arguments). As an
 * AI Agent tool each one starts as a `$fromAI(name, description, type)` input, so the model is asked
 * for every parameter by its own name and description.
 */
export function formFields(inputs: NamedParameter[], asTool: boolean, owner: 'Workflow' | 'Tool'): ResourceMapperField[] {
	return inputs.map((input) => {
		const hint = typeHint(input);
		const name = hint ? `${input.name} (${hint})` : input.name;
		const described = input.description.trim() ? `${name} — ${input.description.trim()}` : name;
		const field: ResourceMapperField = {
			id: input.name,
			displayName: [...described].length <= LABEL_FITS ? described : name,
			required: requiredInForm(input),
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: formType(input, asTool),
		};
		if (asTool) {
			field.defaultValue = `={{ $fromAI(${quoted(input.name)}, ${quoted(modelDescription(input))}, ${quoted(modelType(input))}) }}`;
		} else if (field.type === 'options') {
			// Untouched, nothing is sent and the workflow's own default applies.
			const fallback = defaultValue(input);
			field.options = [
				{ name: fallback === null ? 'Not Sent' : `Not Sent (the ${owner}'s Default: ${String(fallback)})`, value: '' },
				{ name: 'True', value: true },
				{ name: 'False', value: false },
			];
			field.defaultValue = '';
		} else {
			const value = defaultValue(input);
			if (value !== null) field.defaultValue = value;
		}
		return field;
	});
}
