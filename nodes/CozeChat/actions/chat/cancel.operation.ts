import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { CozeApiError } from '../../core/errors';
import { isCannotCancel } from '../../core/chatPoll';
import type { CozeClient } from '../../api/client';
import { safeError } from '../../boundaries/output';
import { chatIdsOf, parametersOf } from '../../boundaries/parameters';
import { chatIdField, conversationIdField } from '../descriptions';

const properties: INodeProperties[] = [conversationIdField, chatIdField];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['cancel'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const { conversationId, chatId } = chatIdsOf(parametersOf(this, itemIndex));
	const client = coze.chat.pollClient();
	try {
		const chat = await client.cancel(conversationId, chatId);
		return [{ json: chat as IDataObject, pairedItem: { item: itemIndex } }];
	} catch (error) {
		if (!isCannotCancel(error)) throw safeError(this, error, itemIndex);
		// Say which status blocks it: completed, failed and requires_action chats cannot be canceled.
		const current = await client.retrieve(conversationId, chatId).catch(() => undefined);
		throw safeError(this, new CozeApiError({
			code: error.code,
			msg: `The chat cannot be canceled in its current status (${current?.status ?? 'unknown'}); only chats that are still created or in progress can be`,
			logid: error.logid,
			chatId,
			conversationId,
		}), itemIndex);
	}
}
