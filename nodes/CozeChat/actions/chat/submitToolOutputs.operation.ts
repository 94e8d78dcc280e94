import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { unsupportedByServer } from '../../core/errors';
import { CLIENT_TOOLS_ENDPOINT, submitToolOutputsRequest } from '../../api/chat';
import type { CozeClient } from '../../api/client';
import { safeError } from '../../boundaries/output';
import { chatIdsOf, parametersOf, toText, type ItemParameters } from '../../boundaries/parameters';
import { chatIdField, chatRunOptions, conversationIdField, sortedOptions, timeoutSecondsOf } from '../descriptions';
import { chatFileSources } from '../../core/fileRefs';
import { attachFiles, downloadFilesOptions, filesSettingsOf } from '../filesOut';
import { chatRunOptionsOf, runChatForItem } from './runChat';

const properties: INodeProperties[] = [
	conversationIdField,
	chatIdField,
	{
		displayName: 'Tool Outputs Input',
		name: 'toolOutputsInput',
		type: 'options',
		options: [
			{ name: 'Fields', value: 'fields', description: 'One entry per tool call' },
			{
				name: 'JSON',
				value: 'json',
				description: 'An array of { tool_call_id, output }, e.g. built by a Code node',
			},
		],
		default: 'fields',
	},
	{
		displayName: 'Tool Outputs',
		name: 'toolOutputs',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Tool Output',
		displayOptions: { show: { toolOutputsInput: ['fields'] } },
		description:
			'What your tools returned, one entry per tool call in required_action.tool_calls of the Send Message output',
		options: [
			{
				displayName: 'Tool Output',
				name: 'entries',
				values: [
					{
						displayName: 'Tool Call ID',
						name: 'toolCallId',
						type: 'string',
						default: '',
						placeholder: 'e.g. the ID from required_action.tool_calls',
						description: 'The ID of the tool call this output answers',
					},
					{
						displayName: 'Output',
						name: 'output',
						type: 'string',
						default: '',
						description: 'The tool\'s result; an object (from an expression) is sent as JSON',
					},
				],
			},
		],
	},
	{
		displayName: 'Tool Outputs (JSON)',
		name: 'toolOutputsJson',
		type: 'json',
		default: '[\n  { "tool_call_id": "", "output": "" }\n]',
		displayOptions: { show: { toolOutputsInput: ['json'] } },
		description: 'An array of { "tool_call_id": string, "output": string or object }',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([...chatRunOptions, ...downloadFilesOptions]),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['submitToolOutputs'] } },
	properties,
);

interface ToolOutput {
	tool_call_id: string;
	output: string;
}

function readToolOutputs(parameters: ItemParameters): ToolOutput[] {
	const mode = parameters.choice('toolOutputsInput', 'Tool Outputs Input', ['fields', 'json'], 'fields');
	let raw: unknown[];
	if (mode === 'json') {
		let value = parameters.raw('toolOutputsJson', 'Tool Outputs (JSON)', '[]');
		if (typeof value === 'string') {
			try {
				value = JSON.parse(value);
			} catch {
				parameters.fail('Tool Outputs (JSON) is not valid JSON');
			}
		}
		raw = Array.isArray(value) ? value : [value];
	} else {
		raw = parameters.entries('toolOutputs', 'Tool Outputs').map((e) => ({ tool_call_id: e.toolCallId, output: e.output }));
	}
	const outputs = raw.map((entry, index) => {
		const record = (entry ?? {}) as IDataObject;
		const id = toText(record.tool_call_id).trim();
		if (id === '') parameters.fail(`Tool Outputs: entry ${index + 1} has no tool call ID (use the id from required_action.tool_calls)`);
		const output = record.output;
		return { tool_call_id: id, output: typeof output === 'string' ? output : JSON.stringify(output ?? null) };
	});
	if (outputs.length === 0) parameters.fail('Tool Outputs: add at least one tool output');
	return outputs;
}

/** The item's time: Options → Timeout (Seconds). */
export const timeoutSeconds = timeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const ids = chatIdsOf(parameters);
	const toolOutputs = readToolOutputs(parameters);
	// The item lists the client-side calls this chat answered, as Coze's message list holds them.
	const options = { ...chatRunOptionsOf(parameters, { recoverable: () => true }), clientSideCalls: true };
	const files = filesSettingsOf(parameters);
	// The continuation is the same chat: same ids, same stream format, same aggregation.
	let result;
	try {
		result = await runChatForItem(this, coze, submitToolOutputsRequest(ids, toolOutputs), options);
	} catch (error) {
		throw safeError(this, unsupportedByServer(error, CLIENT_TOOLS_ENDPOINT(ids)), itemIndex);
	}
	const item: INodeExecutionData = { json: result as unknown as IDataObject, pairedItem: { item: itemIndex } };
	return [files ? await attachFiles(this, coze, item, chatFileSources(result), files) : item];
}
