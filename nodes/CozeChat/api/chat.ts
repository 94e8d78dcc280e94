/**
 * Coze's chat API (v3): the one place that knows its endpoint paths, where each server puts its
 * payload, and which ids go in the query. The cloud always answers under `data`; self-hosted Coze
 * Studio uses `Messages` for message lists and `ChatV3ChatDetail` for cancel.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import type { ChatPollClient } from '../core/chatPoll';
import { CozeApiError } from '../core/errors';
import type { CozeChat, CozeMessage } from '../core/types';
import { ItemBudget } from '../boundaries/budget';
import { cozeApiEnvelope } from '../transport/request';

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

/** Sends a chat turn request in non-stream mode; returns Coze's whole envelope. */
export async function startChatWithoutStream(
	context: IExecuteFunctions,
	request: ChatTurnRequest,
	options: { budget: ItemBudget; retryRateLimit: boolean },
): Promise<IDataObject> {
	return await cozeApiEnvelope.call(context, 'POST', request.path, {
		...options,
		qs: request.qs,
		body: { ...request.body, stream: false },
	});
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
function envelopeMessages(envelope: IDataObject): CozeMessage[] {
	for (const key of ['data', 'Messages']) {
		const value = envelope[key];
		if (Array.isArray(value)) return value as CozeMessage[];
	}
	return [];
}

/**
 * The chat companion endpoints (retrieve, message list, cancel) within the item's budget. Cancel,
 * and the retrieve that explains a refused cancel, run on the item's cleanup budget: once the item
 * ran out of time or was canceled, that is one short allowance for the whole item.
 */
export function chatPollClient(context: IExecuteFunctions, budget = ItemBudget.of(context)): ChatPollClient {
	const call = async (method: IHttpRequestMethods, path: string, options: { qs?: IDataObject; body?: IDataObject }, callBudget: ItemBudget) =>
		await cozeApiEnvelope.call(context, method, path, {
			...options,
			activity: path === '/v3/chat/cancel' ? 'canceling the chat' : `polling the chat (${path})`,
			budget: callBudget,
		});
	const retrieve = async (conversationId: string, chatId: string, callBudget: ItemBudget) => {
		const path = '/v3/chat/retrieve';
		const envelope = await call('GET', path, { qs: { conversation_id: conversationId, chat_id: chatId } }, callBudget);
		return envelopeObject(envelope, [], 'chat object', `GET ${path}`) as unknown as CozeChat;
	};
	return {
		retrieve: async (conversationId, chatId) => await retrieve(conversationId, chatId, budget),
		retrieveForCleanup: async (conversationId, chatId) => await retrieve(conversationId, chatId, budget.cleanup()),
		listMessages: async (conversationId, chatId) =>
			envelopeMessages(await call('GET', '/v3/chat/message/list', { qs: { conversation_id: conversationId, chat_id: chatId } }, budget)),
		cancel: async (conversationId, chatId) => {
			const path = '/v3/chat/cancel';
			const envelope = await call('POST', path, { body: { conversation_id: conversationId, chat_id: chatId } }, budget.cleanup());
			return envelopeObject(envelope, ['ChatV3ChatDetail'], 'chat object', `POST ${path}`) as unknown as CozeChat;
		},
		sleep: async (ms) => await budget.sleep(ms, 'waiting for the chat to finish'),
		now: () => Date.now(),
	};
}
