/** Coze's conversation API: create, retrieve, list (per bot), clear context. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ItemBudget } from '../boundaries/budget';
import { cozeApiEnvelope, cozeApiRequest } from '../transport/request';
import { envelopeObject } from './chat';

/** Coze's maximum page size for /v1/conversations. */
export const CONVERSATION_PAGE_SIZE = 50;

export async function createConversation(context: IExecuteFunctions, body: IDataObject, budget?: ItemBudget): Promise<IDataObject> {
	return (await cozeApiRequest.call(context, 'POST', '/v1/conversation/create', { body, budget })) as IDataObject;
}

/** A conversation: the cloud answers under `data`, Coze Studio under `ConversationData`. */
export async function getConversation(context: IExecuteFunctions, conversationId: string): Promise<IDataObject> {
	const path = '/v1/conversation/retrieve';
	const envelope = await cozeApiEnvelope.call(context, 'GET', path, { qs: { conversation_id: conversationId } });
	return envelopeObject(envelope, ['ConversationData'], 'conversation', `GET ${path}`);
}

/** One page of a bot's conversations. */
export async function listConversations(
	context: IExecuteFunctions,
	query: { botId: string; page: number; sortOrder: string },
	budget?: ItemBudget,
): Promise<{ conversations: IDataObject[]; hasMore: boolean }> {
	const data = (await cozeApiRequest.call(context, 'GET', '/v1/conversations', {
		qs: { bot_id: query.botId, page_num: query.page, page_size: CONVERSATION_PAGE_SIZE, sort_order: query.sortOrder },
		budget,
	})) as IDataObject | undefined;
	const conversations = (data?.conversations as IDataObject[] | undefined) ?? [];
	return { conversations, hasMore: data?.has_more === true };
}

/** Starts a new section: earlier messages stay readable but are no longer the bot's context. */
export async function clearConversationContext(context: IExecuteFunctions, conversationId: string): Promise<IDataObject> {
	return (await cozeApiRequest.call(context, 'POST', `/v1/conversations/${conversationId}/clear`)) as IDataObject;
}
