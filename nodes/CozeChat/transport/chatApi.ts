import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import type { ChatPollClient } from '../chat/poll';
import type { CozeChat, CozeMessage } from '../chat/types';
import { ItemBudget } from './http';
import { cozeApiRequest } from './request';

/**
 * The chat companion endpoints (retrieve, message list, cancel) over n8n's HTTP, within the item's
 * budget. Cancel (and the retrieve that explains a refused cancel) still get a few seconds of
 * their own after the item ran out of time or was canceled: that is when a chat needs canceling.
 */
export function chatPollClient(context: IExecuteFunctions, budget = ItemBudget.of(context)): ChatPollClient {
	const request = async <T>(
		method: IHttpRequestMethods,
		path: string,
		options: { qs?: IDataObject; body?: IDataObject },
		cleanup = false,
	) =>
		(await cozeApiRequest.call(context, method, path, {
			...options,
			activity: path === '/v3/chat/cancel' ? 'canceling the chat' : `polling the chat (${path})`,
			budget: cleanup && isSpent(budget) ? ItemBudget.forCleanup() : budget,
		})) as unknown as T;
	return {
		retrieve: async (conversationId, chatId) =>
			await request<CozeChat>('GET', '/v3/chat/retrieve', {
				qs: { conversation_id: conversationId, chat_id: chatId },
			}, true),
		listMessages: async (conversationId, chatId) =>
			(await request<CozeMessage[] | null>('GET', '/v3/chat/message/list', {
				qs: { conversation_id: conversationId, chat_id: chatId },
			})) ?? [],
		cancel: async (conversationId, chatId) =>
			await request<CozeChat>('POST', '/v3/chat/cancel', {
				body: { conversation_id: conversationId, chat_id: chatId },
			}, true),
		sleep: async (ms) => await budget.sleep(ms, 'waiting for the chat to finish'),
		now: () => Date.now(),
	};
}

function isSpent(budget: ItemBudget): boolean {
	const remaining = budget.remainingMs();
	return budget.canceled || (remaining !== undefined && remaining <= 0);
}
