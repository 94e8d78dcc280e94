import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { byConversationId, itemsInParallel } from '../parallelism';
import { inOrderParallelOptions, messageConversationIdField, messageIdField, messageIdsOf } from './common';

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['delete'] } }, [
	{
		displayName: 'Deleting a bot\'s answer also deletes its tool calls and other intermediate messages; a deleted message is no longer context for the bot',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
	},
	messageConversationIdField,
	messageIdField,
	inOrderParallelOptions,
]);

export const parallelism = itemsInParallel(byConversationId);

/** Outputs the deleted message as Coze answers it. */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const message = await coze.messages.delete(messageIdsOf(parametersOf(this, itemIndex)));
	return [{ json: message, pairedItem: { item: itemIndex } }];
}
