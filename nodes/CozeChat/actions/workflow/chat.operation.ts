import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { assertCozeId, parametersOf } from '../../boundaries/parameters';
import { attachFiles, downloadFilesOptions, filesSettingsOf } from '../filesOut';
import { chatFileSources } from '../../core/fileRefs';
import { concurrencyOption, enterMessages, messageListCollection, sortedOptions, timeoutSecondsOf } from '../descriptions';
import { byConversationId, conversationIdOf, itemsInParallel } from '../parallelism';
import {
	associationFields,
	binaryFileOption,
	collectParameters,
	enableStreamingOption,
	extFrom,
	extOption,
	getAssociation,
	getWorkflowId,
	parameterFields,
	timeoutOption,
	workflowLocator,
	workflowRunOptionsOf,
	workflowVersionOption,
} from './common';
import { CHATFLOW_SYSTEM_INPUTS } from './schemaCheck';
import { forTheModel, simplifyForToolField } from '../toolOutput';
import { runChatflowForItem } from './runChatflow';

const properties: INodeProperties[] = [
	simplifyForToolField,
	workflowLocator('chatflow'),
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. What is the weather in Hangzhou today?',
		description: 'The user\'s message (plain text): the chatflow\'s USER_INPUT, or the reply to its question',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 7483480124491380000',
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
			...downloadFilesOptions,
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflow'], operation: ['chat'] } }, properties);

/** Turns of one conversation go one after another. */
export const parallelism = itemsInParallel(byConversationId);

/** The item's time: Options → Timeout (Seconds); the schema check and uploads count too. */
export const timeoutSeconds = timeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const workflowId = getWorkflowId(parameters);
	const message = parameters.text('message', 'Message', { required: true });
	const conversationId = conversationIdOf(parameters);
	const { timeoutSeconds, liveStream } = workflowRunOptionsOf(parameters, 'stream');
	const files = filesSettingsOf(parameters);
	const body: IDataObject = {
		workflow_id: workflowId,
		...getAssociation(parameters),
		additional_messages: [
			...enterMessages(parameters.entries('options.additionalMessages', 'Options → Previous Messages')),
			{ role: 'user', type: 'question', content: message, content_type: 'text' },
		],
	};
	// In the body: /v1/workflows/chat takes the conversation id there, unlike /v3/chat.
	if (conversationId !== '') body.conversation_id = assertCozeId(parameters, conversationId, 'Conversation ID');
	const ext = extFrom(parameters);
	if (ext) body.ext = ext;
	const version = parameters.text('options.workflowVersion', 'Options → Workflow Version');
	if (version !== '') body.workflow_version = version;
	// One budget for the uploads and the chat: the Timeout covers both.
	body.parameters = await collectParameters(parameters, coze, { workflowId, system: CHATFLOW_SYSTEM_INPUTS, version });
	const result = await runChatflowForItem(this, coze, body, {
		timeoutSeconds,
		includeMessages: parameters.boolean('options.includeMessages', 'Options → Include Raw Messages', false),
		liveStream,
	});
	const json = forTheModel(parameters, result as unknown as IDataObject, ['answer', 'status', 'interrupt', 'follow_ups', 'conversation_id']);
	const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
	return [files ? await attachFiles(this, coze, item, chatFileSources(result as never), files) : item];
}
