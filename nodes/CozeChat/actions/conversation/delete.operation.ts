import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { byConversationId, itemsInParallel } from '../parallelism';
import { inOrderParallelOptions } from '../message/common';
import { conversationIdOnly } from './get.operation';

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['delete'] } }, [
	{
		displayName: 'Deleting a conversation deletes its messages; only the conversation\'s creator can delete it',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
	},
	conversationIdOnly,
	inOrderParallelOptions,
]);

export const parallelism = itemsInParallel(byConversationId);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const conversationId = parametersOf(this, itemIndex).cozeId('conversationId', 'Conversation ID');
	await coze.conversations.delete(conversationId);
	return [{ json: { id: conversationId, deleted: true }, pairedItem: { item: itemIndex } }];
}
