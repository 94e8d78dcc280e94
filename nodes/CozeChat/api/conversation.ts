/** Coze's conversation API: create, retrieve, list (per bot), clear context, rename, delete. */
import type { IDataObject } from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import { envelopeObject } from './envelope';
import type { CozeHttp } from './http';

/** What a refused rename or delete means (Coze's 4101, Coze Studio's 103000001 "user not match"). */
export const EDIT_CONVERSATION_HINT =
	'Only the conversation\'s creator (the user whose token created it) can rename or delete it, and the token needs the editConversation permission.';

function onEditRefused(error: unknown): never {
	if (error instanceof CozeApiError && (error.code === 4101 || error.code === 103000001) && !error.hint) {
		throw new CozeApiError({ code: error.code, msg: error.msg, logid: error.logid, httpStatus: error.httpStatus, hint: EDIT_CONVERSATION_HINT });
	}
	throw error;
}

/** Coze's maximum page size for /v1/conversations. */
export const CONVERSATION_PAGE_SIZE = 50;

export class ConversationsApi {
	constructor(private readonly http: CozeHttp) {}

	async create(body: IDataObject): Promise<IDataObject> {
		return await this.http.data<IDataObject>('POST', '/v1/conversation/create', { body });
	}

	/** A conversation: the cloud answers under `data`, Coze Studio under `ConversationData`. */
	async get(conversationId: string): Promise<IDataObject> {
		const path = '/v1/conversation/retrieve';
		const envelope = await this.http.envelope('GET', path, { qs: { conversation_id: conversationId } });
		return envelopeObject(envelope, ['ConversationData'], 'conversation', `GET ${path}`);
	}

	/** One page of a bot's conversations. */
	async list(query: { botId: string; page: number; sortOrder: string }): Promise<{ conversations: IDataObject[]; hasMore: boolean }> {
		const data = await this.http.data<IDataObject | undefined>('GET', '/v1/conversations', {
			qs: { bot_id: query.botId, page_num: query.page, page_size: CONVERSATION_PAGE_SIZE, sort_order: query.sortOrder },
		});
		const conversations = (data?.conversations as IDataObject[] | undefined) ?? [];
		return { conversations, hasMore: data?.has_more === true };
	}

	/** Starts a new section: earlier messages stay readable but are no longer the bot's context. */
	async clearContext(conversationId: string): Promise<IDataObject> {
		return await this.http.data<IDataObject>('POST', `/v1/conversations/${conversationId}/clear`);
	}

	/** Renames a conversation (PUT /v1/conversations/:id, also on Coze Studio); answers the conversation. */
	async update(conversationId: string, name: string): Promise<IDataObject> {
		const path = `/v1/conversations/${conversationId}`;
		const envelope = await this.http.envelope('PUT', path, { body: { name } }).catch(onEditRefused);
		return envelopeObject(envelope, [], 'conversation', 'PUT /v1/conversations/:conversation_id');
	}

	/** Deletes a conversation and its messages (DELETE /v1/conversations/:id, also on Coze Studio). */
	async delete(conversationId: string): Promise<void> {
		await this.http.envelope('DELETE', `/v1/conversations/${conversationId}`).catch(onEditRefused);
	}
}
