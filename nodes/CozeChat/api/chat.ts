/**
 * Coze's chat API (v3): the one place that knows its endpoint paths, where each server puts its
 * payload, and which ids go in the query. The cloud always answers under `data`; self-hosted Coze
 * Studio uses `Messages` for message lists and `ChatV3ChatDetail` for cancel.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ChatPollClient } from '../core/chatPoll';
import type { CozeChat } from '../core/types';
import type { StreamHandler, StreamOutcome } from '../transport/stream';
import { envelopeMessages, envelopeObject } from './envelope';
import type { CozeHttp } from './http';

/** A request that starts (or continues) a chat turn; answered as a stream or, non-stream, as the Chat. */
export interface ChatTurnRequest {
	path: string;
	qs?: IDataObject;
	body: IDataObject;
}

export const SUBMIT_TOOL_OUTPUTS_PATH = '/v3/chat/submit_tool_outputs';

/** What a server without Submit Tool Outputs lacks (Coze Studio answers 401 "missing session_key in cookie"). */
export const CLIENT_TOOLS_ENDPOINT = (ids: { chatId: string; conversationId: string }) => ({
	what: 'Submit Tool Outputs is',
	path: SUBMIT_TOOL_OUTPUTS_PATH,
	why: 'self-hosted Coze Studio does not offer client-side tools',
	ids,
});

/** POST /v3/chat. The conversation goes in the query (conversation_id is not a body field there). */
export function startChatRequest(body: IDataObject, conversationId?: string): ChatTurnRequest {
	return { path: '/v3/chat', qs: conversationId ? { conversation_id: conversationId } : {}, body };
}

/** POST /v3/chat/submit_tool_outputs: continues the chat that waits in requires_action. */
export function submitToolOutputsRequest(
	ids: { conversationId: string; chatId: string },
	toolOutputs: Array<{ tool_call_id: string; output: string }>,
): ChatTurnRequest {
	return {
		path: SUBMIT_TOOL_OUTPUTS_PATH,
		qs: { conversation_id: ids.conversationId, chat_id: ids.chatId },
		body: { tool_outputs: toolOutputs as unknown as IDataObject[] },
	};
}

export class ChatApi {
	constructor(private readonly http: CozeHttp) {}

	/** Sends a chat turn request in non-stream mode; returns Coze's whole envelope. */
	async startWithoutStream(request: ChatTurnRequest, options: { retryRateLimit: boolean }): Promise<IDataObject> {
		return await this.http.envelope('POST', request.path, { ...options, qs: request.qs, body: { ...request.body, stream: false } });
	}

	/** Sends a chat turn request in stream mode; its events go to `handler` (transport/stream.ts). */
	async stream(request: ChatTurnRequest, handler: StreamHandler, options: { retryRateLimit?: boolean }): Promise<StreamOutcome> {
		return await this.http.stream({ ...request, body: { ...request.body, stream: true } }, handler, options);
	}

	/**
	 * The chat companion endpoints (retrieve, message list, cancel) as a poll's client. Cancel, and
	 * the retrieve that explains a refused cancel, run on the item's cleanup allowance: once the item
	 * ran out of time or was canceled, that is one short allowance for the whole item.
	 */
	pollClient(): ChatPollClient {
		const { http } = this;
		const retrieve = async (door: CozeHttp, conversationId: string, chatId: string) => {
			const path = '/v3/chat/retrieve';
			const envelope = await door.envelope('GET', path, { qs: { conversation_id: conversationId, chat_id: chatId }, activity: `polling the chat (${path})` });
			return envelopeObject(envelope, [], 'chat object', `GET ${path}`) as unknown as CozeChat;
		};
		return {
			retrieve: async (conversationId, chatId) => await retrieve(http, conversationId, chatId),
			retrieveForCleanup: async (conversationId, chatId) => await retrieve(http.cleanup(), conversationId, chatId),
			listMessages: async (conversationId, chatId) => {
				const path = '/v3/chat/message/list';
				return envelopeMessages(await http.envelope('GET', path, { qs: { conversation_id: conversationId, chat_id: chatId }, activity: `polling the chat (${path})` }));
			},
			cancel: async (conversationId, chatId) => {
				const path = '/v3/chat/cancel';
				const envelope = await http.cleanup().envelope('POST', path, { body: { conversation_id: conversationId, chat_id: chatId }, activity: 'canceling the chat' });
				return envelopeObject(envelope, ['ChatV3ChatDetail'], 'chat object', `POST ${path}`) as unknown as CozeChat;
			},
			sleep: async (ms) => await http.budget.sleep(ms, 'waiting for the chat to finish'),
			now: () => Date.now(),
		};
	}
}
