import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { ChatAggregator, liveStreamCorrection, type ChatResult } from '../../core/chatAggregator';
import { CozeApiError } from '../../core/errors';
import { addMissingUsage, cancelForTimeout, pollChatResult, type ChatPollClient } from '../../core/chatPoll';
import { chatPollClient } from '../../transport/chatApi';
import { LIMITS } from '../../transport/http';
import { cozeApiEnvelope } from '../../transport/request';
import { ItemBudget, streamCoze, TransportError } from '../../transport/stream';

/** After the terminal chat event only `done` is left; don't wait long for it. */
const TAIL_IDLE_LIMIT_MS = 10 * 1000;

export interface RunChatOptions {
	stream: boolean;
	/** Whole-chat limit in seconds; 0 = none. */
	timeoutSeconds: number;
	pollIntervalSeconds: number;
	includeMessages: boolean;
	/** False when the chat is not saved: then a broken stream cannot be recovered by polling. */
	recoverable: boolean;
	/** Forward answer text to a streaming trigger (Chat Trigger, Webhook with Respond: Streaming). */
	liveStream: boolean;
	/** Resend a request Coze rejected as "too many" (it created nothing), after a backoff. */
	retryRateLimit: boolean;
	/** The item's time budget, when the item already used some of it (uploads before the chat). */
	budget?: ItemBudget;
}

/** Reads the shared chat options (see chatRunOptions) of an operation's `options` collection. */
export function runOptionsFrom(options: IDataObject, extra: { recoverable: boolean }): RunChatOptions {
	return {
		stream: options.stream !== false,
		timeoutSeconds: Number(options.timeout ?? 600),
		pollIntervalSeconds: Number(options.pollInterval ?? 1),
		includeMessages: options.includeMessages === true,
		recoverable: extra.recoverable,
		liveStream: options.enableStreaming !== false,
		retryRateLimit: options.retryRateLimit !== false,
	};
}

/**
 * Runs a chat turn and, when n8n streams this execution to its caller, forwards the answer as it
 * arrives (begin / item… / end chunks, like n8n's AI Agent). The full result is returned either way.
 */
export async function runChatForItem(
	this: IExecuteFunctions,
	itemIndex: number,
	request: { path: string; qs?: IDataObject; body: IDataObject },
	options: RunChatOptions,
): Promise<ChatResult> {
	// isStreaming/sendChunk exist since n8n 1.102/1.103; older versions simply get the item.
	const live = options.liveStream && typeof this.isStreaming === 'function' && this.isStreaming();
	if (!live) return await runChat.call(this, request, options);
	let streamed = '';
	this.sendChunk('begin', itemIndex);
	try {
		const result = await runChat.call(this, request, options, (text) => {
			streamed += text;
			this.sendChunk('item', itemIndex, text);
		});
		// End the live stream consistent with the item: in non-stream mode or after a recovered
		// stream the (rest of the) answer, and when Coze's completed message differs from its
		// deltas, the completed answer once more (see liveStreamCorrection).
		const correction = liveStreamCorrection(streamed, result.answer);
		if (correction) this.sendChunk('item', itemIndex, correction);
		return result;
	} finally {
		this.sendChunk('end', itemIndex);
	}
}

/**
 * Runs one chat turn (POST /v3/chat, or another endpoint that answers with the same stream) and
 * returns its aggregated result. Streaming: SSE → aggregator in one read loop, and if the stream
 * breaks after the chat id is known, poll retrieve + message list instead (never re-POST: Coze has
 * no idempotency key). Non-streaming: create, poll, list. The item's Timeout and the execution's
 * cancel close the connection in any phase and cancel the chat when one exists.
 */
export async function runChat(
	this: IExecuteFunctions,
	request: { path: string; qs?: IDataObject; body: IDataObject },
	options: RunChatOptions,
	onAnswerDelta?: (text: string) => void,
): Promise<ChatResult> {
	const budget = options.budget ?? ItemBudget.of(this, options.timeoutSeconds);
	const poll = chatPollClient(this, budget);
	const pollOptions = {
		pollIntervalMs: Math.max(100, options.pollIntervalSeconds * 1000),
		deadline: budget.deadline,
		timeoutSeconds: options.timeoutSeconds || undefined,
		includeMessages: options.includeMessages,
	};
	const callOptions = { budget, retryRateLimit: options.retryRateLimit };

	if (!options.stream) {
		const envelope = await cozeApiEnvelope.call(this, 'POST', request.path, {
			...callOptions,
			qs: request.qs,
			body: { ...request.body, stream: false },
		});
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
	const streamed = await streamCoze
		.call(this, { ...request, body: { ...request.body, stream: true } }, {
			...callOptions,
			handler: {
				onOpen: (logid) => (aggregator.logid = logid),
				onEvent: (event) => {
					const delta = aggregator.push(event);
					if (delta !== undefined) onAnswerDelta?.(delta);
				},
				// requires_action may not be followed by `done`; after completion only `done` is left.
				finished: () => aggregator.isDone || aggregator.status === 'requires_action',
				idleMs: () => (aggregator.isTerminal || aggregator.isDone ? TAIL_IDLE_LIMIT_MS : LIMITS.idleMs),
			},
		})
		.then(
			() => undefined,
			(error: unknown) => error,
		);
	// A terminal chat is a complete answer, whatever happened to the connection after it.
	const broken = streamed instanceof TransportError && streamed.reason !== 'redirect' ? streamed : undefined;
	if (streamed !== undefined && !broken && !aggregator.isTerminal) throw streamed;
	if (aggregator.isTerminal) {
		// Coze Studio's stream carries no usage; its retrieve does.
		await addMissingUsage(poll, aggregator);
		return aggregator.result({ includeMessages: options.includeMessages });
	}

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
	return await whileChatRuns(poll, ids, options, async () => await pollChatResult(poll, ids, pollOptions));
}

/** Runs `work` on a started chat; if the item runs out of time or is canceled, cancels the chat. */
async function whileChatRuns<T>(
	poll: ChatPollClient,
	ids: { conversationId: string; chatId: string },
	options: RunChatOptions,
	work: () => Promise<T>,
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
