import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { byConversationId, itemsInParallel } from '../parallelism';
import { inOrderParallelOptions, messageConversationIdField, messageIdField, messageIdsOf } from './common';

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['get'] } }, [
	messageConversationIdField,
	messageIdField,
	inOrderParallelOptions,
]);

export const parallelism = itemsInParallel(byConversationId);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const message = await coze.messages.get(messageIdsOf(parametersOf(this, itemIndex)));
	return [{ json: message, pairedItem: { item: itemIndex } }];
}
