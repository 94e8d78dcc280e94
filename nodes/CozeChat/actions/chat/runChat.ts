import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { ChatAggregator, liveStreamCorrection, type ChatResult } from '../../core/chatAggregator';
import { addMissingUsage, cancelForTimeout, pollChatResult, type ChatPollClient } from '../../core/chatPoll';
import { CozeApiError, TransportError } from '../../core/errors';
import type { ChatTurnRequest } from '../../api/chat';
import type { CozeClient } from '../../api/client';
import { withLiveText, type LiveText } from '../../boundaries/output';
import type { ItemParameters } from '../../boundaries/parameters';
import { POLL_INTERVAL_RULE, timeoutSecondsOf } from '../descriptions';
import { streamTurn } from '../streamedTurn';

/** After the terminal chat event only `done` is left; Coze sends it at once. */
const TAIL_MS = 3 * 1000;

export interface RunChatOptions {
	stream: boolean;
	/** Whole-chat limit in seconds; 0 = none. */
	timeoutSeconds: number;
	pollIntervalSeconds: number;
	includeMessages: boolean;
	/** List the client-side plugin calls answered in this chat (Submit Tool Outputs; see ResultOptions). */
	clientSideCalls?: boolean;
	/** False when the chat is not saved: then a broken stream cannot be recovered by polling. */
	recoverable: boolean;
	/** Forward answer text to a streaming trigger (Chat Trigger, Webhook with Respond: Streaming). */
	liveStream: boolean;
	/** Resend a request Coze rejected as "too many" (it created nothing), after a backoff. */
	retryRateLimit: boolean;
}

/** Reads the shared chat options (see chatRunOptions) of an operation's `options` collection. */
export function chatRunOptionsOf(parameters: ItemParameters, extra: { recoverable: (stream: boolean) => boolean }): RunChatOptions {
	const stream = parameters.boolean('options.stream', 'Options → Receive Answer as Stream', true);
	const timeoutSeconds = timeoutSecondsOf(parameters);
	return {
		stream,
		timeoutSeconds,
		pollIntervalSeconds: parameters.number('options.pollInterval', 'Options → Poll Interval (Seconds)', POLL_INTERVAL_RULE),
		includeMessages: parameters.boolean('options.includeMessages', 'Options → Include Raw Messages', false),
		recoverable: extra.recoverable(stream),
		liveStream: parameters.boolean('options.enableStreaming', 'Options → Stream to Chat Trigger or Webhook', true),
		retryRateLimit: parameters.boolean('options.retryRateLimit', 'Options → Retry When Rate Limited', true),
	};
}

/**
 * Runs a chat turn and, when n8n streams this execution to its caller, forwards the answer as it
 * arrives. The live stream always ends with exactly the item's answer (see liveStreamCorrection).
 */
export async function runChatForItem(
	context: IExecuteFunctions,
	coze: CozeClient,
	request: ChatTurnRequest,
	options: RunChatOptions,
): Promise<ChatResult> {
	return await withLiveText(
		context,
		coze.itemIndex,
		options.liveStream,
		async (live) => await runChat(coze, request, options, live),
		(result, streamed) => liveStreamCorrection(streamed, result.answer),
	);
}

/**
 * Runs one chat turn (POST /v3/chat, or another endpoint that answers with the same stream) and
 * returns its aggregated result. Streaming: one streamed turn, and if the stream breaks after the
 * chat id is known, poll retrieve + message list instead (never re-POST: Coze has no idempotency
 * key). Non-streaming: create, poll, list. The item's budget and the execution's cancel close the
 * connection in any phase and cancel the chat when one exists.
 */
export async function runChat(
	coze: CozeClient,
	request: ChatTurnRequest,
	options: RunChatOptions,
	live?: Pick<LiveText, 'write'>,
): Promise<ChatResult> {
	const { budget } = coze;
	const poll = coze.chat.pollClient();
	const pollOptions = {
		pollIntervalMs: options.pollIntervalSeconds * 1000,
		deadline: budget.deadline,
		timeoutSeconds: options.timeoutSeconds || undefined,
		includeMessages: options.includeMessages,
		clientSideCalls: options.clientSideCalls,
	};

	if (!options.stream) {
		const envelope = await coze.chat.startWithoutStream(request, { retryRateLimit: options.retryRateLimit });
		const ids = startedChatIds(envelope, request.qs);
		if (!ids) {
			throw new CozeApiError({
				msg: `Coze accepted the chat but returned no chat or conversation id (response keys: ${Object.keys(envelope).join(', ') || 'none'})`,
				logid: ((envelope.detail as IDataObject | undefined)?.logid as string | undefined) ?? undefined,
			});
		}
		return await whileChatRuns(poll, ids, options, async () => await pollChatResult(poll, ids, pollOptions));
	}

	const aggregator = new ChatAggregator();
	const outcome = await streamTurn((handler) => coze.chat.stream(request, handler, { retryRateLimit: options.retryRateLimit }), aggregator, {
		live,
		tailMs: TAIL_MS,
		// requires_action may not be followed by `done`.
		finished: () => aggregator.isDone || aggregator.status === 'requires_action',
	});
	if (outcome.complete) {
		// Coze Studio's stream carries no usage; its retrieve does.
		await addMissingUsage(poll, aggregator);
		return aggregator.result({ includeMessages: options.includeMessages, clientSideCalls: options.clientSideCalls });
	}

	const { broken } = outcome;
	const logid = aggregator.logid;
	if (!aggregator.chatId || !aggregator.conversationId) {
		if (broken?.reason === 'timeout' || broken?.reason === 'canceled') throw broken;
		throw new CozeApiError({
			msg: `The Coze stream ended before the chat started${broken ? ` (${broken.msg})` : ''}, so there is no answer and no chat to recover. Nothing was retried, to avoid a duplicate turn.`,
			logid,
		});
	}
	const ids = { conversationId: aggregator.conversationId, chatId: aggregator.chatId };
	if (broken && broken.reason !== 'network' && broken.reason !== 'idle') {
		throw await stopChat(poll, ids, broken, options);
	}
	if (!options.recoverable) {
		throw new CozeApiError({
			msg: `The Coze stream broke off before the chat finished (${broken?.msg ?? 'the stream ended early'}), and with Auto Save History off the answer cannot be fetched afterwards`,
			logid,
			chatId: ids.chatId,
			conversationId: ids.conversationId,
		});
	}
	// The chat keeps running on Coze's side: wait for it and read the answer from the message list.
	return await whileChatRuns(poll, ids, options, async () => await pollChatResult(poll, ids, pollOptions), broken);
}

/**
 * Runs `work` on a started chat; if the item runs out of time or is canceled, cancels the chat. A
 * failure while recovering a broken stream says that the stream broke first.
 */
async function whileChatRuns<T>(
	poll: ChatPollClient,
	ids: { conversationId: string; chatId: string },
	options: RunChatOptions,
	work: () => Promise<T>,
	recovering?: TransportError,
): Promise<T> {
	const outcome = await work().then(
		(result) => ({ result }),
		(error: unknown) => ({ error }),
	);
	if ('result' in outcome) return outcome.result;
	const { error } = outcome;
	if (error instanceof TransportError && (error.reason === 'timeout' || error.reason === 'canceled')) {
		throw await stopChat(poll, ids, error, options);
	}
	if (recovering && error instanceof CozeApiError && !(error instanceof TransportError)) throw error;
	if (recovering && error instanceof Error) {
		throw new CozeApiError({
			msg: `The Coze stream broke off (${recovering.msg}), and reading the chat's result afterwards failed too: ${error.message}`,
			logid: (error as CozeApiError).logid ?? recovering.logid,
			chatId: ids.chatId,
			conversationId: ids.conversationId,
		});
	}
	throw error;
}

/**
 * The item stopped (Timeout, execution canceled, a stream over the size limit) while its chat
 * still runs on Coze: cancel the chat, and say what happened to it in the error.
 */
async function stopChat(
	poll: ChatPollClient,
	ids: { conversationId: string; chatId: string },
	stopped: TransportError,
	options: RunChatOptions,
): Promise<CozeApiError> {
	if (stopped.reason === 'timeout') {
		const error = await cancelForTimeout(poll, ids, { status: 'in_progress' }, options.timeoutSeconds);
		return new CozeApiError({ msg: `${stopped.msg}; ${error.msg}`, chatId: ids.chatId, conversationId: ids.conversationId, logid: stopped.logid });
	}
	let outcome = 'the chat was canceled';
	try {
		await poll.cancel(ids.conversationId, ids.chatId);
	} catch (error) {
		outcome = `canceling the chat failed too (${(error as Error).message})`;
	}
	return new TransportError(stopped.reason, `${stopped.msg}; ${outcome}`, { logid: stopped.logid });
}

/**
 * The chat a non-stream request started or continued. Normally the Chat object under `data`. Submit
 * Tool Outputs continues a chat whose ids the request carries, and Coze's docs also show its answer
 * as a bare Message object (no envelope; its `id` is a message id), so the request's ids win there.
 */
function startedChatIds(envelope: IDataObject, qs: IDataObject | undefined): { conversationId: string; chatId: string } | undefined {
	const data = typeof envelope.data === 'object' && envelope.data !== null ? (envelope.data as IDataObject) : undefined;
	const answer = data ?? envelope;
	const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
	// A bare Chat has a status; a bare Message names its chat in chat_id.
	const chatId = text(qs?.chat_id) ?? text(data?.id) ?? text(answer.chat_id) ?? (answer.status !== undefined ? text(answer.id) : undefined);
	const conversationId = text(qs?.conversation_id) ?? text(answer.conversation_id);
	return chatId && conversationId ? { chatId, conversationId } : undefined;
}
