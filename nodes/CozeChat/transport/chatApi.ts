import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import type { ChatPollClient } from '../chat/poll';
import type { CozeChat, CozeMessage } from '../chat/types';
import { cozeApiRequest, sleepUnlessCanceled } from './request';

/** The chat companion endpoints (retrieve, message list, cancel) over n8n's HTTP. */
export function chatPollClient(context: IExecuteFunctions): ChatPollClient {
	const request = async <T>(
		method: IHttpRequestMethods,
		path: string,
		options: { qs?: IDataObject; body?: IDataObject },
	) => (await cozeApiRequest.call(context, method, path, options)) as unknown as T;
	return {
		retrieve: async (conversationId, chatId) =>
			await request<CozeChat>('GET', '/v3/chat/retrieve', {
				qs: { conversation_id: conversationId, chat_id: chatId },
			}),
		listMessages: async (conversationId, chatId) =>
			(await request<CozeMessage[] | null>('GET', '/v3/chat/message/list', {
				qs: { conversation_id: conversationId, chat_id: chatId },
			})) ?? [],
		cancel: async (conversationId, chatId) =>
			await request<CozeChat>('POST', '/v3/chat/cancel', {
				body: { conversation_id: conversationId, chat_id: chatId },
			}),
		sleep: async (ms) => await sleepUnlessCanceled(context, ms),
		now: () => Date.now(),
	};
}
