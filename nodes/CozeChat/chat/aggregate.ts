import { CozeApiError, normalizeCode } from './errors';
import { tryParseJsonExact } from './json';
import type { CozeChat, CozeMessage, CozeUsage, SseEvent } from './types';

/**
 * n8n expressions refuse to read a property named `arguments` ("due to security concerns"), so
 * every tool call also carries its arguments as `args`, the name to use in expressions.
 */
interface ToolArguments {
	arguments: Record<string, unknown>;
	args: Record<string, unknown>;
}

/** A tool the bot called on the server side, paired with what the tool returned. */
export interface ToolCall extends ToolArguments {
	name: string;
	output: string | null;
	plugin_id: string;
}

/** A client-side tool call Coze waits for (status `requires_action`). */
export interface RequiredToolCall extends ToolArguments {
	id: string;
	name: string;
}

/** The aggregated, stable output of one chat turn (snake_case, like Coze's own fields). */
export interface ChatResult {
	answer: string;
	reasoning_content: string;
	follow_ups: string[];
	tool_calls: ToolCall[];
	usage: Required<CozeUsage>;
	status: 'completed' | 'requires_action';
	required_action?: { tool_calls: RequiredToolCall[] };
	chat_id: string;
	conversation_id: string;
	section_id?: string;
	bot_id?: string;
	debug_url?: string;
	messages?: CozeMessage[];
}

interface MessageBuffer {
	message: CozeMessage;
	content: string[];
	reasoning: string[];
	completed: boolean;
}

const CHAT_EVENTS: Record<string, true> = {
	'conversation.chat.created': true,
	'conversation.chat.in_progress': true,
	'conversation.chat.completed': true,
	'conversation.chat.failed': true,
	'conversation.chat.requires_action': true,
	'conversation.chat.canceled': true,
	'conversation.chat.cancelled': true,
};

/**
 * Folds the events of one Coze chat (a /v3/chat stream, or a chat object plus its message list)
 * into a ChatResult. Pure and incremental: `push` each event as it arrives; failures throw a
 * CozeApiError at once; `result()` refuses to return anything until a terminal event was seen,
 * so a broken stream can never pass for a complete answer.
 */
export class ChatAggregator {
	private chat: Partial<CozeChat> = {};

	private readonly buffers = new Map<string, MessageBuffer>();

	private terminalStatus: string | undefined;

	private debugUrl: string | undefined;

	private streamDone = false;

	/** Coze's log id of the request this chat came from, attached to every error. */
	logid: string | undefined;

	/** Ids known so far: enough to recover a broken stream by polling. */
	get chatId(): string | undefined {
		return this.chat.id;
	}

	get conversationId(): string | undefined {
		return this.chat.conversation_id;
	}

	/** True once the chat reached completed / requires_action (failures throw instead). */
	get isTerminal(): boolean {
		return this.terminalStatus !== undefined;
	}

	/** 'completed' or 'requires_action' once terminal. */
	get status(): string | undefined {
		return this.terminalStatus;
	}

	/** True once the `done` event arrived. */
	get isDone(): boolean {
		return this.streamDone;
	}

	/**
	 * Applies one SSE event. Returns the new piece of answer text it carried (for live streaming),
	 * or undefined.
	 */
	push(event: SseEvent): string | undefined {
		const name = event.event;
		if (name === 'done' || name === 'conversation.stream.done') {
			this.streamDone = true;
			const data = tryParseJsonExact(event.data);
			if (isObject(data) && typeof data.debug_url === 'string') this.debugUrl = data.debug_url;
			return undefined;
		}
		if (name === 'error' || name === 'conversation.error') {
			const data = tryParseJsonExact(event.data);
			const code = isObject(data) ? data.code : undefined;
			const msg = isObject(data) && typeof data.msg === 'string' && data.msg ? data.msg : event.data;
			throw this.error(code, `Coze sent an error event: ${msg || 'no details'}`);
		}
		if (CHAT_EVENTS[name]) {
			const data = parseEventJson(event);
			this.applyChat(name === 'conversation.chat.failed' ? { ...data, status: 'failed' } : (data as CozeChat));
			return undefined;
		}
		if (name === 'conversation.message.delta') {
			return this.applyMessage(parseEventJson(event) as unknown as CozeMessage, false);
		}
		if (name === 'conversation.message.completed') {
			this.applyMessage(parseEventJson(event) as unknown as CozeMessage, true);
		}
		// Anything else (audio deltas, heartbeats, events Coze adds later) does not change the result.
		return undefined;
	}

	/** Applies a Chat object (a chat.* event, or a /v3/chat/retrieve response). */
	applyChat(chat: Partial<CozeChat> & Record<string, unknown>): void {
		// Keep ids seen earlier when a later payload omits them (bare `{code,msg}` failures do).
		this.chat = { ...this.chat, ...definedOnly(chat) };
		const status = chat.status;
		if (status === 'failed') {
			const lastError = isObject(chat.last_error) ? chat.last_error : undefined;
			const code = lastError?.code ?? chat.code;
			const msg = (lastError?.msg ?? chat.msg) as string | undefined;
			throw this.error(code, `The Coze chat failed: ${msg || 'no reason given'}`);
		}
		if (status === 'canceled' || status === 'cancelled') {
			throw this.error(undefined, 'The Coze chat was canceled before it finished');
		}
		if (status === 'completed' || status === 'requires_action' || status === 'required_action') {
			this.terminalStatus = status === 'completed' ? 'completed' : 'requires_action';
		}
	}

	/** Applies a message (a delta or a whole message); returns the answer text a delta added. */
	applyMessage(message: CozeMessage, completed: boolean): string | undefined {
		if (!message || typeof message.id !== 'string') return undefined;
		let buffer = this.buffers.get(message.id);
		if (!buffer) {
			buffer = { message, content: [], reasoning: [], completed: false };
			this.buffers.set(message.id, buffer);
		}
		const content = typeof message.content === 'string' ? message.content : '';
		const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : '';
		if (completed) {
			// The completed message is authoritative, unless it arrives empty after real deltas.
			if (content !== '' || buffer.content.length === 0) buffer.content = [content];
			if (reasoning !== '' || buffer.reasoning.length === 0) buffer.reasoning = reasoning ? [reasoning] : [];
			buffer.message = message;
			buffer.completed = true;
			return undefined;
		}
		if (buffer.completed) return undefined;
		if (content) buffer.content.push(content);
		if (reasoning) buffer.reasoning.push(reasoning);
		return message.type === 'answer' || message.type === undefined ? content || undefined : undefined;
	}

	/** The final result; throws if the chat has not reached a terminal state. */
	result(options: { includeMessages?: boolean } = {}): ChatResult {
		if (!this.terminalStatus || !this.chat.id) {
			throw this.error(
				undefined,
				'The Coze chat did not finish: the answer would be incomplete, so none is returned',
			);
		}
		const answers: string[] = [];
		const reasoning: string[] = [];
		const followUps: string[] = [];
		const calls: ToolCall[] = [];
		const pendingCalls: ToolCall[] = [];
		const messages: CozeMessage[] = [];
		for (const buffer of this.buffers.values()) {
			const text = buffer.content.join('');
			const type = buffer.message.type;
			if (buffer.reasoning.length > 0) reasoning.push(buffer.reasoning.join(''));
			if (type === 'answer') {
				if (text !== '') answers.push(text);
			} else if (type === 'follow_up') {
				followUps.push(text);
			} else if (type === 'function_call') {
				const call = toToolCall(text);
				calls.push(call);
				pendingCalls.push(call);
			} else if (type === 'tool_response' || type === 'tool_output') {
				// Pair each tool result with the oldest call still waiting for one.
				const call = pendingCalls.shift();
				if (call) call.output = text;
			}
			if (options.includeMessages) {
				messages.push(buffer.completed ? buffer.message : { ...buffer.message, content: text });
			}
		}
		const chat = this.chat;
		const result: ChatResult = {
			answer: answers.join('\n\n'),
			reasoning_content: reasoning.join(''),
			follow_ups: followUps,
			tool_calls: calls,
			usage: {
				input_count: chat.usage?.input_count ?? 0,
				output_count: chat.usage?.output_count ?? 0,
				token_count: chat.usage?.token_count ?? 0,
			},
			status: this.terminalStatus === 'completed' ? 'completed' : 'requires_action',
			chat_id: chat.id as string,
			conversation_id: chat.conversation_id as string,
		};
		if (result.status === 'requires_action') {
			result.required_action = {
				tool_calls: (chat.required_action?.submit_tool_outputs?.tool_calls ?? []).map((call) => ({
					id: call.id,
					name: call.function?.name ?? '',
					...toolArguments(call.function?.arguments),
				})),
			};
		}
		if (chat.section_id) result.section_id = chat.section_id;
		if (chat.bot_id) result.bot_id = chat.bot_id;
		if (this.debugUrl) result.debug_url = this.debugUrl;
		if (options.includeMessages) result.messages = messages;
		return result;
	}

	private error(code: unknown, msg: string): CozeApiError {
		return new CozeApiError({
			code: normalizeCode(code),
			msg,
			logid: this.logid,
			chatId: this.chat.id,
			conversationId: this.chat.conversation_id,
		});
	}
}

/** Builds the result of a finished chat from its Chat object and /v3/chat/message/list. */
export function aggregateChatMessages(
	chat: CozeChat,
	messages: CozeMessage[],
	options: { includeMessages?: boolean } = {},
): ChatResult {
	const aggregator = new ChatAggregator();
	for (const message of messages) aggregator.applyMessage(message, true);
	aggregator.applyChat(chat);
	return aggregator.result(options);
}

/**
 * Event payloads carry their ids as strings, so plain JSON.parse is exact here (and the hot path
 * of a long answer); the raw 19-digit numbers inside message content (function_call) are parsed
 * exactly where that content is read.
 */
function parseEventJson(event: SseEvent): Record<string, unknown> {
	try {
		const data: unknown = JSON.parse(event.data);
		if (isObject(data)) return data;
	} catch {
		// fall through to the error below
	}
	throw new CozeApiError({
		msg: `Coze sent a malformed '${event.event}' event: ${event.data.slice(0, 200)}`,
	});
}

function toToolCall(content: string): ToolCall {
	const data = tryParseJsonExact(content);
	const call = isObject(data) ? data : {};
	return {
		name: typeof call.name === 'string' ? call.name : '',
		...toolArguments(call.arguments),
		output: null,
		plugin_id: call.plugin_id === undefined || call.plugin_id === null ? '' : String(call.plugin_id),
	};
}

function toolArguments(value: unknown): ToolArguments {
	const parsed = parseArguments(value);
	return { arguments: parsed, args: parsed };
}

/** Tool arguments arrive as an object or as a JSON string of one; always hand out an object. */
function parseArguments(value: unknown): Record<string, unknown> {
	if (isObject(value)) return value;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = tryParseJsonExact(value);
		return isObject(parsed) ? parsed : { value };
	}
	return {};
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
	const out: Partial<T> = {};
	for (const key of Object.keys(value) as Array<keyof T>) {
		if (value[key] !== undefined && value[key] !== null) out[key] = value[key];
	}
	return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
