import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { aggregateChatMessages } from '../../core/chatAggregator';
import type { CozeChat } from '../../core/types';
import type { CozeClient } from '../../api/client';
import { chatIdsOf, parametersOf } from '../../boundaries/parameters';
import { chatIdField, conversationIdField } from '../descriptions';

const properties: INodeProperties[] = [
	conversationIdField,
	chatIdField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Answer',
				name: 'includeAnswer',
				type: 'boolean',
				default: true,
				description:
					'Whether to add the aggregated answer fields (answer, reasoning_content, follow_ups, tool_calls) when the chat is completed',
			},
			{
				displayName: 'Include Raw Messages',
				name: 'includeMessages',
				type: 'boolean',
				default: false,
				description: 'Whether to add the chat\'s raw Coze messages (and the answer fields) to the output',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['retrieve'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const { conversationId, chatId } = chatIdsOf(parameters);
	const includeMessages = parameters.boolean('options.includeMessages', 'Options → Include Raw Messages', false);
	const includeAnswer = parameters.boolean('options.includeAnswer', 'Options → Include Answer', true);
	const client = coze.chat.pollClient();

	const chat = await client.retrieve(conversationId, chatId);
	let json: IDataObject = { ...(chat as IDataObject) };
	if (chat.status === 'completed' && (includeMessages || includeAnswer)) {
		const messages = await client.listMessages(conversationId, chatId);
		const result = aggregateChatMessages(chat as CozeChat, messages, { includeMessages });
		json = { ...json, ...(result as unknown as IDataObject) };
	} else if (includeMessages) {
		json.messages = await client.listMessages(conversationId, chatId);
	}
	return [{ json, pairedItem: { item: itemIndex } }];
}
