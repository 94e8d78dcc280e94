import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import type { ChatPollClient } from '../core/chatPoll';
import type { CozeChat, CozeMessage } from '../core/types';
import { ItemBudget } from './http';
import { cozeApiEnvelope } from './request';

/**
 * One JSON exchange that returns Coze's whole envelope (cozeApiRequest returns only `data`): the
 * one place that knows where each server puts its payload. The cloud always uses `data`; self-hosted
 * Coze Studio uses `Messages` for chat message lists, `ChatV3ChatDetail` for cancel and
 * `ConversationData` for conversation retrieve.
 */
export async function cozeEnvelope(
	context: IExecuteFunctions,
	method: IHttpRequestMethods,
	path: string,
	options: { qs?: IDataObject; body?: IDataObject; budget?: ItemBudget; activity?: string } = {},
): Promise<IDataObject> {
	return await cozeApiEnvelope.call(context, method, path, options);
}

/**
 * The object an envelope carries under `data` or one of `alternatives`. A successful answer without
 * it is reported, never turned into an empty item.
 */
export function envelopeObject(envelope: IDataObject, alternatives: string[], what: string, endpoint: string): IDataObject {
	for (const key of ['data', ...alternatives]) {
		const value = envelope[key];
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as IDataObject;
	}
	throw new CozeApiError({
		msg: `Coze answered ${endpoint} without error but also without the ${what} (response keys: ${Object.keys(envelope).join(', ') || 'none'})`,
		logid: ((envelope.detail as IDataObject | undefined)?.logid as string | undefined) ?? undefined,
	});
}

/**
 * The message list of an envelope: `data` (cloud) or `Messages` (Coze Studio). Neither key means no
 * messages: the cloud leaves `data` out for a failed chat, Studio leaves `Messages` out when empty.
 */
export function envelopeMessages(envelope: IDataObject): CozeMessage[] {
	for (const key of ['data', 'Messages']) {
		const value = envelope[key];
		if (Array.isArray(value)) return value as CozeMessage[];
	}
	return [];
}

/**
 * The chat companion endpoints (retrieve, message list, cancel) over n8n's HTTP, within the item's
 * budget. Cancel (and the retrieve that explains a refused cancel) still get a few seconds of
 * their own after the item ran out of time or was canceled: that is when a chat needs canceling.
 */
export function chatPollClient(context: IExecuteFunctions, budget = ItemBudget.of(context)): ChatPollClient {
	const call = async (method: IHttpRequestMethods, path: string, options: { qs?: IDataObject; body?: IDataObject }, cleanup = false) =>
		await cozeEnvelope(context, method, path, {
			...options,
			activity: path === '/v3/chat/cancel' ? 'canceling the chat' : `polling the chat (${path})`,
			budget: cleanup && isSpent(budget) ? ItemBudget.forCleanup() : budget,
		});
	return {
		retrieve: async (conversationId, chatId) => {
			const path = '/v3/chat/retrieve';
			const envelope = await call('GET', path, { qs: { conversation_id: conversationId, chat_id: chatId } }, true);
			return envelopeObject(envelope, [], 'chat object', `GET ${path}`) as unknown as CozeChat;
		},
		listMessages: async (conversationId, chatId) =>
			envelopeMessages(await call('GET', '/v3/chat/message/list', { qs: { conversation_id: conversationId, chat_id: chatId } })),
		cancel: async (conversationId, chatId) => {
			const path = '/v3/chat/cancel';
			const envelope = await call('POST', path, { body: { conversation_id: conversationId, chat_id: chatId } }, true);
			return envelopeObject(envelope, ['ChatV3ChatDetail'], 'chat object', `POST ${path}`) as unknown as CozeChat;
		},
		sleep: async (ms) => await budget.sleep(ms, 'waiting for the chat to finish'),
		now: () => Date.now(),
	};
}

function isSpent(budget: ItemBudget): boolean {
	const remaining = budget.remainingMs();
	return budget.canceled || (remaining !== undefined && remaining <= 0);
}
