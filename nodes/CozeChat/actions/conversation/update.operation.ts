import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { byConversationId, itemsInParallel } from '../parallelism';
import { inOrderParallelOptions, length } from '../message/common';
import { conversationIdOnly } from './get.operation';

/** Coze's limit on a conversation's name (edit_conversation.md). */
export const NAME_MAX = 100;

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['update'] } }, [
	conversationIdOnly,
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Support #42',
		description: 'The conversation\'s new name (up to 100 characters)',
	},
	inOrderParallelOptions,
]);

export const parallelism = itemsInParallel(byConversationId);

/** Renames a conversation; outputs it as Coze answers. */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const conversationId = parameters.cozeId('conversationId', 'Conversation ID');
	const name = parameters.text('name', 'Name', { required: true });
	if (length(name) > NAME_MAX) parameters.fail(`Name has ${length(name)} characters, Coze takes at most ${NAME_MAX}`);
	const conversation = await coze.conversations.update(conversationId, name);
	return [{ json: conversation, pairedItem: { item: itemIndex } }];
}
