/**
 * Coze chat scenarios as transcripts: the exact events a /v3/chat stream carries, plus the Chat
 * object and message list that /v3/chat/retrieve and /v3/chat/message/list return once the chat
 * is over, plus what a correct client must output. A scenario is chosen by the bot id.
 */
import { pictureAnswer, signedFileUrl } from './files';
import { newId } from './ids';
import type { WireEvent } from './sse';

export interface ChatContext {
	chatId: string;
	conversationId: string;
	sectionId: string;
	botId: string;
	userMessage: string;
	/** Earlier messages of the conversation (user questions and bot answers), oldest first. */
	history: Array<{ role: string; content: string }>;
	createdAt: number;
	/** Files and images of the user message (object_string), resolved by the server. */
	attachments?: Array<{ type: string; name: string }>;
	/** The request's enable_card. */
	enableCard?: boolean;
	/** The user variables of this bot for the chat's user_id (Variable → Set writes them). */
	variables?: Record<string, string>;
	/** `npm start`'s emulator: a question outside the script is answered with what the bot knows. */
	demo?: boolean;
	/** The prompt of the version the chat talks to (its draft or a published one; bots.ts). */
	prompt?: string;
	/** The emulator's own URL (its /files/ host serves the links bots answer with). */
	baseUrl?: string;
}

export interface ChatObject {
	id: string;
	conversation_id: string;
	bot_id: string;
	section_id: string;
	created_at: number;
	completed_at?: number;
	failed_at?: number;
	last_error: { code: number; msg: string };
	status: string;
	/** Real chats use *_count; Coze's schematic docs *_tokens. */
	usage?: { token_count: number; output_count?: number; input_count?: number; output_tokens?: number; input_tokens?: number };
	required_action?: unknown;
	meta_data?: Record<string, string>;
}

export interface MessageObject {
	id: string;
	conversation_id: string;
	bot_id: string;
	chat_id: string;
	section_id: string;
	role: string;
	type: string;
	content: string;
	content_type: string;
	reasoning_content?: string;
	created_at?: number;
	updated_at?: number;
}

export interface ExpectedResult {
	answer?: string;
	reasoning_content?: string;
	follow_ups?: string[];
	tool_calls?: Array<{ name: string; arguments: Record<string, unknown>; output: string | null; plugin_id: string }>;
	usage?: { input_count: number; output_count: number; token_count: number };
	status?: 'completed' | 'requires_action';
	required_action?: { tool_calls: Array<{ id: string; name: string; arguments: Record<string, unknown> }> };
	/** The client must fail with this Coze code (and a message containing `msg`). */
	error?: { code: number | string | undefined; msg: string };
}

export interface Transcript {
	events: WireEvent[];
	/** Stream mode: the socket closes after this many events; the chat still finishes server-side. */
	closeAfterEvents?: number;
	/**
	 * With closeAfterEvents: half of the next event is written first, then the stream ends — with a
	 * clean end of the response ('eof') or a connection reset ('reset').
	 */
	cutMidEvent?: 'eof' | 'reset';
	finalChat: ChatObject;
	messages: MessageObject[];
	expected: ExpectedResult;
}

export interface Scenario {
	name: string;
	botId: string;
	botName: string;
	build(ctx: ChatContext): Transcript;
	/**
	 * A bot with client-side plugins: the rounds of tool calls it asks for, one requires_action per
	 * round, given the question and the outputs submitted so far (each round may use earlier ones).
	 */
	clientToolRounds?: (question: string, outputs: string[]) => ClientCall[][];
}

/** One client-side tool call a bot asks for (required_action…tool_calls[].function). */
export interface ClientCall {
	name: string;
	arguments: Record<string, unknown>;
}

const USAGE = { token_count: 633, output_count: 19, input_count: 614 };

/** Builds events and the matching final state together, so they can never disagree. */
class TranscriptBuilder {
	readonly events: WireEvent[] = [];

	readonly messages: MessageObject[] = [];

	readonly chat: ChatObject;

	constructor(private readonly ctx: ChatContext) {
		this.chat = {
			id: ctx.chatId,
			conversation_id: ctx.conversationId,
			bot_id: ctx.botId,
			section_id: ctx.sectionId,
			created_at: ctx.createdAt,
			last_error: { code: 0, msg: '' },
			status: 'created',
			usage: { token_count: 0, output_count: 0, input_count: 0 },
		};
	}

	start(): this {
		this.chatEvent('conversation.chat.created', { status: 'created' });
		this.chatEvent('conversation.chat.in_progress', { status: 'in_progress' });
		return this;
	}

	chatEvent(event: string, patch: Partial<ChatObject>): this {
		Object.assign(this.chat, patch);
		// Coze puts an empty required_action placeholder on ordinary chat events.
		const placeholder = { type: '', submit_tool_outputs: { tool_calls: [] } };
		this.events.push({ event, data: { required_action: placeholder, ...this.chat } });
		return this;
	}

	private message(type: string, content: string, extra: Partial<MessageObject> = {}): MessageObject {
		return {
			id: newId(),
			conversation_id: this.ctx.conversationId,
			bot_id: this.ctx.botId,
			chat_id: this.ctx.chatId,
			section_id: this.ctx.sectionId,
			role: 'assistant',
			type,
			content,
			content_type: 'text',
			created_at: this.ctx.createdAt,
			...extra,
		};
	}

	/**
	 * An answer streamed as deltas, then completed with the full text — or with `completed`, which
	 * real Coze sometimes sends instead of the deltas' concatenation.
	 */
	answer(pieces: string[], options: { reasoning?: string[]; delayMs?: number; completed?: string } = {}): this {
		const full = this.message('answer', options.completed ?? pieces.join(''));
		if (options.reasoning) full.reasoning_content = options.reasoning.join('');
		for (const piece of options.reasoning ?? []) {
			this.events.push({
				event: 'conversation.message.delta',
				data: { ...full, content: '', reasoning_content: piece, created_at: undefined },
			});
		}
		for (const piece of pieces) {
			this.events.push({
				event: 'conversation.message.delta',
				data: { ...full, content: piece, reasoning_content: undefined, created_at: undefined },
				delayMs: options.delayMs,
			});
		}
		this.events.push({ event: 'conversation.message.completed', data: full });
		this.messages.push(full);
		return this;
	}

	/** A message that arrives whole (function_call, tool_response, follow_up, verbose, …). */
	whole(type: string, content: string): this {
		// Completed tool_response / verbose / follow_up messages carry updated_at (Coze's docs).
		const extra = ['tool_response', 'verbose', 'follow_up'].includes(type) ? { updated_at: this.ctx.createdAt + 1 } : {};
		const message = this.message(type, content, extra);
		this.events.push({ event: 'conversation.message.completed', data: message });
		this.messages.push(message);
		return this;
	}

	/** An answer message of content_type card (Coze sends a card whole; its content is the card's JSON). */
	card(json: string): this {
		const message = this.message('answer', json, { content_type: 'card' });
		this.events.push({ event: 'conversation.message.completed', data: message });
		this.messages.push(message);
		return this;
	}

	/** An answer message of content_type object_string (a JSON array of text / image / file items). */
	objectAnswer(json: string): this {
		const message = this.message('answer', json, { content_type: 'object_string' });
		this.events.push({ event: 'conversation.message.completed', data: message });
		this.messages.push(message);
		return this;
	}

	verbose(msgType: string, data: string): this {
		return this.whole('verbose', JSON.stringify({ msg_type: msgType, data, from_module: null, from_unit: null }));
	}

	complete(usage: ChatObject['usage'] = USAGE): this {
		this.verbose('generate_answer_finish', '{"finish_reason":0,"FinData":""}');
		this.chatEvent('conversation.chat.completed', {
			status: 'completed',
			completed_at: this.ctx.createdAt + 2,
			usage,
		});
		this.events.push({ event: 'done', data: '[DONE]' });
		return this;
	}

	build(expected: ExpectedResult, extra: Partial<Transcript> = {}): Transcript {
		return { events: this.events, messages: this.messages, finalChat: { ...this.chat }, expected, ...extra };
	}
}

/**
 * The emulator's bots answer the question they were asked where they can — a city, a date — so a
 * newcomer trying them sees their own question in the answer. The answers are scripted (npm start
 * says so); with no city or date in the question they fall back to their classic example.
 */
const CITIES: Array<{ names: string[]; en: string; zh: string; weather: string; sight: string }> = [
	{ names: ['hangzhou', '杭州'], en: 'Hangzhou', zh: '杭州', weather: 'sunny, 24°C ☀️', sight: 'West Lake' },
	{ names: ['kyoto', '京都'], en: 'Kyoto', zh: '京都', weather: 'cloudy, 18°C ⛅', sight: 'Fushimi Inari Shrine' },
	{ names: ['beijing', '北京'], en: 'Beijing', zh: '北京', weather: 'windy, 12°C 🌬️', sight: 'the Forbidden City' },
	{ names: ['shanghai', '上海'], en: 'Shanghai', zh: '上海', weather: 'light rain, 20°C 🌦️', sight: 'the Bund' },
	{ names: ['tokyo', '东京'], en: 'Tokyo', zh: '东京', weather: 'clear, 16°C 🌙', sight: 'Senso-ji' },
	{ names: ['paris', '巴黎'], en: 'Paris', zh: '巴黎', weather: 'overcast, 14°C ☁️', sight: 'the Musée d\'Orsay' },
	{ names: ['london', '伦敦'], en: 'London', zh: '伦敦', weather: 'drizzle, 11°C 🌧️', sight: 'the British Museum' },
	{ names: ['new york', '纽约'], en: 'New York', zh: '纽约', weather: 'sunny, 9°C ☀️', sight: 'Central Park' },
];

/** The city a question is about (Hangzhou when it names none of the emulator's cities). */
export function cityOf(question: string): (typeof CITIES)[number] {
	return knownCity(question) ?? CITIES[0];
}

/** The emulator's city a text names, if any. */
function knownCity(text: string): (typeof CITIES)[number] | undefined {
	const lower = text.toLowerCase();
	return CITIES.find((city) => city.names.some((name) => lower.includes(name)));
}

const CITY_NAMES = `${CITIES.slice(0, -1).map((c) => c.en).join(', ')} and ${CITIES[CITIES.length - 1].en}`;

/**
 * The bots `npm start`'s emulator lists (EmulatorOptions.demo); the others are test fixtures
 * (failing, flaky, truncated, huge …) that still answer by id.
 */
export const DEMO_BOTS: ReadonlySet<string> = new Set([
	'plain',
	'toolCall',
	'reasoning',
	'followUps',
	'verbose',
	'requiresAction',
	'memory',
	'vision',
	'voice',
	'cardBot',
	// It greets with the user variables it reads (Variable → Set, then Send Message for the same user).
	'memoryBot',
	'n8nToolsOneRound',
	'n8nToolsTwoRounds',
	'n8nToolsThreeRounds',
	'promptOps',
	'pictureBot',
]);

/** Which day a question asks about: 0 today, 1 tomorrow …; undefined when it names none. */
export function dayOffset(question: string): number | undefined {
	const text = question.toLowerCase();
	if (/day after tomorrow|后天/.test(text)) return 2;
	if (/tomorrow|明天/.test(text)) return 1;
	if (/yesterday|昨天/.test(text)) return -1;
	if (/today|tonight|now|今天/.test(text)) return 0;
	const words: Record<string, number> = { one: 1, a: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7 };
	const inDays = /in (\d+|one|a|two|three|four|five|six|seven) days?/.exec(text);
	if (inDays) return words[inDays[1]] ?? Number(inDays[1]);
	return undefined;
}

const DAY_NAMES = ['today', 'tomorrow', 'the day after tomorrow'];

/** The scripted forecast of a city `day` days ahead (0: today's weather as always). */
function forecastOf(city: (typeof CITIES)[number], day: number): string {
	if (day === 0) return city.weather;
	const other = CITIES[(CITIES.indexOf(city) + day * 3) % CITIES.length].weather;
	const temperature = Number(/(-?\d+)°C/.exec(city.weather)?.[1] ?? 20) + [0, -2, 1][day];
	return other.replace(/-?\d+°C/, `${temperature}°C`);
}

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

/** "2025 年 1 月 1 日是星期三。" for the first date (YYYY-MM-DD) in a question; undefined without one. */
function weekdayAnswer(question: string): string | undefined {
	const match = /(\d{4})-(\d{1,2})-(\d{1,2})/.exec(question);
	if (!match) return undefined;
	const [year, month, day] = match.slice(1).map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
	return `${year} 年 ${month} 月 ${day} 日是${WEEKDAYS[date.getUTCDay()]}。`;
}

/** The Weather Bot's turn: the forecast plugin's call and answer, then "City: sky, temperature". */
function weatherTranscript(ctx: ChatContext, city: (typeof CITIES)[number], day: number): Transcript {
	// plugin_id / api_id are raw 19-digit JSON numbers inside the content, exactly like Coze.
	const call = `{"name":"weather-getForecast","arguments":{"city":"${city.zh}","days":3},"plugin_id":${PLUGIN_ID},"api_id":${API_ID},"plugin_type":1,"thought":"Look up the forecast"}`;
	const weather = forecastOf(city, day);
	const forecast = weather.replace(/ \S+$/u, '');
	const output = `{"content_type":1,"response_for_model":"${forecast[0].toUpperCase()}${forecast.slice(1)}","type_for_model":1}`;
	const [sky, temperature] = weather.split(', ');
	const label = day === 0 ? city.en : `${city.en} ${DAY_NAMES[day]}`;
	return new TranscriptBuilder(ctx)
		.start()
		.whole('function_call', call)
		.whole('tool_response', output)
		.answer([`${label}: `, `${sky}, `, temperature])
		.complete({ token_count: 2308, output_count: 111, input_count: 2197 })
		.build({
			answer: `${label}: ${weather}`,
			status: 'completed',
			usage: { token_count: 2308, output_count: 111, input_count: 2197 },
			tool_calls: [{ name: 'weather-getForecast', arguments: { city: city.zh, days: 3 }, output, plugin_id: PLUGIN_ID }],
		});
}

/**
 * The demo Weather Bot's reading of a question: a city it knows (from the question, or for a
 * follow-up like "And tomorrow?" from the conversation) and a day within its 3-day forecast — or
 * what it says instead.
 */
function demoWeather(ctx: ChatContext): { city: (typeof CITIES)[number]; day: number } | { answer: string } {
	const question = ctx.userMessage;
	let city = knownCity(question);
	// "Weather in Berlin?" names a city the script does not know: never answer for another one.
	const namesAnother = !city && /\b(?:in|for|at|of)\s+\p{Lu}/u.test(question);
	if (!city && !namesAnother) city = [...ctx.history].reverse().map((m) => knownCity(m.content)).find((c) => c !== undefined);
	if (!city) return { answer: `[emulator] I know the weather in ${CITY_NAMES} only — ask about one of those.` };
	const day = dayOffset(question) ?? 0;
	if (day < 0 || day > 2) {
		return { answer: `[emulator] I only know the forecast for today, tomorrow and the day after tomorrow — ask about one of those for ${city.en}.` };
	}
	return { city, day };
}

/** A scripted bot's answer to a question outside its script: what it knows, marked as the emulator's. */
function scriptLimit(ctx: ChatContext, answer: string): Transcript {
	return new TranscriptBuilder(ctx).start().answer([answer]).complete().build({ answer, status: 'completed', tool_calls: [], follow_ups: [] });
}

/** The demo Calendar Bot's answer to a question with no date: today, tomorrow, yesterday (UTC). */
function relativeWeekday(question: string, now: Date): string | undefined {
	const day = dayOffset(question);
	if (day === undefined || day < -1 || day > 2) return undefined;
	const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + day));
	const name = { '-1': '昨天', '0': '今天', '1': '明天', '2': '后天' }[String(day)];
	return `${name}（${date.getUTCFullYear()} 年 ${date.getUTCMonth() + 1} 月 ${date.getUTCDate()} 日）是${WEEKDAYS[date.getUTCDay()]}。`;
}

/** "6 × 7" → its value and the sum as written; undefined without one (a date is no sum). */
function arithmetic(question: string): { sum: string; value: number } | undefined {
	if (/\d{4}-\d{1,2}-\d{1,2}/.test(question)) return undefined;
	const match = /(-?\d+(?:\.\d+)?)\s*([+\-*×x÷/])\s*(-?\d+(?:\.\d+)?)/.exec(question);
	if (!match) return undefined;
	const [a, b] = [Number(match[1]), Number(match[3])];
	const op = match[2];
	const value = op === '+' ? a + b : op === '-' ? a - b : op === '÷' || op === '/' ? a / b : a * b;
	if (!Number.isFinite(value)) return undefined;
	return { sum: `${match[1]} ${op === '*' || op === 'x' ? '×' : op} ${match[3]}`, value: Math.round(value * 1e6) / 1e6 };
}

const PLUGIN_ID = '7379227414322217010';
const API_ID = '7379227414322233394';
const LOCAL_PLUGIN_ID = '7485412896352075788';
const LOCAL_API_ID = '7485412896352092172';

const scenarioList: Scenario[] = [
	{
		name: 'plain',
		botId: '7400000000000000001',
		botName: 'Calendar Bot',
		build: (ctx) => {
			// The weekday of the date asked about; the classic example when the question has none
			// (the demo: today, tomorrow … or what the bot can answer).
			const relative = ctx.demo ? relativeWeekday(ctx.userMessage, new Date()) : undefined;
			const asked = weekdayAnswer(ctx.userMessage) ?? relative;
			if (ctx.demo && !asked) {
				return scriptLimit(ctx, '[emulator] I only tell the weekday of a date — ask e.g. "What day is 2025-01-01?" or "What day is tomorrow?"');
			}
			const pieces = asked ? [asked.slice(0, 2), asked.slice(2, 4), asked.slice(4, -4), asked.slice(-4, -1), '。'] : ['2', '0', '24 年 10 月 1 日是', '星期二', '。'];
			return new TranscriptBuilder(ctx)
				.start()
				.answer(pieces)
				.complete()
				.build({ answer: pieces.join(''), usage: USAGE, status: 'completed', tool_calls: [], follow_ups: [] });
		},
	},
	{
		name: 'toolCall',
		botId: '7400000000000000002',
		botName: 'Weather Bot',
		build: (ctx) => {
			if (ctx.demo) {
				const honest = demoWeather(ctx);
				if ('answer' in honest) return scriptLimit(ctx, honest.answer);
				return weatherTranscript(ctx, honest.city, honest.day);
			}
			return weatherTranscript(ctx, cityOf(ctx.userMessage), 0);
		},
	},
	{
		name: 'reasoning',
		botId: '7400000000000000003',
		botName: 'Thinking Bot',
		build: (ctx) => {
			if (ctx.demo) {
				// The demo does the sum asked about, or says that sums are all it does.
				const sum = arithmetic(ctx.userMessage);
				if (!sum) return scriptLimit(ctx, '[emulator] I only do one sum at a time, like "What is 6 × 7?" — ask me one of those.');
				const answer = `The answer is ${sum.value}.`;
				const reasoning = ['Let me think. ', `${sum.sum} = ${sum.value}. `, 'Done.'];
				return new TranscriptBuilder(ctx)
					.start()
					.answer([answer], { reasoning })
					.complete()
					.build({ answer, reasoning_content: reasoning.join(''), status: 'completed' });
			}
			return new TranscriptBuilder(ctx)
				.start()
				.answer(['The answer ', 'is 42.'], { reasoning: ['Let me think. ', '6 × 7 = 42. ', 'Done.'] })
				.complete()
				.build({
					answer: 'The answer is 42.',
					reasoning_content: 'Let me think. 6 × 7 = 42. Done.',
					status: 'completed',
				});
		},
	},
	{
		name: 'multiAnswer',
		botId: '7400000000000000004',
		botName: 'Workflow Bot',
		build: (ctx) =>
			new TranscriptBuilder(ctx)
				.start()
				.answer(['First ', 'part.'])
				.whole('function_call', `{"name":"wf","arguments":{},"plugin_id":${PLUGIN_ID},"api_id":${API_ID},"plugin_type":2}`)
				.whole('tool_response', 'ok')
				.answer(['Second ', 'part.'])
				.complete()
				.build({ answer: 'First part.\n\nSecond part.', status: 'completed' }),
	},
	{
		name: 'followUps',
		botId: '7400000000000000005',
		botName: 'Travel Bot',
		build: (ctx) => {
			// What to see in the city asked about (West Lake in Hangzhou when none; the demo says which it knows).
			if (ctx.demo && !knownCity(ctx.userMessage)) return scriptLimit(ctx, `[emulator] I know what to see in ${CITY_NAMES} only — ask about one of those.`);
			const answer = `Visit ${cityOf(ctx.userMessage).sight}.`;
			return new TranscriptBuilder(ctx)
				.start()
				.answer([answer])
				.whole('follow_up', 'What is the best season?')
				.whole('follow_up', 'How do I get there?')
				.whole('follow_up', 'Any food tips?')
				.complete()
				.build({
					answer,
					follow_ups: ['What is the best season?', 'How do I get there?', 'Any food tips?'],
					status: 'completed',
				});
		},
	},
	{
		name: 'verbose',
		botId: '7400000000000000006',
		botName: 'Knowledge Bot',
		build: (ctx) => {
			if (ctx.demo && !/coze|扣子/i.test(ctx.userMessage)) {
				return scriptLimit(ctx, '[emulator] My knowledge holds one line, "Coze is a bot platform" — ask me what Coze is.');
			}
			return new TranscriptBuilder(ctx)
				.start()
				.verbose('knowledge_recall', JSON.stringify({ chunks: [{ slice: 'Coze is a bot platform', score: 0.9 }] }))
				.whole('knowledge', 'Coze is a bot platform')
				.answer(['Coze ', 'builds bots.'])
				.verbose('empty result', 'empty result')
				.complete()
				.build({ answer: 'Coze builds bots.', status: 'completed', follow_ups: [], tool_calls: [] });
		},
	},
	{
		name: 'failedChat',
		botId: '7400000000000000007',
		botName: 'Failing Bot',
		build: (ctx) => {
			const t = new TranscriptBuilder(ctx).start().answer(['Partial ']);
			// The answer above was never completed by Coze: no `completed` event for it.
			t.events.pop();
			t.chatEvent('conversation.chat.failed', {
				status: 'failed',
				failed_at: ctx.createdAt + 1,
				last_error: { code: 5000, msg: 'event interval error' },
			});
			return t.build({ error: { code: 5000, msg: 'event interval error' } });
		},
	},
	{
		name: 'failedBare',
		botId: '7400000000000000008',
		botName: 'Chatflow Bot',
		build: (ctx) => {
			const t = new TranscriptBuilder(ctx).start();
			t.events.push({ event: 'conversation.chat.failed', data: { code: '720702204', msg: 'conversation name does not exist' } });
			t.chat.status = 'failed';
			t.chat.last_error = { code: 720702204, msg: 'conversation name does not exist' };
			return t.build({ error: { code: 720702204, msg: 'conversation name does not exist' } });
		},
	},
	{
		name: 'errorEvent',
		botId: '7400000000000000009',
		botName: 'Erroring Bot',
		build: (ctx) => {
			const t = new TranscriptBuilder(ctx).start();
			t.events.push({ event: 'error', data: { code: 4000, msg: 'Request parameter error' } });
			t.chat.status = 'failed';
			t.chat.last_error = { code: 4000, msg: 'Request parameter error' };
			return t.build({ error: { code: 4000, msg: 'Request parameter error' } });
		},
	},
	{
		name: 'requiresAction',
		botId: '7400000000000000010',
		botName: 'Local Plugin Bot',
		build: (ctx) => {
			// A client-side ("local", 端插件) plugin turn, shaped like Coze's local-plugin guide: the
			// bot's function_call (plugin_type 6, named ts-<plugin>-<tool>) and an `interrupt` verbose
			// come before requires_action, and both are in the message list; required_action names the
			// tool without the prefix and carries the id to answer.
			const t = new TranscriptBuilder(ctx).start();
			t.whole(
				'function_call',
				`{"name":"ts-local_plugin-local_data_assistant","arguments":{"location":"南京","type":0},"plugin_id":${LOCAL_PLUGIN_ID},"api_id":${LOCAL_API_ID},"plugin_type":6,"thought":"Ask the device for local data"}`,
			);
			t.verbose('interrupt', '');
			const toolCallId = 'BUJJF0dAQ0NAEBVeQkVKEV5HFURFXhFCEhFeFxdHShcSQEtFSxYRSUI=';
			const requiredAction = {
				type: 'submit_tool_outputs',
				submit_tool_outputs: {
					tool_calls: [
						{ id: toolCallId, type: 'function', function: { name: 'local_data_assistant', arguments: '{"location":"南京","type":0}' } },
					],
				},
			};
			Object.assign(t.chat, { status: 'requires_action', completed_at: ctx.createdAt + 2, required_action: requiredAction });
			t.events.push({ event: 'conversation.chat.requires_action', data: { ...t.chat } });
			t.events.push({ event: 'done', data: '[DONE]' });
			return t.build({
				status: 'requires_action',
				answer: '',
				// The pending ts-… call is not an executed tool call.
				tool_calls: [],
				required_action: { tool_calls: [{ id: toolCallId, name: 'local_data_assistant', arguments: { location: '南京', type: 0 } }] },
			});
		},
	},
	{
		name: 'truncated',
		botId: '7400000000000000011',
		botName: 'Flaky Network Bot',
		build: (ctx) =>
			new TranscriptBuilder(ctx)
				.start()
				.answer(['This answer ', 'is long ', 'and the connection ', 'drops halfway.'])
				.complete()
				.build({ answer: 'This answer is long and the connection drops halfway.', status: 'completed' }, { closeAfterEvents: 4 }),
	},
	{
		name: 'truncatedBeforeStart',
		botId: '7400000000000000012',
		botName: 'Dead Network Bot',
		build: (ctx) =>
			new TranscriptBuilder(ctx)
				.start()
				.answer(['Never seen.'])
				.complete()
				.build(
					{ error: { code: undefined, msg: 'The Coze stream ended before the chat started' } },
					{ closeAfterEvents: 0 },
				),
	},
	{
		name: 'long',
		botId: '7400000000000000013',
		botName: 'Novelist Bot',
		build: (ctx) => {
			const pieces = Array.from({ length: 10000 }, (_, i) => (i % 10 === 9 ? '字。' : `w${i} `));
			return new TranscriptBuilder(ctx).start().answer(pieces).complete().build({ answer: pieces.join(''), status: 'completed' });
		},
	},
	{
		name: 'memory',
		botId: '7400000000000000014',
		botName: 'Echo Bot',
		build: (ctx) => {
			const previous = [...ctx.history].reverse().find((m) => m.role === 'user');
			const turn = ctx.history.filter((m) => m.role === 'user').length + 1;
			const answer =
				`Turn ${turn}. You said: "${ctx.userMessage}".` +
				(previous ? ` Before that you said: "${previous.content}".` : ' This is the start of our conversation.');
			// A short pause, so turns sent at once would overlap (and Coze would answer 4016).
			return new TranscriptBuilder(ctx)
				.start()
				.answer(answer.match(/.{1,12}/gsu) ?? [answer], { delayMs: 5 })
				.whole('follow_up', 'Tell me more')
				.complete({ token_count: 120, output_count: 20, input_count: 100 })
				.build({ answer, status: 'completed', follow_ups: ['Tell me more'] });
		},
	},
	{
		name: 'vision',
		botId: '7400000000000000016',
		botName: 'Vision Bot',
		build: (ctx) => {
			const attachments = ctx.attachments ?? [];
			const answer =
				`I received ${attachments.length} attachment(s)` +
				(attachments.length ? `: ${attachments.map((a) => `${a.type} ${a.name}`).join(', ')}` : '') +
				`. Your text: "${ctx.userMessage}".`;
			return new TranscriptBuilder(ctx)
				.start()
				.answer(answer.match(/.{1,16}/gsu) ?? [answer])
				.complete()
				.build({ answer, status: 'completed' });
		},
	},
	{
		name: 'latency',
		botId: '7400000000000000017',
		botName: 'Busy Bot',
		build: (ctx) =>
			// Like a real model: a while to think, then the answer. Used to measure batch throughput.
			new TranscriptBuilder(ctx)
				.start()
				.answer([`Answer to: ${ctx.userMessage}`], { delayMs: 250 })
				.complete()
				.build({ answer: `Answer to: ${ctx.userMessage}`, status: 'completed' }),
	},
	{
		name: 'revisedAnswer',
		botId: '7400000000000000018',
		botName: 'Formula Bot',
		build: (ctx) =>
			// Coze's local-plugin guide shows deltas `…50$\%$。` completed as `…50%。`.
			new TranscriptBuilder(ctx)
				.start()
				.answer(['明天南京', '降雨概率为', '50$\\%$', '。'], { completed: '明天南京降雨概率为50%。' })
				.complete()
				.build({ answer: '明天南京降雨概率为50%。', status: 'completed' }),
	},
	{
		name: 'voice',
		botId: '7400000000000000019',
		botName: 'Voice Bot',
		build: (ctx) => {
			// Like cozepy's captured audio stream: audio deltas (sharing the answer's message id)
			// arrive after conversation.chat.completed, before done.
			const t = new TranscriptBuilder(ctx).start().answer(['Hello ', 'there.']).complete();
			const answerId = t.messages[0].id;
			const done = t.events.pop() as WireEvent;
			for (const chunk of ['KgAxAC8ALgAvAC0AKgAuACwAKgAnACUA', 'IwAiACIAGQAXABwAGQAUABMAFgAXABAA']) {
				t.events.push({
					event: 'conversation.audio.delta',
					data: { id: answerId, conversation_id: ctx.conversationId, bot_id: ctx.botId, role: 'assistant', type: 'answer', content: chunk, content_type: 'audio', chat_id: ctx.chatId, section_id: ctx.sectionId },
				});
			}
			t.events.push(done);
			return t.build({ answer: 'Hello there.', status: 'completed', usage: USAGE });
		},
	},
	{
		name: 'errorEmpty',
		botId: '7400000000000000020',
		botName: 'Mute Error Bot',
		build: (ctx) => {
			// cozepy's captured chat_error_resp.txt: an error event whose data is `{}`.
			const t = new TranscriptBuilder(ctx).start();
			t.events.push({ event: 'error', data: {} });
			t.chat.status = 'failed';
			return t.build({ error: { code: undefined, msg: 'Coze sent an error event with no message' } });
		},
	},
	{
		name: 'quotaExceeded',
		botId: '7400000000000000021',
		botName: 'Free Tier Bot',
		build: (ctx) => {
			// cozepy #425: a chat that fails because the account's quota is used up.
			const msg = 'Your free quota has been used up. Please upgrade to a paid plan to continue: https://console.volcengine.com/coze-pro';
			const t = new TranscriptBuilder(ctx).start();
			t.chatEvent('conversation.chat.failed', { status: 'failed', failed_at: ctx.createdAt + 1, last_error: { code: 4028, msg } });
			t.events.push({ event: 'done', data: '[DONE]' });
			return t.build({ error: { code: 4028, msg } });
		},
	},
	{
		name: 'tokensUsage',
		botId: '7400000000000000022',
		botName: 'Docs Usage Bot',
		build: (ctx) =>
			// Usage keyed like Coze's schematic docs: output_tokens / input_tokens.
			new TranscriptBuilder(ctx)
				.start()
				.answer(['Counted.'])
				.complete({ token_count: 3397, output_tokens: 1173, input_tokens: 2224 })
				.build({ answer: 'Counted.', status: 'completed', usage: { token_count: 3397, output_count: 1173, input_count: 2224 } }),
	},
	{
		name: 'cutMidEventEof',
		botId: '7400000000000000023',
		botName: 'Half-Sentence Bot',
		build: (ctx) =>
			new TranscriptBuilder(ctx)
				.start()
				.answer(['The stream ', 'ends cleanly ', 'in the middle ', 'of an event.'])
				.complete()
				.build({ answer: 'The stream ends cleanly in the middle of an event.', status: 'completed' }, { closeAfterEvents: 4, cutMidEvent: 'eof' }),
	},
	{
		name: 'cutMidEventReset',
		botId: '7400000000000000024',
		botName: 'Reset Bot',
		build: (ctx) =>
			new TranscriptBuilder(ctx)
				.start()
				.answer(['The connection ', 'is reset ', 'in the middle ', 'of an event.'])
				.complete()
				.build({ answer: 'The connection is reset in the middle of an event.', status: 'completed' }, { closeAfterEvents: 4, cutMidEvent: 'reset' }),
	},
	{
		name: 'numericIds',
		botId: '7400000000000000025',
		botName: 'Bare Number Bot',
		build: (ctx) => {
			// Every id of every event as a bare 19-digit JSON number (JSON.parse rounds them all).
			const t = new TranscriptBuilder(ctx).start().answer(['Ids ', 'as ', 'numbers.']).complete();
			const bare = (data: unknown) =>
				typeof data === 'string' ? data : JSON.stringify(data).replace(/"(id|conversation_id|chat_id|section_id|bot_id)":"(\d{16,})"/g, '"$1":$2');
			const transcript = t.build({ answer: 'Ids as numbers.', status: 'completed' });
			return { ...transcript, events: transcript.events.map((e) => ({ ...e, data: bare(e.data) })) };
		},
	},
	{
		name: 'slow',
		botId: '7400000000000000015',
		botName: 'Slow Bot',
		build: (ctx) => {
			const pieces = Array.from({ length: 10 }, (_, i) => `step ${i + 1}. `);
			return new TranscriptBuilder(ctx)
				.start()
				.answer(pieces, { delayMs: 300 })
				.complete()
				.build({ answer: pieces.join(''), status: 'completed' });
		},
	},
	clientToolBot('n8nToolsOneRound', '7400000000000000030', 'Day Planner Bot', (question) => [
		[{ name: 'get_local_weather', arguments: { city: cityOf(question).en } }],
	]),
	clientToolBot('n8nToolsTwoRounds', '7400000000000000031', 'Outfit Bot', (question, outputs) => [
		[{ name: 'get_local_weather', arguments: { city: cityOf(question).en } }],
		// The second call takes what the first tool answered, like a model would.
		[{ name: 'suggest_outfit', arguments: { weather: outputs[0] ?? '' } }],
	]),
	clientToolBot('n8nToolsThreeRounds', '7400000000000000032', 'Errand Bot', (question) => [
		[{ name: 'lookup_order', arguments: { order_id: 'A-1001' } }],
		// Two calls in one round: both must be answered in one submit.
		[
			{ name: 'get_local_weather', arguments: { city: cityOf(question).en } },
			{ name: 'check_stock', arguments: { sku: 'umbrella', quantity: 2 } },
		],
		[{ name: 'send_notice', arguments: { text: 'Your order A-1001 ships today' } }],
	]),
	{
		// A question node's options: a card when the request has enable_card, else flattened into text.
		// The card's JSON is ASSUMED (no published sample); its template_id is a bare 19-digit number.
		name: 'cardBot',
		botId: '7400000000000000034',
		botName: 'Survey Bot',
		build: (ctx) => {
			const builder = new TranscriptBuilder(ctx).start();
			if (!ctx.enableCard) {
				const text = 'Which city? 1. Hangzhou 2. Kyoto';
				return builder.answer([text]).complete().build({ answer: text, status: 'completed' });
			}
			builder.answer(['Which city?']).card(CARD_JSON);
			return builder.complete().build({ answer: 'Which city?', status: 'completed' });
		},
	},
	{
		// A bot whose prompt reads the user variables (name, city): its answer shows the values Coze
		// keeps for the chat's user_id, the defaults for a user nobody set them for.
		name: 'memoryBot',
		botId: '7400000000000000035',
		botName: 'Memory Bot',
		build: (ctx) => {
			const variables = ctx.variables ?? {};
			const name = variables.name || 'stranger';
			const text = `Hello, ${name}! Your city is ${variables.city || 'Hangzhou'}.`;
			return new TranscriptBuilder(ctx).start().answer([`Hello, ${name}! `, `Your city is ${variables.city || 'Hangzhou'}.`]).complete().build({ answer: text, status: 'completed', usage: USAGE });
		},
	},
	{
		// A bot that answers from its prompt (test/emulator/bots.ts keeps it): the prompt's sentence
		// that shares most words with the question, so its draft and its published version answer
		// differently when their prompts differ. Created bots answer this way too.
		name: 'promptOps',
		botId: '7400000000000000036',
		botName: 'Store Helper',
		build: (ctx) => {
			const text = answerFromPrompt(ctx.prompt ?? '', ctx.userMessage);
			return new TranscriptBuilder(ctx).start().answer(splitAnswer(text)).complete().build({ answer: text, status: 'completed', usage: USAGE });
		},
	},
	clientToolBot('n8nToolsUnknown', '7400000000000000033', 'Garage Bot', () => [
		[{ name: 'open_garage_door', arguments: { door: 'main' } }],
	]),
	{
		// A bot with an image-generation plugin: its answer shows a picture (Markdown image), links a
		// document (Markdown link) and sends the picture again as an object_string image item; the
		// links are signed and expire (test/emulator/files.ts). The question picks a variant: an
		// expired link, a redirect to the metadata address, a file over 1 MB, a short link.
		name: 'pictureBot',
		botId: '7400000000000000038',
		botName: 'Picture Bot',
		build: (ctx) => {
			const base = ctx.baseUrl ?? 'http://127.0.0.1';
			if (ctx.enableCard && /card/i.test(ctx.userMessage)) {
				// A card plugin's output with the picture inside its data (the card's fields are ASSUMED, as cardBot's).
				const card = JSON.stringify({ card_type: 3, response_type: 'card', template_id: '7383997384420262953', data: JSON.stringify({ title: 'Sunset', image: { url: signedFileUrl(base, 'sunset.png~tplv-mdko3gqilj-image.png') } }) });
				return new TranscriptBuilder(ctx).start().answer(['Your card:']).card(card).complete().build({ answer: 'Your card:', status: 'completed' });
			}
			const { markdown, objectString } = pictureAnswer(base, ctx.userMessage);
			const builder = new TranscriptBuilder(ctx).start().answer([markdown]);
			if (objectString) builder.objectAnswer(objectString);
			return builder.complete().build({ answer: objectString ? `${markdown}\n\n${objectString}` : markdown, status: 'completed' });
		},
	},
];

const STOP_WORDS = new Set(['what', 'when', 'where', 'which', 'who', 'does', 'the', 'how', 'many', 'much', 'are', 'you', 'your', 'can', 'for', 'and', 'with', 'there', 'any', 'have', 'this', 'that', 'its']);

/** The sentence of `prompt` that shares most words with `question`, or that it does not know. */
export function answerFromPrompt(prompt: string, question: string): string {
	const words = question.toLowerCase().match(/[\p{L}\p{N}]+/gu)?.filter((w) => w.length >= 3 && !STOP_WORDS.has(w)) ?? [];
	let best = '';
	let bestScore = 0;
	for (const sentence of prompt.split(/(?<=[.!?。！？])\s+|\n+/)) {
		const lower = sentence.toLowerCase();
		const score = words.filter((w) => lower.includes(w)).length;
		if (score > bestScore) {
			best = sentence.trim();
			bestScore = score;
		}
	}
	return bestScore > 0 ? best : "I don't know that: it is not in my instructions.";
}

function splitAnswer(text: string): string[] {
	const middle = Math.ceil(text.length / 2);
	return text.length > 1 ? [text.slice(0, middle), text.slice(middle)] : [text];
}

/** The card the Survey Bot sends (see cardBot), parsed; on the wire template_id is a bare number. */
export const CARD_CONTENT = {
	card_type: 3,
	response_type: 'card',
	template_id: '7383997384420262952',
	input_card_data: [{ field: 'city', type: 'select', options: ['Hangzhou', 'Kyoto'] }],
	data: '{"question":"Which city?","options":[{"name":"Hangzhou"},{"name":"Kyoto"}]}',
};
const CARD_JSON = JSON.stringify(CARD_CONTENT).replace('"template_id":"7383997384420262952"', '"template_id":7383997384420262952');

export const scenarios: Record<string, Scenario> = Object.fromEntries(scenarioList.map((s) => [s.name, s]));

export const scenariosByBotId: Record<string, Scenario> = Object.fromEntries(scenarioList.map((s) => [s.botId, s]));

// Two scripted bots with one id would answer for each other (the later one wins): refuse at load.
{
	const seen = new Map<string, string>();
	for (const scenario of scenarioList) {
		const earlier = seen.get(scenario.botId);
		if (earlier !== undefined) throw new Error(`Emulator bots '${earlier}' and '${scenario.name}' share the id ${scenario.botId}`);
		seen.set(scenario.botId, scenario.name);
	}
}

/** A context for building a transcript outside the server (unit tests). */
export function standaloneContext(botId: string, userMessage = 'What day is 2024-10-01?'): ChatContext {
	return {
		chatId: newId(),
		conversationId: newId(),
		sectionId: newId(),
		botId,
		userMessage,
		history: [],
		createdAt: 1718792949,
	};
}

const CLIENT_PLUGIN_ID = '7485412896352075799';

/** How many rounds `count` submitted outputs answer. */
function roundsAnswered(rounds: ClientCall[][], count: number): number {
	let answered = 0;
	let seen = 0;
	while (answered < rounds.length && seen + rounds[answered].length <= count) seen += rounds[answered++].length;
	return answered;
}

/** A tool call id like Coze's: opaque base64, never numeric. */
function toolCallId(): string {
	return Buffer.from(`call-${newId()}`).toString('base64');
}

/**
 * Appends one client-side tool round: a function_call per call (plugin_type 6, named
 * ts-<plugin>-<tool>), the interrupt verbose, then requires_action naming the tools without the
 * prefix, and done. Returns what a client sees in required_action.
 */
function requireToolCalls(t: TranscriptBuilder, calls: ClientCall[]): ExpectedResult {
	const wire = calls.map((call) => ({
		id: toolCallId(),
		type: 'function',
		function: { name: call.name, arguments: JSON.stringify(call.arguments) },
	}));
	for (const call of calls) {
		t.whole(
			'function_call',
			`{"name":"ts-n8n_tools-${call.name}","arguments":${JSON.stringify(call.arguments)},"plugin_id":${CLIENT_PLUGIN_ID},"api_id":${CLIENT_PLUGIN_ID},"plugin_type":6,"thought":"Ask the client"}`,
		);
	}
	t.verbose('interrupt', '');
	const requiredAction = { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: wire } };
	Object.assign(t.chat, { status: 'requires_action', completed_at: t.chat.created_at + 2, required_action: requiredAction });
	t.events.push({ event: 'conversation.chat.requires_action', data: { ...t.chat } });
	t.events.push({ event: 'done', data: '[DONE]' });
	return {
		status: 'requires_action',
		answer: '',
		tool_calls: [],
		required_action: { tool_calls: wire.map((w, i) => ({ id: w.id, name: w.function.name, arguments: calls[i].arguments })) },
	};
}

/** A bot whose answer needs client-side tools, round after round (see Scenario.clientToolRounds). */
function clientToolBot(name: string, botId: string, botName: string, rounds: NonNullable<Scenario['clientToolRounds']>): Scenario {
	return {
		name,
		botId,
		botName,
		clientToolRounds: rounds,
		build: (ctx) => {
			const t = new TranscriptBuilder(ctx).start();
			return t.build(requireToolCalls(t, rounds(ctx.userMessage, [])[0]));
		},
	};
}

/** The answer of a client-tool bot once every round is answered: it quotes each tool's output. */
export function clientToolAnswer(outputs: string[]): string {
	return `Done with your tools. ${outputs.map((output, i) => `(${i + 1}) ${output}`).join(' ')}`;
}

/**
 * What a requires_action chat streams after its tool outputs are submitted: the same chat, finished.
 * Like Coze's local-plugin guide, it starts with in_progress (no created) and first echoes each
 * submitted output as a tool_response; the chat's message list then holds the earlier turn's
 * messages too.
 */
export function continuationTranscript(
	record: { chat: ChatObject; userMessage?: string },
	outputs: string[],
	earlier: MessageObject[] = [],
	allOutputs: string[] = outputs,
): Transcript {
	const chat = record.chat;
	const ctx: ChatContext = {
		chatId: chat.id,
		conversationId: chat.conversation_id,
		sectionId: chat.section_id,
		botId: chat.bot_id,
		userMessage: '',
		history: [],
		createdAt: chat.created_at,
	};
	const builder = new TranscriptBuilder(ctx).chatEvent('conversation.chat.in_progress', { status: 'in_progress' });
	for (const output of outputs) builder.whole('tool_response', output);
	// A client-tool bot asks for its next round while one is left.
	const rounds = scenariosByBotId[chat.bot_id]?.clientToolRounds?.(record.userMessage ?? '', allOutputs);
	const next = rounds?.[roundsAnswered(rounds, allOutputs.length)];
	if (rounds && next) {
		const transcript = builder.build(requireToolCalls(builder, next));
		return { ...transcript, messages: [...earlier, ...transcript.messages] };
	}
	const answer = rounds ? clientToolAnswer(allOutputs) : `According to local_data_assistant: ${outputs.join('; ')}`;
	const usage = { token_count: 80, output_count: 30, input_count: 50 };
	const transcript = builder
		.answer(answer.match(/.{1,10}/gsu) ?? [answer])
		.complete(usage)
		// The client-side call answered here is not one Coze ran, so tool_calls stays empty.
		.build({ answer, status: 'completed', usage, tool_calls: [] });
	return { ...transcript, messages: [...earlier, ...transcript.messages] };
}
