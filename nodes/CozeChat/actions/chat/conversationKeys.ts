import { createHash, createHmac } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ConversationsApi } from '../../api/conversation';
import { logDebug } from '../../boundaries/output';
import type { ItemParameters } from '../../boundaries/parameters';

/**
 * "One Coze conversation per key" for Send Message's Conversation Key option (e.g. a Chat
 * Trigger's sessionId). Coze creates conversation ids itself, so the key has to be kept somewhere
 * every n8n process can read at once: a conversation started for a key carries the key's digest in
 * its Coze meta_data, and a key that this workflow's static data does not know yet is looked up in
 * the bot's conversation list. The static data (written by n8n when a production execution ends) is
 * only a cache that saves the lookup; in queue mode, and when concurrent executions overwrite each
 * other's static data, the lookup in Coze finds the conversation. See docs/chat.md "Conversation Key".
 */

/** The meta_data field of a conversation started for a key: a digest, never the key itself. */
export const DIGEST_FIELD = 'n8n_conversation_key';

/**
 * How many pages of the bot's conversations (50 each, newest first) a lookup reads at most before a
 * key counts as new: what a new session costs (up to 4 reads), against how far back a session is
 * still found when the static data does not know it (the 200 newest conversations of the bot).
 */
export const MAX_LOOKUP_PAGES = 4;

/** How many keys one node remembers; beyond that the least recently used are forgotten. */
export const MAX_CONVERSATION_KEYS = 1000;

/**
 * Where in the node's static data the map lives: [key digest, conversation id], oldest first. The
 * digest, never the key: a public chat chooses its own session ids, and a key of any size must not
 * grow the static data n8n writes to its database on every production run.
 */
const FIELD = 'conversationsByKey';

type Entry = [string, string];

/**
 * What a key's digest is made with: the workflow (the same key in another workflow is another
 * conversation) and a secret every n8n process of the instance shares — the instance id, which n8n
 * derives from its encryption key (or keeps in its database), so main and queue-mode workers agree.
 */
export interface KeyScope {
	workflowId: string;
	secret: string;
}

export function keyScopeOf(context: IExecuteFunctions): KeyScope {
	const instanceId = typeof context.getInstanceId === 'function' ? context.getInstanceId() : '';
	return { workflowId: context.getWorkflow().id ?? '', secret: typeof instanceId === 'string' ? instanceId : '' };
}

export function getConversationKey(parameters: ItemParameters): string {
	return parameters.text('options.conversationKey', 'Options → Conversation Key');
}

/** How earlier builds stored an entry: bot id and key verbatim (rewritten as a digest on the next write). */
function legacyEntryKey(botId: string, key: string): string {
	return `${botId}\n${key}`;
}

function entries(data: IDataObject): Entry[] {
	const list = data[FIELD];
	if (!Array.isArray(list)) return [];
	return list.filter(
		(e): e is Entry => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string',
	);
}

export function findConversation(data: IDataObject, scope: KeyScope, botId: string, key: string): string | undefined {
	const digest = keyDigest(scope, botId, key);
	const legacy = legacyEntryKey(botId, key);
	return entries(data).find((e) => e[0] === digest || e[0] === legacy)?.[1];
}

/**
 * Records (or refreshes) key → conversation id as the most recently used. Entries an earlier version
 * kept verbatim are rewritten as digests on the way. Assigns a new list, so n8n's change tracking
 * marks the static data for saving.
 */
export function rememberConversation(
	data: IDataObject,
	scope: KeyScope,
	botId: string,
	key: string,
	conversationId: string,
	max = MAX_CONVERSATION_KEYS,
): void {
	const digest = keyDigest(scope, botId, key);
	const list: Entry[] = [];
	for (const [stored, id] of entries(data)) {
		const newline = stored.indexOf('\n');
		const current = newline < 0 ? stored : keyDigest(scope, stored.slice(0, newline), stored.slice(newline + 1));
		if (current !== digest) list.push([current, id]);
	}
	list.push([digest, conversationId]);
	data[FIELD] = list.slice(Math.max(0, list.length - max));
}

/**
 * The digest a key's conversation carries in Coze and its cache entry: HMAC-SHA256 over the
 * workflow, the bot and the key, keyed with the instance's secret (KeyScope), hex. Someone who reads
 * the conversation's meta_data in Coze cannot test guesses (is it this e-mail address?) without that
 * secret; someone who has both can. Without a secret (an engine that offers no instance id) it is a
 * plain SHA-256, as before.
 */
export function keyDigest(scope: KeyScope, botId: string, key: string): string {
	const text = digestedText(scope.workflowId, botId, key);
	return scope.secret ? createHmac('sha256', scope.secret).update(text).digest('hex') : legacyDigest(scope.workflowId, botId, key);
}

/** The unkeyed digest conversations started by earlier versions carry: still found by the lookup. */
export function legacyDigest(workflowId: string, botId: string, key: string): string {
	return createHash('sha256').update(digestedText(workflowId, botId, key)).digest('hex');
}

/** What either digest is taken over: the workflow, the bot and the key. */
function digestedText(workflowId: string, botId: string, key: string): string {
	return `n8n-nodes-coze\n${workflowId}\n${botId}\n${key}`;
}

/** The oldest of the conversations carrying one of `digests` (two started at once for one key: both agree on one). */
export function oldestKeyedConversation(conversations: IDataObject[], ...digests: string[]): string | undefined {
	let best: { id: string; createdAt: number } | undefined;
	for (const conversation of conversations) {
		const meta = conversation.meta_data as IDataObject | undefined;
		const id = conversation.id;
		if (!meta || !digests.includes(meta[DIGEST_FIELD] as string) || (typeof id !== 'string' && typeof id !== 'number')) continue;
		const candidate = { id: String(id), createdAt: Number(conversation.created_at) || 0 };
		if (!best || older(candidate, best)) best = candidate;
	}
	return best?.id;
}

function older(a: { id: string; createdAt: number }, b: { id: string; createdAt: number }): boolean {
	if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
	// Coze's ids grow with time: a shorter one is older, same length compares as text.
	return a.id.length !== b.id.length ? a.id.length < b.id.length : a.id < b.id;
}

export interface KeyedConversation {
	conversationId: string;
	/** Where it was found: this workflow's static data, Coze's conversation list, or started now. */
	foundIn: 'static data' | 'coze' | 'new';
}

/**
 * The conversation of `key` with `botId`: from the static data when it knows the key, else from the
 * bot's conversations in Coze, else a new conversation carrying the key's digest. After starting
 * one, the list is read once more: when another execution started one for the same key at the same
 * moment, both continue the older one.
 */
export async function conversationForKey(
	context: IExecuteFunctions,
	store: IDataObject,
	request: { botId: string; key: string },
	conversations: ConversationsApi,
): Promise<KeyedConversation> {
	const scope = keyScopeOf(context);
	const cached = findConversation(store, scope, request.botId, request.key);
	if (cached) return { conversationId: cached, foundIn: 'static data' };
	const digest = keyDigest(scope, request.botId, request.key);
	const legacy = legacyDigest(scope.workflowId, request.botId, request.key);
	const found = await lookUpInCoze(conversations, request.botId, [digest, legacy], MAX_LOOKUP_PAGES);
	if (found) return { conversationId: found, foundIn: 'coze' };
	const created = await conversations.create({ bot_id: request.botId, meta_data: { [DIGEST_FIELD]: digest } });
	const createdId = String(created.id ?? '');
	if (createdId === '') throw new Error('Coze did not return the id of the conversation it created for the Conversation Key');
	const settled = (await lookUpInCoze(conversations, request.botId, [digest], 1)) ?? createdId;
	if (settled !== createdId) logDebug(context, 'Conversation Key: another execution started a conversation for this key at the same moment; continuing the older one', { conversationId: settled });
	return { conversationId: settled, foundIn: 'new' };
}

async function lookUpInCoze(api: ConversationsApi, botId: string, digests: string[], pages: number): Promise<string | undefined> {
	const seen: IDataObject[] = [];
	for (let page = 1; page <= pages; page++) {
		const { conversations, hasMore } = await api.list({ botId, page, sortOrder: 'DESC' });
		seen.push(...conversations);
		const found = oldestKeyedConversation(seen, ...digests);
		// Newest first: a match on this page may still have an older twin further on only when two
		// were started at once, which the page after a creation settles.
		if (found || !hasMore) return found;
	}
	return undefined;
}
