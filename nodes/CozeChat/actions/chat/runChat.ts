import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { ChatAggregator, liveStreamCorrection, type ChatResult } from '../../chat/aggregate';
import { CozeApiError } from '../../chat/errors';
import { addMissingUsage, cancelForTimeout, pollChatResult } from '../../chat/poll';
import { readSseEvents } from '../../chat/sse';
import type { CozeChat } from '../../chat/types';
import { chatPollClient } from '../../transport/chatApi';
import { toNodeError } from '../../transport/errors';
import { cancelSignal, canceledError, cozeApiRequest } from '../../transport/request';
import { guardStream, openCozeStream, StreamBrokenError, type StreamLimits } from '../../transport/stream';

/** How long a stream may stay silent before it counts as broken (Coze may think for minutes). */
const IDLE_LIMIT_MS = 5 * 60 * 1000;
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
 * returns its aggregated result. Streaming: SSE → aggregator, and if the stream breaks after the
 * chat id is known, poll retrieve + message list instead (never re-POST: Coze has no idempotency
 * key). Non-streaming: create, poll, list.
 */
export async function runChat(
	this: IExecuteFunctions,
	request: { path: string; qs?: IDataObject; body: IDataObject },
	options: RunChatOptions,
	onAnswerDelta?: (text: string) => void,
): Promise<ChatResult> {
	const deadline = options.timeoutSeconds > 0 ? Date.now() + options.timeoutSeconds * 1000 : undefined;
	const poll = chatPollClient(this);
	const pollOptions = {
		pollIntervalMs: Math.max(100, options.pollIntervalSeconds * 1000),
		deadline,
		timeoutSeconds: options.timeoutSeconds || undefined,
		includeMessages: options.includeMessages,
	};

	if (!options.stream) {
		const chat = (await cozeApiRequest.call(this, 'POST', request.path, {
			qs: request.qs,
			body: { ...request.body, stream: false },
		})) as unknown as CozeChat;
		if (!chat?.id || !chat.conversation_id) {
			throw new CozeApiError({ msg: 'Coze accepted the chat but returned no chat or conversation id' });
		}
		return await pollChatResult(poll, { conversationId: chat.conversation_id, chatId: chat.id }, pollOptions);
	}

	const aggregator = new ChatAggregator();
	const limits: StreamLimits = {
		idleMs: IDLE_LIMIT_MS,
		deadline,
		signal: cancelSignal(this),
	};
	const { body, logid } = await openCozeStream.call(this, { ...request, body: { ...request.body, stream: true } });
	aggregator.logid = logid;
	let broken: StreamBrokenError | undefined;
	let failure: unknown;
	try {
		for await (const event of readSseEvents(guardStream(body, limits))) {
			const delta = aggregator.push(event);
			if (delta !== undefined) onAnswerDelta?.(delta);
			if (aggregator.isDone) break;
			if (aggregator.isTerminal) {
				// Only `done` (maybe with a debug_url) is left; requires_action may not send it at all.
				if (aggregator.status === 'requires_action') break;
				limits.idleMs = TAIL_IDLE_LIMIT_MS;
			}
		}
	} catch (error) {
		if (error instanceof StreamBrokenError) broken = error;
		else failure = error; // Coze reported a failure (chat.failed, error event, bad payload)
	} finally {
		body.destroy();
	}
	if (failure !== undefined) throw toNodeError(this.getNode(), failure);

	if (aggregator.isTerminal) {
		// Coze Studio's stream carries no usage; its retrieve does.
		await addMissingUsage(poll, aggregator);
		return aggregator.result({ includeMessages: options.includeMessages });
	}
	if (broken?.reason === 'canceled') throw canceledError(this);

	const ids = { conversationId: aggregator.conversationId, chatId: aggregator.chatId };
	if (!ids.chatId || !ids.conversationId) {
		throw new CozeApiError({
			msg: `The Coze stream ended before the chat started (${broken?.message ?? 'no events'}), so there is no answer and no chat to recover. Nothing was retried, to avoid a duplicate turn.`,
			logid,
		});
	}
	const known = { conversationId: ids.conversationId, chatId: ids.chatId };
	if (broken?.reason === 'timeout') {
		throw await cancelForTimeout(poll, known, { status: 'in_progress' }, options.timeoutSeconds);
	}
	if (!options.recoverable) {
		throw new CozeApiError({
			msg: `The Coze stream broke off before the chat finished (${broken?.message ?? 'stream ended early'}), and with Auto Save History off the answer cannot be fetched afterwards`,
			logid,
			chatId: known.chatId,
			conversationId: known.conversationId,
		});
	}
	// The chat keeps running on Coze's side: wait for it and read the answer from the message list.
	return await pollChatResult(poll, known, pollOptions);
}
