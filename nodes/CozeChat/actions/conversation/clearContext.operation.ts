import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { cozeApiRequest } from '../../transport/request';
import { getCozeId } from '../validation';
import { conversationIdOnly } from './get.operation';

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['clearContext'] } },
	[conversationIdOnly],
);

/** Starts a new section: earlier messages stay readable but are no longer the bot's context. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const conversationId = getCozeId(this, 'conversationId', 'Conversation ID', itemIndex);
	const section = (await cozeApiRequest.call(this, 'POST', `/v1/conversations/${conversationId}/clear`)) as IDataObject;
	return [{ json: section, pairedItem: { item: itemIndex } }];
}
