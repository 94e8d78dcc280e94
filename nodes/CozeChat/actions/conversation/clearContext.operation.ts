import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { conversationIdOnly } from './get.operation';

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['clearContext'] } },
	[conversationIdOnly],
);

/** Starts a new section: earlier messages stay readable but are no longer the bot's context. */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const conversationId = parametersOf(this, itemIndex).cozeId('conversationId', 'Conversation ID');
	const section = await coze.conversations.clearContext(conversationId);
	return [{ json: section, pairedItem: { item: itemIndex } }];
}
