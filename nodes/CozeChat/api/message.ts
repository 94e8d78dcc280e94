/**
 * Coze's message API (one message of a conversation: create, retrieve, modify, delete) and message
 * feedback (a like or unlike on a bot's answer), in the shapes of Coze's docs (create_message,
 * retrieve_message, modify_message, delete_message, message_feedback, delete_message_feedback) and
 * cozepy's conversations.messages(.feedback), and the list of a conversation's messages. The conversation and message ids go in the query
 * (messages) or the path (feedback). Self-hosted Coze Studio serves only the list.
 */
import type { IDataObject } from 'n8n-workflow';

import { CozeApiError, isMissingEndpoint, TransportError, unsupportedByServer } from '../core/errors';
import { envelopeObject } from './envelope';
import type { CozeHttp } from './http';

export const MESSAGE_PATH = '/v1/conversation/message';

export const FEEDBACK_PATH = '/v1/conversations/:conversation_id/messages/:message_id/feedback';

/** A message's content as Coze takes it: text, or object_string (a JSON array of text/image/file items). */
export interface MessageContent {
	content: string;
	content_type: 'text' | 'object_string';
}

export interface MessageIds {
	conversationId: string;
	messageId: string;
}

export interface Feedback {
	feedback_type: 'like' | 'unlike';
	reason_types?: string[];
	comment?: string;
}

/** What Coze takes feedback on, said with its refusals (message_feedback.md "接口限制"). */
export const FEEDBACK_RULES =
	'Coze takes feedback only from the conversation\'s creator (the user of the token that started it), only on a bot\'s text answer (type answer) or a chatflow\'s reply, and only on messages from 2025-07-11 on.';

/** Self-hosted Coze Studio has no message endpoints beyond the list: say so instead of its web-session 401. */
function onStudio(what: string, path: string) {
	return (error: unknown): never => {
		throw unsupportedByServer(error, { what, path, why: 'self-hosted Coze Studio does not offer it to API tokens' });
	};
}

/**
 * Coze's refusal of a feedback, with what Coze accepts (its codes for these refusals are not
 * documented); on Coze Studio, that it has no feedback API.
 */
function onFeedbackError(error: unknown): never {
	if (isMissingEndpoint(error)) onStudio('Feedback is', FEEDBACK_PATH)(error);
	if (error instanceof CozeApiError && !(error instanceof TransportError) && error.code !== undefined && !error.hint) {
		throw new CozeApiError({ code: error.code, msg: error.msg, logid: error.logid, httpStatus: error.httpStatus, hint: FEEDBACK_RULES });
	}
	throw error;
}

export class MessagesApi {
	constructor(private readonly http: CozeHttp) {}

	/** Adds a message to a conversation (context for the next chat); answers the message. */
	async create(conversationId: string, message: MessageContent & { role: 'user' | 'assistant'; meta_data?: Record<string, string> }): Promise<IDataObject> {
		const path = `${MESSAGE_PATH}/create`;
		const envelope = await this.http
			.envelope('POST', path, { qs: { conversation_id: conversationId }, body: { ...message } })
			.catch(onStudio('Message → Create is', path));
		return envelopeObject(envelope, [], 'message', `POST ${path}`);
	}

	/** One message of a conversation. */
	async get(ids: MessageIds): Promise<IDataObject> {
		const path = `${MESSAGE_PATH}/retrieve`;
		const envelope = await this.http
			.envelope('GET', path, { qs: { conversation_id: ids.conversationId, message_id: ids.messageId } })
			.catch(onStudio('Message → Get is', path));
		return envelopeObject(envelope, [], 'message', `GET ${path}`);
	}

	/** Changes a message's content and/or metadata; Coze answers the message under `message`, not `data`. */
	async update(ids: MessageIds, changes: Partial<MessageContent> & { meta_data?: Record<string, string> }): Promise<IDataObject> {
		const path = `${MESSAGE_PATH}/modify`;
		const envelope = await this.http
			.envelope('POST', path, { qs: { conversation_id: ids.conversationId, message_id: ids.messageId }, body: { ...changes } })
			.catch(onStudio('Message → Update is', path));
		return envelopeObject(envelope, ['message'], 'message', `POST ${path}`);
	}

	/** Deletes a message (an answer with its tool calls and verbose messages); answers the deleted message. */
	async delete(ids: MessageIds): Promise<IDataObject> {
		const path = `${MESSAGE_PATH}/delete`;
		const envelope = await this.http
			.envelope('POST', path, { qs: { conversation_id: ids.conversationId, message_id: ids.messageId } })
			.catch(onStudio('Message → Delete is', path));
		return envelopeObject(envelope, [], 'deleted message', `POST ${path}`);
	}

	/**
	 * One page of a conversation's messages, newest first (POST /v1/conversation/message/list, also on
	 * Coze Studio): the user's questions, the bot's answers and the messages created in it, not the
	 * tool calls or follow-ups of its chats. The next page is the one after `lastId` (as cozepy pages);
	 * Coze Studio ignores `order`, so only newest first is asked for.
	 */
	async list(query: { conversationId: string; chatId?: string; afterId?: string; limit: number }): Promise<{ messages: IDataObject[]; hasMore: boolean; lastId?: string }> {
		const body: IDataObject = { order: 'desc', limit: query.limit };
		if (query.chatId) body.chat_id = query.chatId;
		if (query.afterId) body.after_id = query.afterId;
		const envelope = await this.http.envelope('POST', `${MESSAGE_PATH}/list`, { qs: { conversation_id: query.conversationId }, body, readOnly: true });
		const messages = Array.isArray(envelope.data) ? (envelope.data as IDataObject[]) : [];
		const lastId = typeof envelope.last_id === 'string' && envelope.last_id !== '' && envelope.last_id !== '0' ? envelope.last_id : undefined;
		return { messages, hasMore: envelope.has_more === true, lastId };
	}

	/** Submits (or replaces) the feedback on a bot's answer; Coze answers with no data. */
	async submitFeedback(ids: MessageIds, feedback: Feedback): Promise<void> {
		await this.http
			.envelope('POST', feedbackPath(ids), { body: { ...feedback } })
			.catch(onFeedbackError);
	}

	/** Deletes the feedback on a message. */
	async deleteFeedback(ids: MessageIds): Promise<void> {
		await this.http
			.envelope('DELETE', feedbackPath(ids))
			.catch(onFeedbackError);
	}
}

function feedbackPath(ids: MessageIds): string {
	return `/v1/conversations/${ids.conversationId}/messages/${ids.messageId}/feedback`;
}
