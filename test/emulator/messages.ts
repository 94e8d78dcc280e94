/**
 * Conversation edits, messages and message feedback, in the shapes of Coze's docs (coze-dev/coze-sdk-gen
 * docs/api-markdown: edit_conversation, delete_conversation, create_message, retrieve_message,
 * modify_message, delete_message, message_feedback, delete_message_feedback) and cozepy:
 *
 * - PUT / DELETE /v1/conversations/:id: rename (name ≤ 100 characters) and delete; only the
 *   conversation's creator. Also on Coze Studio (conversation_service.go), with its codes 103000001
 *   (permission) and 103000002 (not found) and its ConversationData (no meta_data, no creator_id).
 * - /v1/conversation/message/{create,retrieve,modify,delete}?conversation_id=[&message_id=]: a created
 *   message is context for the conversation's next chat (in order); modify changes it there, delete
 *   takes it out. Modify answers under `message`, the others under `data`. A chat's question and
 *   answers are stored when the chat is over (saveTurn), so they can be read, changed, deleted and
 *   rated too. Not on Coze Studio (its auth answers 401 before any route).
 * - POST / DELETE /v1/conversations/:cid/messages/:mid/feedback: like | unlike, ≤ 10 reasons of ≤ 30
 *   characters, a comment of ≤ 250; only the conversation's creator, only a chat's answer; a second
 *   submit replaces the first. Kept in `feedback` for tests to read.
 *
 * Assumed, not sourced: the codes and texts of the cloud's refusals (Coze documents none for these
 * endpoints): 4000 for a parameter Coze refuses or an id it does not know, 4101 for a token of another
 * user than the conversation's creator.
 */
import { newId } from './ids';
import { EmulatorFault, type ChatRecord, type ConversationRecord, type CozeEmulator, type EmulatorRoute, type RouteRequest } from './server';
import { STUDIO_CODES } from './studio';

export interface StoredMessage {
	id: string;
	conversation_id: string;
	bot_id: string;
	chat_id: string;
	section_id: string;
	role: string;
	type: string;
	content: string;
	content_type: string;
	meta_data: Record<string, string>;
	created_at: number;
	updated_at: number;
}

export interface StoredFeedback {
	conversation_id: string;
	feedback_type: string;
	reason_types: string[];
	comment: string;
}

/** What the emulator knows of a message beyond its wire shape. */
interface MessageEntry {
	message: StoredMessage;
	/** The conversation's context entry of this message (while it is context). */
	context?: { role: string; content: string; id?: string };
	/** Made by a chat (rateable when an answer), not by Message → Create. */
	fromChat: boolean;
	/** Order of creation (created_at has seconds only). */
	seq: number;
}

const chars = (text: string) => [...text].length;

export class MessageEmulator {
	private readonly entries = new Map<string, MessageEntry>();

	private seq = 0;

	/** Feedback by message id: what Coze keeps for its message logs. */
	readonly feedback = new Map<string, StoredFeedback>();

	/** Tokens of another Coze user than the one who created the emulator's conversations. */
	private readonly otherUsers = new Set<string>();

	constructor(private readonly emulator: CozeEmulator) {}

	/** A token the emulator accepts, of another Coze user (not the creator of any conversation). */
	anotherUser(token: string): void {
		this.otherUsers.add(token);
		this.emulator.tokenCheckers.push((candidate) => candidate === token);
	}

	/** A stored message by id (deleted ones are gone). */
	message(id: string): StoredMessage | undefined {
		return this.entries.get(id)?.message;
	}

	/** Core: stores a finished chat's question and answers and makes them context (server.ts finish). */
	saveTurn(record: ChatRecord): void {
		const conversation = record.conversation;
		const base = { conversation_id: conversation.id, bot_id: record.chat.bot_id, chat_id: record.chat.id, section_id: conversation.sectionId, meta_data: {} };
		const question: StoredMessage = {
			...base,
			id: newId(),
			role: 'user',
			type: 'question',
			content: record.userMessage,
			content_type: 'text',
			created_at: record.createdAt,
			updated_at: record.createdAt,
		};
		this.remember(conversation, question, true);
		for (const m of record.transcript.messages) {
			if (m.type !== 'answer') continue;
			const createdAt = m.created_at ?? record.createdAt;
			this.remember(conversation, { ...base, id: m.id, role: 'assistant', type: 'answer', content: m.content, content_type: m.content_type, created_at: createdAt, updated_at: createdAt }, true);
		}
	}

	private remember(conversation: ConversationRecord, message: StoredMessage, fromChat: boolean): MessageEntry {
		const context = { role: message.role, content: message.content, id: message.id };
		conversation.messages.push(context);
		const entry: MessageEntry = { message, context, fromChat, seq: ++this.seq };
		this.entries.set(message.id, entry);
		return entry;
	}

	readonly route: EmulatorRoute = async (request) => {
		const route = `${request.method} ${request.path}`;
		const conversationRoute = /^(PUT|DELETE) \/v1\/conversations\/(\d+)$/.exec(route);
		const messageRoute = /^(POST|GET) \/v1\/conversation\/message\/(create|retrieve|modify|delete|list)$/.exec(route);
		const feedbackRoute = /^(POST|DELETE) \/v1\/conversations\/(\d+)\/messages\/(\d+)\/feedback$/.exec(route);
		if (!conversationRoute && !messageRoute && !feedbackRoute) return false;
		try {
			if (conversationRoute) this.editConversation(request, conversationRoute[1], conversationRoute[2]);
			else if (messageRoute) this.messageCall(request, `${messageRoute[1]} ${messageRoute[2]}`);
			else if (feedbackRoute) this.feedbackCall(request, feedbackRoute[1], feedbackRoute[2], feedbackRoute[3]);
		} catch (error) {
			// Coze Studio's dialect answers its own faults (studio.ts); the cloud's come as HTTP 200 JSON.
			if (!(error instanceof EmulatorFault) || this.emulator.dialect === 'studio') throw error;
			this.emulator.json(request.res, error.status, { code: error.code, msg: error.msg });
		}
		return true;
	};

	private editConversation(request: RouteRequest, method: string, id: string): void {
		const studio = this.emulator.dialect === 'studio';
		const conversation = this.conversation(id);
		if (this.otherUsers.has(request.token ?? '')) {
			if (studio) {
				// conversation.go: a stranger's delete reads as not found, a stranger's rename as no permission.
				throw method === 'DELETE' ? new EmulatorFault(STUDIO_CODES.conversationNotFound, 'user not match') : new EmulatorFault(103000001, 'user not match');
			}
			throw new EmulatorFault(4101, 'Permission denied: only the conversation\'s creator can edit or delete it');
		}
		if (method === 'DELETE') {
			this.emulator.deleteConversation(conversation.id);
			for (const [messageId, entry] of this.entries) if (entry.message.conversation_id === conversation.id) this.entries.delete(messageId);
			return this.emulator.json(request.res, 200, { code: 0, msg: '', ...(studio ? { BaseResp: null } : {}) });
		}
		const name = (request.body as { name?: unknown } | undefined)?.name;
		if (typeof name !== 'string' || name === '') throw new EmulatorFault(4000, 'Request parameter error: name is required');
		if (chars(name) > 100) throw new EmulatorFault(4000, 'Request parameter error: name exceeds 100 characters');
		conversation.name = name;
		if (studio) {
			// UpdateConversation's ConversationData: id, last_section_id, connector_id, created_at, name.
			const data = { id: conversation.id, last_section_id: conversation.sectionId, connector_id: '1024', created_at: conversation.createdAt, name };
			return this.emulator.json(request.res, 200, { data, code: 0, msg: '', BaseResp: null });
		}
		this.emulator.ok(request.res, { ...this.emulator.publicConversation(conversation), updated_at: Math.floor(Date.now() / 1000) });
	}

	private messageCall(request: RouteRequest, call: string): void {
		const { query } = request;
		const conversation = this.conversation(query.conversation_id);
		const body = (request.body ?? {}) as Record<string, unknown>;
		if (call === 'POST list') return this.list(request, conversation, body);
		if (call === 'POST create') {
			const role = body.role;
			if (role !== 'user' && role !== 'assistant') throw new EmulatorFault(4000, 'Request parameter error: role must be user or assistant');
			const content = this.content(body, true)!;
			const now = Math.floor(Date.now() / 1000);
			const message: StoredMessage = {
				id: newId(),
				conversation_id: conversation.id,
				bot_id: '',
				chat_id: '',
				section_id: conversation.sectionId,
				role,
				type: '',
				...content,
				meta_data: this.metaData(body.meta_data) ?? {},
				created_at: now,
				updated_at: now,
			};
			this.remember(conversation, message, false);
			return this.emulator.ok(request.res, { ...message });
		}
		const entry = this.entry(conversation, query.message_id);
		if (call === 'GET retrieve') return this.emulator.ok(request.res, { ...entry.message });
		if (call === 'POST modify') {
			const content = this.content(body, false);
			const metaData = this.metaData(body.meta_data);
			if (!content && !metaData) throw new EmulatorFault(4000, 'Request parameter error: content and meta_data cannot both be empty');
			Object.assign(entry.message, content ?? {}, metaData ? { meta_data: metaData } : {}, { updated_at: Math.floor(Date.now() / 1000) });
			if (content && entry.context) entry.context.content = content.content;
			// modify_message.md: the message comes back under `message`, not `data`.
			return this.emulator.json(request.res, 200, { code: 0, msg: '', message: { ...entry.message } });
		}
		if (call === 'POST delete') {
			this.entries.delete(entry.message.id);
			this.feedback.delete(entry.message.id);
			const index = entry.context ? conversation.messages.indexOf(entry.context) : -1;
			if (index >= 0) conversation.messages.splice(index, 1);
			return this.emulator.ok(request.res, { ...entry.message });
		}
		throw new EmulatorFault(4000, `no route ${request.method} ${request.path}`, 404);
	}

	/**
	 * A page of the conversation's messages (list_message.md; Coze Studio's ListWithoutPair): newest
	 * first; after_id gives the older ones after that message, before_id the newer ones (oldest first),
	 * as Studio's dal/message.go does; first_id / last_id are the page's first and last message.
	 */
	private list(request: RouteRequest, conversation: ConversationRecord, body: Record<string, unknown>): void {
		const studio = this.emulator.dialect === 'studio';
		if (this.otherUsers.has(request.token ?? '')) {
			throw studio ? new EmulatorFault(103000001, 'permission denied') : new EmulatorFault(4101, 'Permission denied: only the conversation\'s creator can list its messages');
		}
		const limit = body.limit === undefined ? 50 : Number(body.limit);
		if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new EmulatorFault(4000, 'Request parameter error: limit must be 1 to 50');
		let all = [...this.entries.values()].filter((e) => e.message.conversation_id === conversation.id);
		if (body.chat_id !== undefined) all = all.filter((e) => e.message.chat_id === String(body.chat_id));
		const cursor = (id: unknown) => (id === undefined || id === '0' || id === '' ? undefined : this.entries.get(String(id)));
		const before = cursor(body.before_id);
		const after = cursor(body.after_id);
		let page: MessageEntry[];
		if (before) page = all.filter((e) => e.seq > before.seq).sort((a, b) => a.seq - b.seq);
		else page = all.filter((e) => !after || e.seq < after.seq).sort((a, b) => b.seq - a.seq);
		const hasMore = page.length > limit;
		page = page.slice(0, limit);
		const data = page.map((e) => ({ ...e.message }));
		const ids = { first_id: data[0]?.id ?? '0', last_id: data[data.length - 1]?.id ?? '0' };
		this.emulator.json(request.res, 200, { code: 0, msg: '', data, has_more: hasMore, ...ids });
	}

	private feedbackCall(request: RouteRequest, method: string, conversationId: string, messageId: string): void {
		const conversation = this.conversation(conversationId);
		if (this.otherUsers.has(request.token ?? '')) {
			throw new EmulatorFault(4101, 'Permission denied: only the creator of the conversation can give feedback on its messages');
		}
		const entry = this.entry(conversation, messageId);
		if (!entry.fromChat || entry.message.type !== 'answer') {
			throw new EmulatorFault(4000, `Request parameter error: feedback is only supported on answer messages (message ${messageId} is of type '${entry.message.type}')`);
		}
		if (method === 'DELETE') {
			this.feedback.delete(messageId);
			return this.emulator.json(request.res, 200, { code: 0, msg: '' });
		}
		const body = (request.body ?? {}) as Record<string, unknown>;
		if (body.feedback_type !== 'like' && body.feedback_type !== 'unlike') throw new EmulatorFault(4000, 'Request parameter error: feedback_type must be like or unlike');
		const reasons = body.reason_types ?? [];
		if (!Array.isArray(reasons) || reasons.some((r) => typeof r !== 'string')) throw new EmulatorFault(4000, 'Request parameter error: reason_types must be an array of strings');
		if (reasons.length > 10 || reasons.some((r) => chars(r as string) > 30)) throw new EmulatorFault(4000, 'Request parameter error: at most 10 reason_types of at most 30 characters');
		const comment = body.comment ?? '';
		if (typeof comment !== 'string' || chars(comment) > 250) throw new EmulatorFault(4000, 'Request parameter error: comment exceeds 250 characters');
		this.feedback.set(messageId, { conversation_id: conversation.id, feedback_type: body.feedback_type, reason_types: reasons as string[], comment });
		this.emulator.json(request.res, 200, { code: 0, msg: '' });
	}

	private conversation(id: string | undefined): ConversationRecord {
		const studio = this.emulator.dialect === 'studio';
		try {
			const conversation = this.emulator.findConversation(id);
			// A chat that is over has its turn stored (and rateable) before anything reads it.
			this.emulator.settle(conversation);
			return conversation;
		} catch (error) {
			throw studio && error instanceof EmulatorFault ? new EmulatorFault(STUDIO_CODES.conversationNotFound, 'conversation not found') : error;
		}
	}

	private entry(conversation: ConversationRecord, messageId: string | undefined): MessageEntry {
		if (!messageId || !/^\d+$/.test(messageId)) throw new EmulatorFault(4000, 'Request parameter error: message_id is invalid');
		const entry = this.entries.get(messageId);
		if (!entry || entry.message.conversation_id !== conversation.id) throw new EmulatorFault(4000, `message ${messageId} does not exist in conversation ${conversation.id}`);
		return entry;
	}

	/** content and content_type (required on create; on modify, content needs content_type). */
	private content(body: Record<string, unknown>, required: boolean): { content: string; content_type: string } | undefined {
		if (body.content === undefined && !required) return undefined;
		if (typeof body.content !== 'string' || body.content === '') throw new EmulatorFault(4000, 'Request parameter error: content is required');
		if (body.content_type !== 'text' && body.content_type !== 'object_string') throw new EmulatorFault(4000, 'Request parameter error: content_type must be text or object_string');
		if (body.content_type === 'object_string') {
			let items: unknown;
			try {
				items = JSON.parse(body.content);
			} catch {
				throw new EmulatorFault(4000, 'Request parameter error: object_string content must be a JSON array');
			}
			if (!Array.isArray(items)) throw new EmulatorFault(4000, 'Request parameter error: object_string content must be a JSON array');
		}
		return { content: body.content, content_type: body.content_type };
	}

	private metaData(value: unknown): Record<string, string> | undefined {
		if (value === undefined || value === null) return undefined;
		if (typeof value !== 'object' || Array.isArray(value)) throw new EmulatorFault(4000, 'Request parameter error: meta_data must be a map');
		const entries = Object.entries(value as Record<string, unknown>);
		if (entries.length > 16 || entries.some(([k, v]) => typeof v !== 'string' || chars(k) > 64 || chars(v) > 512)) {
			throw new EmulatorFault(4000, 'Request parameter error: meta_data takes at most 16 pairs, keys of 1-64 and values of 1-512 characters');
		}
		return value as Record<string, string>;
	}
}
