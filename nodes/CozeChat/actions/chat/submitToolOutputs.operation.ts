import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { CozeApiError, isMissingEndpoint } from '../../core/errors';
import { toNodeError } from '../../transport/errors';
import { chatIdField, chatRunOptions, conversationIdField, sortedOptions } from '../descriptions';
import { getChatIds } from '../validation';
import { runChatForItem, runOptionsFrom } from './runChat';

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
		options: sortedOptions(chatRunOptions),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['submitToolOutputs'] } },
	properties,
);

const SUBMIT_PATH = '/v3/chat/submit_tool_outputs';

interface ToolOutput {
	tool_call_id: string;
	output: string;
}

function readToolOutputs(context: IExecuteFunctions, itemIndex: number): ToolOutput[] {
	const mode = context.getNodeParameter('toolOutputsInput', itemIndex, 'fields') as string;
	let raw: unknown[];
	if (mode === 'json') {
		let value = context.getNodeParameter('toolOutputsJson', itemIndex, '[]') as unknown;
		if (typeof value === 'string') {
			try {
				value = JSON.parse(value);
			} catch {
				throw new NodeOperationError(context.getNode(), 'Tool Outputs (JSON) is not valid JSON', { itemIndex });
			}
		}
		raw = Array.isArray(value) ? value : [value];
	} else {
		const collection = context.getNodeParameter('toolOutputs', itemIndex, {}) as IDataObject;
		raw = ((collection.entries as IDataObject[] | undefined) ?? []).map((e) => ({
			tool_call_id: e.toolCallId,
			output: e.output,
		}));
	}
	const outputs = raw.map((entry, index) => {
		const record = (entry ?? {}) as IDataObject;
		const id = String(record.tool_call_id ?? '').trim();
		if (id === '') {
			throw new NodeOperationError(
				context.getNode(),
				`Tool Outputs: entry ${index + 1} has no tool call ID (use the id from required_action.tool_calls)`,
				{ itemIndex },
			);
		}
		const output = record.output;
		return { tool_call_id: id, output: typeof output === 'string' ? output : JSON.stringify(output ?? null) };
	});
	if (outputs.length === 0) {
		throw new NodeOperationError(context.getNode(), 'Tool Outputs: add at least one tool output', { itemIndex });
	}
	return outputs;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const { conversationId, chatId } = getChatIds(this, itemIndex);
	const toolOutputs = readToolOutputs(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	// The continuation is the same chat: same ids, same stream format, same aggregation.
	try {
		const result = await runChatForItem.call(
			this,
			itemIndex,
			{
				path: SUBMIT_PATH,
				qs: { conversation_id: conversationId, chat_id: chatId },
				body: { tool_outputs: toolOutputs as unknown as IDataObject[] },
			},
			runOptionsFrom(options, { recoverable: true }),
		);
		return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
	} catch (error) {
		// Self-hosted Coze Studio has no such endpoint (it answers 401 "missing session_key in cookie").
		if (!isMissingEndpoint(error)) throw toNodeError(this.getNode(), error, itemIndex);
		const original = error as CozeApiError;
		const unsupported = new CozeApiError({
			code: original.code,
			msg: `Submit Tool Outputs is not supported by this Coze server: it has no ${SUBMIT_PATH} endpoint (self-hosted Coze Studio does not offer client-side tools). It answered: ${original.msg}`,
			httpStatus: original.httpStatus,
			logid: original.logid,
			chatId,
			conversationId,
		});
		throw toNodeError(this.getNode(), unsupported, itemIndex);
	}
}
