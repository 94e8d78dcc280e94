import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { resultLimitOf, returnAllFields } from '../descriptions';
import { messageConversationIdField } from './common';

/** Coze's page size limit for /v1/conversation/message/list. */
const PAGE_SIZE = 50;

const properties: INodeProperties[] = [
	{ ...messageConversationIdField, description: 'The conversation whose messages to list' },
	...returnAllFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Chat ID',
				name: 'chatId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 7382159487131697202',
				description: 'Only the messages of this chat (chat_id in Send Message\'s output)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['list'] } }, properties);

/**
 * A conversation's messages, newest first, one item each: the user's questions, the bot's answers
 * and created messages, across all its chats (Chat → List Messages is one chat's answer, tool calls
 * and follow-ups).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const conversationId = parameters.cozeId('conversationId', 'Conversation ID');
	const chatId = parameters.cozeId('options.chatId', 'Options → Chat ID', { required: false });
	const limit = resultLimitOf(parameters);
	const messages: IDataObject[] = [];
	const seen = new Set<string>();
	let afterId: string | undefined;
	while (messages.length < limit) {
		const page = await coze.messages.list({ conversationId, chatId, afterId, limit: Math.min(PAGE_SIZE, limit - messages.length) });
		let added = 0;
		for (const message of page.messages) {
			const id = String(message.id ?? '');
			if (id !== '' && seen.has(id)) continue;
			seen.add(id);
			messages.push(message);
			added++;
		}
		// A page that does not move on (no last_id, or nothing new) ends the listing.
		if (!page.hasMore || !page.lastId || page.lastId === afterId || added === 0) break;
		afterId = page.lastId;
	}
	return messages.slice(0, limit).map((message) => ({ json: message, pairedItem: { item: itemIndex } }));
}
