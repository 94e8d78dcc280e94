import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { aggregateChatMessages } from '../../core/chatAggregator';
import { isTerminalStatus, UNANSWERED_STATUSES } from '../../core/types';
import type { CozeClient } from '../../api/client';
import { chatIdsOf, parametersOf } from '../../boundaries/parameters';
import { chatIdField, conversationIdField } from '../descriptions';

const properties: INodeProperties[] = [
	conversationIdField,
	chatIdField,
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return one item with the aggregated answer fields (like Send Message) instead of one item per raw Coze message',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['listMessages'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const { conversationId, chatId } = chatIdsOf(parameters);
	const simplify = parameters.boolean('simplify', 'Simplify', true);
	const client = coze.chat.pollClient();
	const messages = await client.listMessages(conversationId, chatId);
	if (!simplify) {
		return messages.map((message) => ({ json: message as IDataObject, pairedItem: { item: itemIndex } }));
	}
	const chat = await client.retrieve(conversationId, chatId);
	if (!isTerminalStatus(chat.status) || UNANSWERED_STATUSES.includes(chat.status as string)) {
		// No answer to aggregate yet (or ever): say so instead of presenting a partial one.
		return [{ json: { ...(chat as IDataObject), messages: messages as IDataObject[] }, pairedItem: { item: itemIndex } }];
	}
	const result = aggregateChatMessages(chat, messages);
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
