import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';

export const conversationIdOnly: INodeProperties = {
	displayName: 'Conversation ID',
	name: 'conversationId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 7381473525342978089',
	description: 'The conversation (the ID output by Create Conversation, or conversation_id of Send Message)',
};

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['get'] } },
	[conversationIdOnly],
);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const conversationId = parametersOf(this, itemIndex).cozeId('conversationId', 'Conversation ID');
	const conversation = await coze.conversations.get(conversationId);
	return [{ json: conversation, pairedItem: { item: itemIndex } }];
}
