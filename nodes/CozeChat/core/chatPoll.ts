import { aggregateChatMessages, type ChatAggregator, type ChatResult } from './chatAggregator';
import { CozeApiError } from './errors';
import { pollUntil } from './polling';
import { isTerminalStatus, type CozeChat, type CozeMessage } from './types';

/** What polling needs from the outside world; the n8n side supplies real HTTP and sleep. */
export interface ChatPollClient {
	retrieve(conversationId: string, chatId: string): Promise<CozeChat>;
	/** Like retrieve, after the item ran out of time: to say why a cancel was refused. */
	retrieveForCleanup(conversationId: string, chatId: string): Promise<CozeChat>;
	listMessages(conversationId: string, chatId: string): Promise<CozeMessage[]>;
	cancel(conversationId: string, chatId: string): Promise<CozeChat>;
	/** Waits; rejects when the execution is canceled. */
	sleep(ms: number): Promise<void>;
	now(): number;
}

export interface PollOptions {
	pollIntervalMs: number;
	/** Epoch ms after which the chat is canceled and an error thrown; undefined = no limit. */
	deadline?: number;
	/** Seconds of the user's limit, for the error message. */
	timeoutSeconds?: number;
	includeMessages?: boolean;
	/** See ResultOptions.clientSideCalls. */
	clientSideCalls?: boolean;
}

/**
 * Codes for "this chat cannot be canceled in its current status": the cloud's 4104, and Coze
 * Studio's 103200005 ("in progress can not be cancelled", inside its HTTP 400 answer).
 */
const CANNOT_CANCEL: Array<number | string | undefined> = [4104, 103200005];

export function isCannotCancel(error: unknown): error is CozeApiError {
	return error instanceof CozeApiError && CANNOT_CANCEL.includes(error.code);
}

/**
 * Polls /v3/chat/retrieve until the chat reaches a terminal status, then builds the result from
 * /v3/chat/message/list. Used for non-stream mode and to recover a stream that broke off after
 * the chat id was known (the chat keeps running on Coze's side).
 */
export async function pollChatResult(
	client: ChatPollClient,
	ids: { conversationId: string; chatId: string },
	options: PollOptions,
): Promise<ChatResult> {
	const chat = await waitForTerminalChat(client, ids, options);
	if (chat.status !== 'completed') {
		// failed / canceled / expired / deleted throw; a chat waiting for tool outputs is answered
		// from its required_action alone.
		return aggregateChatMessages(chat, [], { includeMessages: options.includeMessages });
	}
	const messages = await client.listMessages(ids.conversationId, ids.chatId);
	return aggregateChatMessages(chat, messages, { includeMessages: options.includeMessages, clientSideCalls: options.clientSideCalls });
}

export async function waitForTerminalChat(
	client: ChatPollClient,
	ids: { conversationId: string; chatId: string },
	options: PollOptions,
): Promise<CozeChat> {
	return await pollUntil({
		read: async () => await client.retrieve(ids.conversationId, ids.chatId),
		done: (chat) => isTerminalStatus(chat.status),
		intervalMs: options.pollIntervalMs,
		deadline: options.deadline,
		clock: client,
		outOfTime: async (chat) => await cancelForTimeout(client, ids, chat, options.timeoutSeconds),
	});
}

/**
 * Cancels a chat that ran past the user's time limit and returns the error to throw. A chat that
 * finished meanwhile (Coze answers 4104) is reported with its real status.
 */
export async function cancelForTimeout(
	client: Pick<ChatPollClient, 'cancel' | 'retrieveForCleanup'>,
	ids: { conversationId: string; chatId: string },
	lastSeen: Partial<CozeChat> | undefined,
	timeoutSeconds: number | undefined,
): Promise<CozeApiError> {
	let outcome = 'it was canceled';
	try {
		await client.cancel(ids.conversationId, ids.chatId);
	} catch (error) {
		if (isCannotCancel(error)) {
			const current = await client.retrieveForCleanup(ids.conversationId, ids.chatId).catch(() => undefined);
			outcome = `it could not be canceled (status ${current?.status ?? 'unknown'})`;
		} else {
			outcome = `canceling it failed too (${(error as Error).message})`;
		}
	}
	const limit = timeoutSeconds === undefined ? 'the time limit' : `${timeoutSeconds} s`;
	return new CozeApiError({
		msg: `The Coze chat did not finish within ${limit} (last status: ${lastSeen?.status ?? 'unknown'}); ${outcome}. Raise Options → Timeout if the bot needs longer.`,
		chatId: ids.chatId,
		conversationId: ids.conversationId,
	});
}

/**
 * A stream that ended without token usage (Coze Studio's never carries any: its chat events omit
 * `usage`) gets it from one /v3/chat/retrieve. Usage is a nice-to-have: if that read fails, the
 * answer is returned with zeros rather than failed.
 */
export async function addMissingUsage(
	client: Pick<ChatPollClient, 'retrieve'>,
	aggregator: ChatAggregator,
): Promise<void> {
	if (aggregator.usageReported || aggregator.status !== 'completed') return;
	const { chatId, conversationId } = aggregator;
	if (!chatId || !conversationId) return;
	const chat = await client.retrieve(conversationId, chatId).catch(() => undefined);
	if (chat?.usage && typeof chat.usage === 'object') aggregator.applyUsage(chat.usage);
}
