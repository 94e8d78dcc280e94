import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { ChatAggregator, type ChatResult } from '../../core/chatAggregator';
import { CozeApiError } from '../../core/errors';
import { tryParseJsonExact } from '../../core/json';
import type { SseEvent } from '../../core/types';
import { isObject } from '../../core/workflowDecode';
import { CHATFLOW_PATH } from '../../api/workflow';
import { withLiveText } from '../../boundaries/output';
import { streamTurn } from '../streamedTurn';
import type { CozeClient } from '../../api/client';

/** After the chat's last status only `done` (with the debug_url) is left. */
const TAIL_MS = 3 * 1000;

/** A chatflow turn: Send Message's result, plus what to do when a question/input node waits. */
export type ChatflowResult = Omit<ChatResult, 'required_action'> & {
	interrupt?: { question: string; conversation_id: string; how_to_continue: string };
};

/**
 * Runs one chatflow turn (POST /v1/workflows/chat, the /v3/chat event set) through the chat
 * aggregator. A question or input node ends the turn as `requires_action` — Coze says so with
 * `conversation.chat.requires_action` (Coze Studio) or a verbose `interrupt` message followed by
 * `done` without a chat status (Coze docs) — and the item tells what to send next. A stream that
 * breaks is not sent again (that would run the chatflow a second time) and is not recovered.
 */
export async function runChatflowForItem(
	context: IExecuteFunctions,
	coze: CozeClient,
	body: IDataObject,
	options: { timeoutSeconds: number; includeMessages: boolean; liveStream: boolean },
): Promise<ChatflowResult> {
	return await withLiveText(context, coze.itemIndex, options.liveStream, async (live) => {
		const aggregator = new ChatAggregator();
		let interrupted = false;
		const outcome = await streamTurn((handler) => coze.workflows.stream({ path: CHATFLOW_PATH, body }, handler), aggregator, {
			live,
			tailMs: TAIL_MS,
			onEvent: (event) => {
				if (isInterruptVerbose(event)) interrupted = true;
			},
		});
		if (!outcome.complete && interrupted && aggregator.chatId) aggregator.applyChat({ status: 'requires_action' });
		if (!aggregator.isTerminal) {
			const broken = outcome.complete ? undefined : outcome.broken;
			if (broken?.reason === 'canceled' || broken?.reason === 'timeout') throw broken;
			throw new CozeApiError({
				msg: `The Coze chatflow stream ${broken ? `broke off (${broken.msg})` : 'ended'} before the turn finished. The message was not sent again, because that would run the chatflow a second time.`,
				logid: aggregator.logid,
				chatId: aggregator.chatId,
				conversationId: aggregator.conversationId,
				hint: 'See what the chatflow answered with Chat → List Messages (Conversation ID and Chat ID below), then send the message again yourself if needed.',
			});
		}
		// Chatflows take no tool outputs (docs workflow_chat): required_action is left out.
		const turn: ChatflowResult = aggregator.result({ includeMessages: options.includeMessages });
		delete (turn as ChatResult).required_action;
		if (turn.status === 'requires_action') {
			turn.interrupt = {
				question: turn.answer,
				conversation_id: turn.conversation_id,
				how_to_continue: 'Run Chat With Chatflow again with the reply as Message and this Conversation ID.',
			};
		}
		return turn;
	});
}

/** A completed verbose message whose msg_type is `interrupt` (docs workflow_chat). */
function isInterruptVerbose(event: SseEvent): boolean {
	if (event.event !== 'conversation.message.completed' || !event.data.includes('interrupt')) return false;
	const message = tryParseJsonExact(event.data);
	if (!isObject(message) || message.type !== 'verbose' || typeof message.content !== 'string') return false;
	const content = tryParseJsonExact(message.content);
	return isObject(content) && content.msg_type === 'interrupt';
}
