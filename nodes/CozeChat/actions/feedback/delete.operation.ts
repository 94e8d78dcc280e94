import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { byConversationId, itemsInParallel } from '../parallelism';
import { inOrderParallelOptions, messageConversationIdField, messageIdField, messageIdsOf } from '../message/common';

export const description = updateDisplayOptions({ show: { resource: ['feedback'], operation: ['delete'] } }, [
	{ ...messageConversationIdField, description: 'The conversation of the rated answer' },
	{ ...messageIdField, description: 'The answer whose feedback to delete' },
	inOrderParallelOptions,
]);

export const parallelism = itemsInParallel(byConversationId);

/** Deletes the feedback on an answer (the message itself stays). */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const ids = messageIdsOf(parametersOf(this, itemIndex));
	await coze.messages.deleteFeedback(ids);
	return [{ json: { conversation_id: ids.conversationId, message_id: ids.messageId, deleted: true }, pairedItem: { item: itemIndex } }];
}
