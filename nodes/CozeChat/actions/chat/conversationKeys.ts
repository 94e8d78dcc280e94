import type { IDataObject } from 'n8n-workflow';

import type { ItemParameters } from '../../boundaries/parameters';

/**
 * "One Coze conversation per key" for Send Message's Conversation Key option (e.g. a Chat
 * Trigger's sessionId). Coze creates conversation ids itself, so the node remembers key →
 * conversation id in the workflow's static data for this node. n8n saves static data after
 * production executions only (not manual ones), as one write of the whole object at the end of the
 * execution; see README "Chatbot with memory".
 */

/** How many keys one node remembers; beyond that the least recently used are forgotten. */
export const MAX_CONVERSATION_KEYS = 1000;

/** Where in the node's static data the map lives: [bot id + key, conversation id], oldest first. */
const FIELD = 'conversationsByKey';

type Entry = [string, string];

export function getConversationKey(parameters: ItemParameters): string {
	return parameters.text('options.conversationKey', 'Options → Conversation Key');
}

/** A key means the same conversation only with the same bot. */
function scoped(botId: string, key: string): string {
	return `${botId}\n${key}`;
}

function entries(data: IDataObject): Entry[] {
	const list = data[FIELD];
	if (!Array.isArray(list)) return [];
	return list.filter(
		(e): e is Entry => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string',
	);
}

export function findConversation(data: IDataObject, botId: string, key: string): string | undefined {
	const wanted = scoped(botId, key);
	return entries(data).find((e) => e[0] === wanted)?.[1];
}

/**
 * Records (or refreshes) key → conversation id as the most recently used. Assigns a new list, so
 * n8n's change tracking marks the static data for saving.
 */
export function rememberConversation(
	data: IDataObject,
	botId: string,
	key: string,
	conversationId: string,
	max = MAX_CONVERSATION_KEYS,
): void {
	const wanted = scoped(botId, key);
	const list = entries(data).filter((e) => e[0] !== wanted);
	list.push([wanted, conversationId]);
	data[FIELD] = list.slice(Math.max(0, list.length - max));
}
