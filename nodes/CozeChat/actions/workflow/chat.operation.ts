import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { enterMessages, messageListCollection, sortedOptions } from '../descriptions';
import { assertCozeId, getRequiredString } from '../validation';
import { byConversationId, conversationIdOf, itemsInParallel } from '../parallelism';
import {
	associationFields,
	binaryFileOption,
	collectParameters,
	concurrencyOption,
	enableStreamingOption,
	extFrom,
	extOption,
	getAssociation,
	getWorkflowId,
	parameterFields,
	timeoutOption,
	workflowLocator,
	workflowVersionOption,
} from './common';
import { ItemBudget } from '../../transport/workflowApi';
import { runChatflowForItem } from './runChatflow';

const properties: INodeProperties[] = [
	workflowLocator('chatflow'),
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'What is the weather in Hangzhou today?',
		description: 'The user\'s message (plain text): the chatflow\'s USER_INPUT, or the reply to its question',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		placeholder: '7483480124491380000',
		description:
			'Continue this conversation (also to answer a question node). Leave empty to start a new one; its ID is in the output.',
	},
	...associationFields(true),
	...parameterFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([
			binaryFileOption,
			enableStreamingOption,
			extOption,
			{
				displayName: 'Include Raw Messages',
				name: 'includeMessages',
				type: 'boolean',
				default: false,
				description: 'Whether to add the raw Coze messages (answers, verbose packets) to the output',
			},
			{ ...concurrencyOption, description: 'How many items to send at once; items of one conversation still go one after another' },
			messageListCollection('Previous Messages', 'additionalMessages', 'Earlier turns to give the chatflow as context, oldest first'),
			timeoutOption,
			workflowVersionOption,
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflow'], operation: ['chat'] } }, properties);

/** Turns of one conversation go one after another. */
export const parallelism = itemsInParallel(byConversationId);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const workflowId = getWorkflowId(this, itemIndex);
	const message = getRequiredString(this, 'message', 'Message', itemIndex);
	const conversationId = conversationIdOf(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body: IDataObject = {
		workflow_id: workflowId,
		...getAssociation(this, itemIndex),
		additional_messages: [
			...enterMessages(options.additionalMessages as IDataObject | undefined),
			{ role: 'user', type: 'question', content: message, content_type: 'text' },
		],
	};
	// In the body: /v1/workflows/chat takes the conversation id there, unlike /v3/chat.
	if (conversationId !== '') body.conversation_id = assertCozeId(this, conversationId, 'Conversation ID', itemIndex);
	const ext = extFrom(options);
	if (ext) body.ext = ext;
	const version = String(options.workflowVersion ?? '').trim();
	if (version !== '') body.workflow_version = version;
	// One budget for the uploads and the chat: the Timeout covers both.
	const budget = ItemBudget.of(this, Number(options.timeout ?? 600));
	body.parameters = await collectParameters(this, itemIndex, options, budget);
	const result = await runChatflowForItem.call(this, itemIndex, body, {
		budget,
		timeoutSeconds: Number(options.timeout ?? 600),
		includeMessages: options.includeMessages === true,
		liveStream: options.enableStreaming !== false,
	});
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
