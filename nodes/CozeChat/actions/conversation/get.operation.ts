import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { cozeEnvelope, envelopeObject } from '../../transport/chatApi';
import { getCozeId } from '../validation';

export const conversationIdOnly: INodeProperties = {
	displayName: 'Conversation ID',
	name: 'conversationId',
	type: 'string',
	default: '',
	required: true,
	placeholder: '7381473525342978089',
	description: 'The conversation (the ID output by Create Conversation, or conversation_id of Send Message)',
};

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['get'] } },
	[conversationIdOnly],
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const conversationId = getCozeId(this, 'conversationId', 'Conversation ID', itemIndex);
	const path = '/v1/conversation/retrieve';
	// The cloud answers under `data`, Coze Studio under `ConversationData`.
	const envelope = await cozeEnvelope(this, 'GET', path, { qs: { conversation_id: conversationId } });
	const conversation: IDataObject = envelopeObject(envelope, ['ConversationData'], 'conversation', `GET ${path}`);
	return [{ json: conversation, pairedItem: { item: itemIndex } }];
}
