import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { concurrencyOption } from '../descriptions';
import { byConversationId, itemsInParallel } from '../parallelism';
import {
	contentField,
	contentTypeField,
	messageContentOf,
	messageConversationIdField,
	messageMetadataOf,
	metadataCollection,
} from './common';

const properties: INodeProperties[] = [
	{ ...messageConversationIdField, description: 'The conversation to add the message to (conversation_id in Send Message\'s output, or the ID output by Conversation → Create)' },
	{
		displayName: 'Role',
		name: 'role',
		type: 'options',
		options: [
			{ name: 'User', value: 'user', description: 'The user said it' },
			{ name: 'Assistant', value: 'assistant', description: 'The bot said it (or a human agent answering in its place)' },
		],
		default: 'user',
	},
	contentTypeField,
	contentField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ ...concurrencyOption, description: 'How many items to send at once; items of one conversation still go one after another, in input order' },
			metadataCollection('Up to 16 key/value pairs stored with the message (returned by Message → Get)'),
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['create'] } }, properties);

/** Items of one conversation go in input order: the messages are context in that order. */
export const parallelism = itemsInParallel(byConversationId);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const conversationId = parameters.cozeId('conversationId', 'Conversation ID');
	const role = parameters.choice('role', 'Role', ['user', 'assistant'], 'user');
	const content = messageContentOf(parameters, { content: 'content', contentType: 'contentType' }, { content: 'Content', contentType: 'Content Type' });
	const metaData = messageMetadataOf(parameters, 'options.metaData', 'Options → Metadata');
	const message = await coze.messages.create(conversationId, { role, ...content, ...(metaData ? { meta_data: metaData } : {}) });
	return [{ json: message, pairedItem: { item: itemIndex } }];
}
