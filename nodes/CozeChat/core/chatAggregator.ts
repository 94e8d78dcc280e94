import { DeltaTemplate } from './deltaTemplate';
import { CozeApiError, MalformedEventError, normalizeCode, unwrapServerError } from './errors';
import { idText, parseEventJson, parseJsonExact, tryParseJsonExact } from './json';
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
	/** A client-side plugin call answered with Submit Tool Outputs (listed only by that operation). */
	client_side?: true;
}

/** What a result is built with. */
export interface ResultOptions {
	/** Keep the raw messages in `messages`. */
	includeMessages?: boolean;
	/**
	 * Also list the client-side plugin calls Coze holds an answer for (a function_call of plugin_type
	 * 6 and its tool_response), under the name required_action gave them: the turn of Submit Tool
	 * Outputs. Send Message leaves them out; its tool loop lists the calls it answered itself.
	 */
	clientSideCalls?: boolean;
}

/** A client-side tool call Coze waits for (status `requires_action`). */
export interface RequiredToolCall extends ToolArguments {
	id: string;
	name: string;
}

/** Token usage as the node outputs it: always the `*_count` keys. */
export interface ChatUsage {
	input_count: number;
	output_count: number;
	token_count: number;
}

/** The aggregated, stable output of one chat turn (snake_case, like Coze's own fields). */
export interface ChatResult {
	answer: string;
	reasoning_content: string;
	follow_ups: string[];
	tool_calls: ToolCall[];
	usage: ChatUsage;
	status: 'completed' | 'requires_action';
	required_action?: { tool_calls: RequiredToolCall[] };
	chat_id: string;
	conversation_id: string;
	/** The id of the (last) answer message: what Feedback → Submit and Message → Get take. */
	answer_message_id?: string;
	section_id?: string;
	bot_id?: string;
	debug_url?: string;
	/** Answer messages of content_type card (Send Message's Enable Cards), parsed; absent when none. */
	cards?: unknown[];
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
	// Coze Studio defines these two (entity/const.go), though its stream does not forward them today.
	'conversation.chat.required_action': true,
	'conversation.chat.expired': true,
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

	private usageSeen = false;

	/** The delta payload parsed last, for the fast path of the deltas that repeat it. */
	private readonly template = new DeltaTemplate();

	/** Answer messages that came without an id (they cannot be assembled). */
	private unassembled = 0;

	/** The answer message whose deltas were forwarded live last, for separators between answers. */
	private liveMessageId: string | undefined;

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
	 * Whether the chat object that ended the chat carried token usage. Coze Studio's stream never
	 * does (only its /v3/chat/retrieve has it); see applyUsage.
	 */
	get usageReported(): boolean {
		return this.usageSeen;
	}

	/** Takes token usage read elsewhere (a retrieve after a stream without usage). */
	applyUsage(usage: CozeUsage): void {
		this.chat = { ...this.chat, usage };
		this.usageSeen = true;
	}

	/**
	 * Applies one SSE event. Returns the new piece of answer text it carried (for live streaming),
	 * or undefined.
	 */
	push(event: SseEvent): string | undefined {
		const name = event.event;
		// Most events of a long answer are deltas: they are tested first, and one that repeats the
		// delta before it but for its piece is read without a full parse (see deltaTemplate.ts).
		if (name === 'conversation.message.delta') {
			const template = this.template;
			const piece = template.match(event.data);
			if (piece !== undefined) {
				const message = template.message as unknown as CozeMessage;
				return template.field === 'content' ? this.applyParts(message, piece, '', false) : this.applyParts(message, '', piece, false);
			}
			const message = eventObject(event, this.logid, true);
			template.learn(event.data, message);
			return this.applyMessage(message as unknown as CozeMessage, false);
		}
		if (name === 'done' || name === 'conversation.stream.done') {
			this.streamDone = true;
			const data = tryParseJsonExact(event.data);
			if (isObject(data) && typeof data.debug_url === 'string') this.debugUrl = data.debug_url;
			return undefined;
		}
		if (name === 'error' || name === 'conversation.error') {
			// {code,msg} (cloud, Studio), {} (seen from the cloud), or plain text (Studio workflows).
			const data = tryParseJsonExact(event.data);
			const raw = isObject(data) ? (typeof data.msg === 'string' ? data.msg : '') : event.data;
			const { code, msg } = unwrapServerError(isObject(data) ? data.code : undefined, raw);
			throw this.error(
				code,
				msg
					? `Coze sent an error event: ${msg}`
					: `Coze sent an error event with no message (data: ${event.data.trim().slice(0, 200) || 'empty'})`,
			);
		}
		if (CHAT_EVENTS[name]) {
			const data = eventObject(event, this.logid, false);
			this.applyChat(name === 'conversation.chat.failed' ? { ...data, status: 'failed' } : (data as CozeChat));
			return undefined;
		}
		if (name === 'conversation.message.completed') {
			this.applyMessage(eventObject(event, this.logid, false) as unknown as CozeMessage, true);
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
			const rawMsg = lastError?.msg ?? chat.msg;
			const { code, msg } = unwrapServerError(
				lastError?.code ?? chat.code,
				typeof rawMsg === 'string' ? rawMsg : '',
			);
			throw this.error(code, `The Coze chat failed: ${msg || 'no reason given'}`);
		}
		if (status === 'canceled' || status === 'cancelled') {
			throw this.error(undefined, 'The Coze chat was canceled before it finished');
		}
		if (status === 'expired') {
			throw this.error(undefined, 'The Coze chat expired before it finished (status expired), so it has no answer');
		}
		if (status === 'deleted') {
			throw this.error(undefined, 'The Coze chat was deleted (status deleted), so it has no answer');
		}
		if (status === 'completed' || status === 'requires_action' || status === 'required_action') {
			this.terminalStatus = status === 'completed' ? 'completed' : 'requires_action';
			this.usageSeen = hasUsage(chat.usage);
		}
	}

	/** Applies a message (a delta or a whole message); returns the answer text a delta added. */
	applyMessage(message: CozeMessage, completed: boolean): string | undefined {
		if (!message) return undefined;
		const id = typeof message.id === 'string' ? message.id : idText(message.id);
		if (id === undefined || id === '') {
			// Without an id the message cannot be assembled; count it, so it is never silently lost.
			if (message.type === 'answer' || message.type === undefined) this.unassembled++;
			return undefined;
		}
		if (message.id !== id) message = { ...message, id };
		const content = typeof message.content === 'string' ? message.content : '';
		const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : '';
		return this.applyParts(message, content, reasoning, completed);
	}

	/** Applies a message whose id is known good, with its text parts given apart (see push). */
	private applyParts(message: CozeMessage, content: string, reasoning: string, completed: boolean): string | undefined {
		let buffer = this.buffers.get(message.id);
		if (!buffer) {
			buffer = { message, content: [], reasoning: [], completed: false };
			this.buffers.set(message.id, buffer);
		}
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
		if (!content || (message.type !== 'answer' && message.type !== undefined)) return undefined;
		// A card is data for the item, never text for a chat window.
		if (message.content_type === 'card') return undefined;
		// Separate answers live the way `answer` joins them: with a blank line.
		const separator = this.liveMessageId !== undefined && this.liveMessageId !== message.id ? '\n\n' : '';
		this.liveMessageId = message.id;
		return separator + content;
	}

	/** The final result; throws if the chat has not reached a terminal state. */
	result(options: ResultOptions = {}): ChatResult {
		if (!this.terminalStatus || !this.chat.id) {
			throw this.error(
				undefined,
				'The Coze chat did not finish: the answer would be incomplete, so none is returned',
			);
		}
		const answers: string[] = [];
		const reasoning: string[] = [];
		const followUps: string[] = [];
		const cards: unknown[] = [];
		const calls: Array<ToolCall & { clientSide: boolean }> = [];
		const pendingCalls: ToolCall[] = [];
		const messages: CozeMessage[] = [];
		// Deltas whose message never completed but whose text a completed answer repeats under another
		// id are that answer (docs.coze.cn workflow_chat interrupt example: deltas of id 122, completed
		// id 124): count it once.
		const completedAnswers = new Set<string>();
		let answerMessageId: string | undefined;
		for (const buffer of this.buffers.values()) {
			if (buffer.completed && buffer.message.type === 'answer') completedAnswers.add(buffer.content.join(''));
		}
		for (const buffer of this.buffers.values()) {
			const text = buffer.content.join('');
			const type = buffer.message.type;
			if (buffer.reasoning.length > 0) reasoning.push(buffer.reasoning.join(''));
			if (type === 'answer' && buffer.message.content_type === 'card') {
				// The card's JSON, ids kept exact; a card that is not JSON stays its text.
				if (text !== '') cards.push(tryParseJsonExact(text) ?? text);
			} else if (type === 'answer') {
				if (text !== '' && (buffer.completed || !completedAnswers.has(text))) {
					answers.push(text);
					if (buffer.message.id) answerMessageId = buffer.message.id;
				}
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
		const status = this.terminalStatus === 'completed' ? 'completed' : 'requires_action';
		if (answers.length === 0 && this.unassembled > 0) {
			throw this.error(undefined, `Coze sent ${this.unassembled} answer message event(s) without a message id, so the answer cannot be assembled; none is returned rather than an empty one`);
		}
		// tool_calls lists the tools Coze ran. A client-side tool (plugin_type 6, named `ts-…`) is
		// answered through required_action and Submit Tool Outputs, so it is left out here (unless
		// clientSideCalls asks for those answered), and so is any call still without output when
		// the chat stops to wait for tool outputs.
		const executed: ToolCall[] = calls
			.filter((call) => (call.clientSide ? options.clientSideCalls === true && call.output !== null : !(status === 'requires_action' && call.output === null)))
			.map((call) => {
				const listed: ToolCall = { name: call.name, arguments: call.arguments, args: call.args, output: call.output, plugin_id: call.plugin_id };
				if (!call.clientSide) return listed;
				// required_action names the tool without the ts-<plugin>- prefix of the function_call.
				return { ...listed, name: /^ts-[^-]+-(.+)$/.exec(call.name)?.[1] ?? call.name, client_side: true };
			});
		const result: ChatResult = {
			answer: answers.join('\n\n'),
			reasoning_content: reasoning.join(''),
			follow_ups: followUps,
			tool_calls: executed,
			usage: readUsage(chat.usage),
			status,
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
		if (answerMessageId) result.answer_message_id = answerMessageId;
		if (chat.section_id) result.section_id = chat.section_id;
		if (chat.bot_id) result.bot_id = chat.bot_id;
		if (this.debugUrl) result.debug_url = this.debugUrl;
		if (cards.length > 0) result.cards = cards;
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

/**
 * Builds the result of a finished chat from its Chat object and /v3/chat/message/list. A completed
 * chat always lists messages (at least the answer-finish verbose); an empty list means the answer
 * cannot be read, and that is an error, never an empty answer.
 */
export function aggregateChatMessages(
	chat: CozeChat,
	messages: CozeMessage[],
	options: ResultOptions = {},
): ChatResult {
	if (chat.status === 'completed' && messages.length === 0) {
		throw new CozeApiError({
			msg: 'Coze reports the chat as completed but listed no messages for it, so its answer cannot be read (a chat sent with Auto Save History off keeps no messages)',
			chatId: chat.id,
			conversationId: chat.conversation_id,
		});
	}
	const aggregator = new ChatAggregator();
	for (const message of messages) aggregator.applyMessage(message, true);
	aggregator.applyChat(chat);
	return aggregator.result(options);
}

/**
 * An event's payload as an object with its ids as strings. The hot path (tens of thousands of
 * answer deltas) is one JSON.parse and five type checks; a payload whose ids came as bare numbers
 * (JSON.parse has rounded any beyond 2^53) is parsed again exactly — for a delta that is decided by
 * its id fields, for the few other events by a walk of the whole payload (json.ts parseEventJson).
 */
function eventObject(event: SseEvent, logid: string | undefined, hot: boolean): Record<string, unknown> {
	let data: unknown;
	try {
		data = hot ? JSON.parse(event.data) : parseEventJson(event.data);
	} catch {
		data = undefined; // not JSON
	}
	if (!isObject(data)) throw new MalformedEventError(event.event, event.data, logid);
	if (
		typeof data.id === 'number' ||
		typeof data.conversation_id === 'number' ||
		typeof data.chat_id === 'number' ||
		typeof data.bot_id === 'number' ||
		typeof data.section_id === 'number'
	) {
		const exact = parseJsonExact(event.data) as Record<string, unknown>;
		for (const key of ID_FIELDS) if (typeof exact[key] === 'number') exact[key] = idText(exact[key]);
		return exact;
	}
	return data;
}

/** Fields of chats and messages that hold Coze ids. */
const ID_FIELDS = ['id', 'conversation_id', 'chat_id', 'bot_id', 'section_id'];

/**
 * A function_call message's content: the cloud's `{name, arguments, plugin_id, api_id, plugin_type}`,
 * or Coze Studio's eino ToolCall `{index, id, type, function: {name, arguments: "<json string>"}}`.
 */
function toToolCall(content: string): ToolCall & { clientSide: boolean } {
	const data = tryParseJsonExact(content);
	const call = isObject(data) ? data : {};
	const fn = isObject(call.function) ? call.function : undefined;
	const name = fn?.name ?? call.name;
	return {
		name: typeof name === 'string' ? name : '',
		...toolArguments(fn ? fn.arguments : call.arguments),
		output: null,
		plugin_id: call.plugin_id === undefined || call.plugin_id === null ? '' : String(call.plugin_id),
		clientSide: Number(call.plugin_type) === CLIENT_SIDE_PLUGIN_TYPE,
	};
}

/** plugin_type of a client-side ("local", 端插件) plugin, whose output the caller submits. */
const CLIENT_SIDE_PLUGIN_TYPE = 6;

/** Usage from either key family; token_count falls back to input + output. */
function readUsage(usage: CozeUsage | undefined): ChatUsage {
	const input = toCount(usage?.input_count) ?? toCount(usage?.input_tokens) ?? 0;
	const output = toCount(usage?.output_count) ?? toCount(usage?.output_tokens) ?? 0;
	return { input_count: input, output_count: output, token_count: toCount(usage?.token_count) ?? input + output };
}

function toCount(value: unknown): number | undefined {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** True for a usage object that holds at least one count (`{}` or a missing object do not). */
function hasUsage(usage: unknown): boolean {
	return isObject(usage) && ['token_count', 'input_count', 'output_count', 'input_tokens', 'output_tokens'].some((key) => toCount(usage[key]) !== undefined);
}

/**
 * What to send after a live stream so that it ends consistent with the item's `answer`: nothing when
 * they match, the missing tail when the answer only extends what was streamed, and otherwise — Coze
 * completed a message with text that differs from its deltas — a blank line and the whole answer once
 * more, so the last thing the caller received is exactly the item's answer.
 */
export function liveStreamCorrection(streamed: string, answer: string): string | undefined {
	if (answer === streamed || answer === '') return undefined;
	if (answer.startsWith(streamed)) return answer.slice(streamed.length);
	return `${streamed === '' ? '' : '\n\n'}${answer}`;
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
