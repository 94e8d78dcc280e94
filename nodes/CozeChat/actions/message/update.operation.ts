import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import type { MessageContent } from '../../api/message';
import { parametersOf } from '../../boundaries/parameters';
import { byConversationId, itemsInParallel } from '../parallelism';
import {
	contentField,
	contentTypeField,
	inOrderParallelOptions,
	messageContentOf,
	messageConversationIdField,
	messageIdField,
	messageIdsOf,
	messageMetadataOf,
	metadataCollection,
} from './common';

const properties: INodeProperties[] = [
	messageConversationIdField,
	messageIdField,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ ...contentField, required: false, description: `The new content. ${contentField.description}` },
			{ ...contentTypeField, description: 'The type of the new Content' },
			metadataCollection('The message\'s new metadata (up to 16 key/value pairs); it replaces the old'),
		],
	},
	inOrderParallelOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['update'] } }, properties);

export const parallelism = itemsInParallel(byConversationId);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const ids = messageIdsOf(parameters);
	const hasContent = parameters.text('updateFields.content', 'Update Fields → Content', { keepSpaces: true }).trim() !== '';
	const content: Partial<MessageContent> = hasContent
		? messageContentOf(
				parameters,
				{ content: 'updateFields.content', contentType: 'updateFields.contentType' },
				{ content: 'Update Fields → Content', contentType: 'Update Fields → Content Type' },
			)
		: {};
	const metaData = messageMetadataOf(parameters, 'updateFields.metaData', 'Update Fields → Metadata');
	// Coze refuses a modify with neither (modify_message.md): say so before sending it.
	if (!hasContent && !metaData) parameters.fail('Update Fields: add Content or Metadata to change');
	const message = await coze.messages.update(ids, { ...content, ...(metaData ? { meta_data: metaData } : {}) });
	return [{ json: message, pairedItem: { item: itemIndex } }];
}
