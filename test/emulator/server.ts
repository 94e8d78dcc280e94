/**
 * The Coze emulator: a real HTTP server on 127.0.0.1 that speaks Coze's Open API wire format
 * (envelopes, x-tt-logid, SSE framing, errors as HTTP 200 JSON) for the endpoints this package
 * uses. Tests start it on a random port and stop it; `npm start` runs it next to a local n8n.
 *
 * The chat state (conversations, chats, transcripts, timing) lives in the public "core" methods
 * below, which answer plain data or throw an EmulatorFault; the cloud dialect renders them here,
 * other dialects (studio.ts: self-hosted Coze Studio) render the same state their own way.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

import { fileRoute } from './files';
import { newId, newLogId } from './ids';
import { completion, models, type CompletionRequest } from './openai';
import { continuationTranscript, scenarios, scenariosByBotId, type ChatObject, type MessageObject, type Transcript } from './scenarios';
import { REAL_FRAMING, renderEventTexts, toChunks, type Framing, type WireEvent } from './sse';
import { installStudioDialect } from './studio';
import { AudioEmulator } from './audio';
import { BotEmulator } from './bots';
import { KnowledgeEmulator } from './knowledge';
import { MessageEmulator } from './messages';
import { PluginEmulator } from './plugins';
import { VariableEmulator } from './variables';
import { WorkflowEmulator } from './workflows';

export const EMULATOR_TOKEN = 'pat_emulator_0123456789abcdefghijklmnopqrstuvwxyz';
/** A token Coze knows but that lacks permissions: answers HTTP 200 with code 4101. */
export const EMULATOR_TOKEN_NO_PERMISSION = 'pat_emulator_no_permission_0123456789';

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	body: unknown;
	/** The body as it came, for what JSON.parse would change (integers beyond 2^53); '' for uploads. */
	text: string;
	headers: http.IncomingHttpHeaders;
}

/** A failure the way Coze reports it: a code and a message, and the rare HTTP status that is not 200. */
export class EmulatorFault extends Error {
	constructor(
		readonly code: number,
		readonly msg: string,
		readonly status = 200,
	) {
		super(msg);
	}
}

export interface ConversationRecord {
	id: string;
	botId?: string;
	sectionId: string;
	createdAt: number;
	metaData: Record<string, string>;
	name?: string;
	/** The context of the next chat, oldest first (`id`: the stored message, see messages.ts). */
	messages: Array<{ role: string; content: string; id?: string }>;
}

export interface ChatRecord {
	transcript: Transcript;
	chat: ChatObject;
	conversation: ConversationRecord;
	userMessage: string;
	saveHistory: boolean;
	/** When the chat is over on the "server side" (epoch ms). */
	readyAt: number;
	retrieves: number;
	/** Retrieves that report in_progress first: for chats whose client could not see the end. */
	pollsBeforeDone: number;
	canceled: boolean;
	finished: boolean;
	toolOutputs?: string[];
	/** Epoch seconds the chat was created (Coze Studio keeps the question with it). */
	createdAt: number;
}

/** What a plugged-in route sees of one request. */
export interface RouteRequest {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	method: string;
	path: string;
	query: Record<string, string>;
	/** The JSON body (undefined for an empty or multipart body). */
	body: unknown;
	rawBytes: Buffer;
	/** The bearer token, if any. */
	token: string | undefined;
}

/**
 * A handler a feature module plugs into the emulator (workflows, OAuth, other dialects); returns
 * true when it answered the request.
 */
export type EmulatorRoute = (request: RouteRequest, emulator: CozeEmulator) => Promise<boolean> | boolean;

export interface EmulatorOptions {
	port?: number;
	framing?: Partial<Framing>;
	/** Retrieve calls that still report in_progress before a chat shows its final status. */
	pollsUntilDone?: number;
	/** Which server to be: Coze's cloud (default) or a self-hosted Coze Studio (test/emulator/studio.ts). */
	dialect?: 'cloud' | 'studio';
	/**
	 * `npm start`'s emulator: the bot, workflow and voice lists (the editor's pickers) hold the demo
	 * bots and workflows only, not the test fixtures (failing, flaky, paging …), which still answer by
	 * id; and a bot asked something outside its script says what it knows instead of its classic
	 * example answer (see DEMO_BOTS in scenarios.ts).
	 */
	demo?: boolean;
}

export class CozeEmulator {
	readonly requests: RecordedRequest[] = [];

	framing: Framing;

	/** Most /v3/chat streams open at the same time so far (batch concurrency checks). */
	maxOpenStreams = 0;

	/** Streams the client closed before the emulator finished writing them. */
	streamsClosedByClient = 0;

	private openStreams = 0;

	pollsUntilDone: number;

	private server: http.Server | undefined;

	private readonly conversations = new Map<string, ConversationRecord>();

	private readonly chats = new Map<string, ChatRecord>();

	private readonly sockets = new Set<import('net').Socket>();

	/** Routes tried before the token check (for endpoints that authenticate differently). */
	readonly publicRoutes: EmulatorRoute[] = [];

	/** Routes tried after the token check, before the built-in chat routes. */
	readonly routes: EmulatorRoute[] = [];

	/** Reads uploads in bursts (`burstBytes` every `pauseMs`, or not at all) when set: an upload that takes long to send. */
	uploadReading: { pauseMs: number; burstBytes?: number; stop?: boolean } | undefined;

	/** Extra token checks: a token any of them accepts is as good as EMULATOR_TOKEN. */
	readonly tokenCheckers: Array<(token: string) => boolean> = [];

	/** Uploaded files by id, for tests to inspect. */
	readonly files = new Map<string, { name: string; contentType: string; bytes: Buffer; createdAt: number }>();

	/**
	 * The status a bot's chats end in when polled, instead of their transcript's (e.g. `expired`,
	 * `required_action`, `deleted`): for the terminal statuses some servers use and others never.
	 */
	readonly finalStatusByBot = new Map<string, string>();

	readonly dialect: 'cloud' | 'studio';

	/** See EmulatorOptions.demo. */
	readonly demo: boolean;

	/** Most bots /v1/bots returns per page whatever page_size asks for (Coze documents no maximum). */
	botPageCap = Infinity;

	/** Workflows, chatflows and run histories (test/emulator/workflows.ts). */
	readonly workflows: WorkflowEmulator = new WorkflowEmulator(this);

	/** User variables of bots and apps (test/emulator/variables.ts). */
	readonly variables: VariableEmulator = new VariableEmulator(this);

	/** Speech: text to speech, transcriptions, voices (test/emulator/audio.ts). */
	readonly audio: AudioEmulator = new AudioEmulator(this);

	/** Knowledge bases and their documents (test/emulator/knowledge.ts). */
	readonly knowledge: KnowledgeEmulator = new KnowledgeEmulator(this);

	/** Conversation edits, messages and their feedback (test/emulator/messages.ts). */
	readonly messages: MessageEmulator = new MessageEmulator(this);

	/** Bots (agents): drafts, published versions, channels (test/emulator/bots.ts). */
	readonly bots: BotEmulator = new BotEmulator(this);
	/** Coze's plugin store (test/emulator/plugins.ts). */
	readonly plugins: PluginEmulator = new PluginEmulator(this);

	constructor(private readonly options: EmulatorOptions = {}) {
		this.framing = { ...REAL_FRAMING, ...options.framing };
		this.pollsUntilDone = options.pollsUntilDone ?? 1;
		this.dialect = options.dialect ?? 'cloud';
		this.demo = options.demo === true;
		if (this.dialect === 'studio') installStudioDialect(this);
		this.routes.push(this.workflows.route, this.variables.route, this.audio.route, this.knowledge.route, this.bots.route, this.messages.route);
		// The plugin store is a cloud feature: Coze Studio answers its paths with its NoRoute.
		if (this.dialect !== 'studio') this.routes.push(this.plugins.route);
		// Coze's file links (signed, expiring), served without a token like a file host.
		this.publicRoutes.push(fileRoute);
	}

	get url(): string {
		const address = this.server?.address() as AddressInfo | null;
		if (!address) throw new Error('The Coze emulator is not running');
		return `http://127.0.0.1:${address.port}`;
	}

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((error: Error) => {
				if (!res.headersSent) this.json(res, 500, { code: 5000, msg: `emulator bug: ${error.message}` });
				else res.destroy();
			});
		});
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
		return this;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	private readonly failures = new Map<string, { count: number; status: number; reply?: { contentType: string; body: string } }>();

	/**
	 * Makes the next `count` requests to `path` fail: by default like an overloaded gateway (an
	 * HTML page), or with a given body, e.g. Coze's rate limit as HTTP 200 JSON
	 * (`{ contentType: 'application/json', body: '{"code":4013,…}' }`) or a rejection sent as bare
	 * JSON under `text/event-stream`.
	 */
	failNext(path: string, count: number, status = 503, reply?: { contentType: string; body: string }): void {
		this.failures.set(path, { count, status, reply });
	}

	/** Ids of every chat the emulator created (a chat Coze rejected is not one). */
	get chatIds(): string[] {
		return [...this.chats.keys()];
	}

	/** Requests to one path, oldest first. */
	requestsTo(path: string): RecordedRequest[] {
		return this.requests.filter((r) => r.path === path);
	}

	conversationMessages(conversationId: string): ConversationRecord['messages'] {
		return this.conversations.get(conversationId)?.messages ?? [];
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const rawBytes = await readBody(req, url.pathname === '/v1/files/upload' ? this.uploadReading : undefined);
		const raw = rawBytes.toString('utf8');
		const isJson = !(req.headers['content-type'] ?? '').startsWith('multipart/');
		let body: unknown = undefined;
		if (raw !== '' && isJson) {
			try {
				body = JSON.parse(raw);
			} catch {
				return this.json(res, 400, { code: 4000, msg: 'request body is not JSON' });
			}
		}
		const query = Object.fromEntries(url.searchParams.entries());
		this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, body, text: isJson ? raw : '', headers: req.headers });

		const failure = this.failures.get(url.pathname);
		if (failure && failure.count > 0) {
			failure.count--;
			if (failure.reply) {
				res.writeHead(failure.status, { 'Content-Type': failure.reply.contentType, 'x-tt-logid': newLogId() });
				res.end(failure.reply.body);
				return;
			}
			res.writeHead(failure.status, { 'Content-Type': 'text/html' });
			res.end(`<html><body><h1>${failure.status} Service Temporarily Unavailable</h1></body></html>`);
			return;
		}

		if (req.method === 'GET' && url.pathname === '/v1/models') {
			// n8n's OpenAI credential test; any API key is fine.
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(models()));
			return;
		}
		if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
			// The scripted OpenAI-style model for AI Agent tests; any API key is fine.
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(completion(body as CompletionRequest)));
			return;
		}

		const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
		const routeRequest: RouteRequest = { req, res, method: req.method ?? 'GET', path: url.pathname, query, body, rawBytes, token };
		for (const route of this.publicRoutes) if (await route(routeRequest, this)) return;
		if (token === EMULATOR_TOKEN_NO_PERMISSION) {
			return this.json(res, 200, {
				code: 4101,
				msg: 'The token you entered is incorrect. Please double check the token and try again.',
			});
		}
		if (token !== EMULATOR_TOKEN && !(token !== undefined && this.tokenCheckers.some((check) => check(token)))) {
			return this.json(res, 401, { code: 4100, msg: 'authentication is invalid' });
		}
		for (const route of this.routes) if (await route(routeRequest, this)) return;
		try {
			await this.cloudRoute(res, req, url.pathname, query, body, rawBytes);
		} catch (error) {
			if (!(error instanceof EmulatorFault)) throw error;
			this.json(res, error.status, { code: error.code, msg: error.msg });
		}
	}

	/** The cloud's routes (after its token check). Core methods throw EmulatorFault for Coze errors. */
	private async cloudRoute(
		res: http.ServerResponse,
		req: http.IncomingMessage,
		pathname: string,
		query: Record<string, string>,
		body: unknown,
		rawBytes: Buffer,
	): Promise<void> {
		const route = `${req.method} ${pathname}`;
		const data = (body ?? {}) as Record<string, unknown>;
		switch (route) {
			case 'GET /v1/users/me':
				return this.ok(res, { user_id: '7400000000000009999', user_name: 'emulator', nick_name: 'Emulator User', avatar_url: '' });
			case 'GET /v1/workspaces':
				return this.ok(res, paginate(WORKSPACES, query, 'workspaces', 'total_count'));
			case 'POST /v1/conversation/create':
				return this.ok(res, this.publicConversation(this.createConversation(data)));
			case 'POST /v3/chat':
				return await this.startChat(res, query, data);
			case 'GET /v3/chat/retrieve':
				return this.ok(res, this.retrieveChat(this.findChat(query)));
			case 'GET /v3/chat/message/list':
				return this.listMessages(res, query);
			case 'POST /v3/chat/cancel':
				return this.ok(res, this.cancelChat(this.findChat(data)));
			case 'POST /v3/chat/submit_tool_outputs':
				return await this.submitToolOutputs(res, query, data);
			case 'GET /v1/conversation/retrieve':
				return this.ok(res, this.publicConversation(this.findConversation(query.conversation_id)));
			case 'GET /v1/conversations':
				return this.ok(res, this.conversationPage(query, (c) => this.publicConversation(c)));
			case 'POST /v1/files/upload': {
				const file = this.storeUpload(req.headers['content-type'] ?? '', rawBytes);
				return this.ok(res, { id: file.id, bytes: file.bytes.length, file_name: file.name, created_at: file.createdAt });
			}
			default: {
				const clear = /^POST \/v1\/conversations\/(\d+)\/clear$/.exec(route);
				if (clear) return this.ok(res, this.clearContext(clear[1]));
				return this.json(res, 404, { code: 4200, msg: `no route ${route}` });
			}
		}
	}

	/** Core: a new conversation (bot_id, meta_data, name, messages as the cloud takes them). */
	createConversation(data: Record<string, unknown>): ConversationRecord {
		const conversation: ConversationRecord = {
			id: newId(),
			botId: typeof data.bot_id === 'string' ? data.bot_id : undefined,
			sectionId: newId(),
			createdAt: Math.floor(Date.now() / 1000),
			metaData: (data.meta_data as Record<string, string>) ?? {},
			name: typeof data.name === 'string' ? data.name : undefined,
			messages: ((data.messages as Array<{ role: string; content: string }>) ?? []).map((m) => ({
				role: m.role,
				content: m.content,
			})),
		};
		this.conversations.set(conversation.id, conversation);
		return conversation;
	}

	/** The cloud's conversation object. */
	publicConversation(c: ConversationRecord): Record<string, unknown> {
		return {
			id: c.id,
			created_at: c.createdAt,
			updated_at: c.createdAt,
			meta_data: c.metaData,
			last_section_id: c.sectionId,
			creator_id: '7400000000000009999',
			connector_id: '1024',
			...(c.name ? { name: c.name } : {}),
		};
	}

	/** Core: a conversation by id, or Coze's 4000. */
	findConversation(id: string | undefined): ConversationRecord {
		const conversation = this.conversations.get(id ?? '');
		if (!conversation) throw new EmulatorFault(4000, 'conversation_id is invalid');
		return conversation;
	}

	private async startChat(
		res: http.ServerResponse,
		query: Record<string, string>,
		data: Record<string, unknown>,
	): Promise<void> {
		if ('conversation_id' in data) {
			throw new EmulatorFault(4000, 'conversation_id must be sent as a query parameter, not in the body');
		}
		const stream = data.stream === true;
		const record = this.openChat({ conversationId: query.conversation_id, data, stream, saveHistory: data.auto_save_history !== false });
		if (!stream) {
			// A real create answers while the chat runs: in_progress, and no usage yet.
			return this.ok(res, { ...record.chat, status: 'in_progress', completed_at: undefined, usage: undefined, required_action: undefined });
		}
		await this.writeStream(res, record.transcript);
	}

	/**
	 * Core: starts a chat like POST /v3/chat does (the bot chosen by bot_id picks the scenario) and
	 * returns its record; Coze's rejections are thrown as EmulatorFault.
	 */
	openChat(request: { conversationId?: string; data: Record<string, unknown>; stream: boolean; saveHistory: boolean }): ChatRecord {
		const { data, stream, saveHistory } = request;
		const botId = String(data.bot_id ?? '');
		const scenario = scenariosByBotId[botId] ?? scenarios[this.bots.scenarioOf(botId) ?? ''];
		if (!scenario) {
			throw new EmulatorFault(4200, `Bot ${String(data.bot_id)} is not published to the API channel or does not exist`);
		}
		if (typeof data.user_id !== 'string' || data.user_id === '') throw new EmulatorFault(4000, 'user_id is required');
		if (!stream && !saveHistory) throw new EmulatorFault(4000, 'auto_save_history must be true when stream is false');
		// The version the chat talks to (draft, pinned or published) and its prompt (bots.ts); Coze
		// Studio always talks to the published agent.
		const studio = this.dialect === 'studio';
		const prompt = this.bots.promptFor(botId, studio ? undefined : data.publish_status, studio ? undefined : data.bot_version);
		const messages = (data.additional_messages as Array<{ role: string; content: string; content_type?: string }>) ?? [];
		const last = messages[messages.length - 1];
		const parsed = last ? this.parseUserContent(last) : { text: '', attachments: [] };
		if ('error' in parsed) throw new EmulatorFault(4000, parsed.error);
		const userMessage = parsed.text;
		let conversation: ConversationRecord;
		if (request.conversationId) {
			const existing = this.conversations.get(request.conversationId);
			if (!existing) throw new EmulatorFault(4000, `conversation ${request.conversationId} does not exist`);
			const busy = [...this.chats.values()].some((c) => c.conversation === existing && !this.isOver(c));
			if (busy) throw new EmulatorFault(4016, 'There is an ongoing chat in this conversation. Please wait until it ends.');
			conversation = existing;
		} else {
			conversation = this.createConversation({ bot_id: data.bot_id });
		}
		const transcript = scenario.build({
			chatId: newId(),
			conversationId: conversation.id,
			sectionId: conversation.sectionId,
			botId,
			prompt,
			userMessage,
			history: [...conversation.messages, ...messages.slice(0, -1).map((m) => ({ role: m.role, content: m.content }))],
			createdAt: Math.floor(Date.now() / 1000),
			attachments: parsed.attachments,
			enableCard: data.enable_card === true,
			variables: this.variables.valuesFor(scenario.botId, data.user_id),
			demo: this.demo,
			baseUrl: this.url,
		});
		const totalDelay = transcript.events.reduce((sum, e) => sum + (e.delayMs ?? 0), 0);
		const record: ChatRecord = {
			transcript,
			chat: { ...transcript.finalChat, meta_data: (data.meta_data as Record<string, string>) ?? {} },
			conversation,
			userMessage,
			saveHistory,
			readyAt: Date.now() + totalDelay,
			retrieves: 0,
			pollsBeforeDone: stream && transcript.closeAfterEvents === undefined ? 0 : this.pollsUntilDone,
			canceled: false,
			finished: false,
			createdAt: Math.floor(Date.now() / 1000),
		};
		this.chats.set(record.chat.id, record);
		return record;
	}

	/**
	 * Core: writes a transcript as SSE, honouring its delays and a connection that dies midway.
	 * A dialect passes its own rendering of the events and its own headers.
	 */
	async writeStream(
		res: http.ServerResponse,
		transcript: Transcript,
		dialect: { events?: WireEvent[]; headers?: Record<string, string> } = {},
	): Promise<void> {
		const events = dialect.events ?? transcript.events;
		res.writeHead(
			200,
			dialect.headers ?? {
				'Content-Type': 'text/event-stream; charset=utf-8',
				'Cache-Control': 'no-cache',
				'x-tt-logid': newLogId(),
			},
		);
		this.openStreams++;
		this.maxOpenStreams = Math.max(this.maxOpenStreams, this.openStreams);
		res.on('close', () => {
			this.openStreams--;
			if (!res.writableEnded && transcript.closeAfterEvents === undefined) this.streamsClosedByClient++;
		});
		const texts = renderEventTexts(events, this.framing);
		for (let i = 0; i < texts.length; i++) {
			if (transcript.closeAfterEvents !== undefined && i >= transcript.closeAfterEvents) break;
			const delay = events[i].delayMs;
			if (delay) await sleep(delay);
			if (res.destroyed) return;
			for (const chunk of toChunks(texts[i], this.framing.chunkSize)) res.write(chunk);
		}
		if (transcript.closeAfterEvents !== undefined && transcript.cutMidEvent) {
			const next = texts[transcript.closeAfterEvents] ?? '';
			res.write(next.slice(0, Math.floor(next.length / 2)));
			if (transcript.cutMidEvent === 'eof') return void res.end(); // a clean end of the response
		}
		if (transcript.closeAfterEvents !== undefined) {
			// A connection that dies mid-answer: what was written arrives, then no terminal event,
			// no done, no chunked terminator. Headers and events must leave the socket first.
			res.flushHeaders();
			await new Promise<void>((resolve) => res.write('', () => resolve()));
			await sleep(20);
			res.socket?.destroy();
			return;
		}
		res.end();
	}

	private async submitToolOutputs(
		res: http.ServerResponse,
		query: Record<string, string>,
		data: Record<string, unknown>,
	): Promise<void> {
		if ('conversation_id' in data || 'chat_id' in data) {
			throw new EmulatorFault(4000, 'conversation_id and chat_id must be query parameters');
		}
		const record = this.findChat(query);
		if (record.chat.status !== 'requires_action') {
			throw new EmulatorFault(4000, `chat is not waiting for tool outputs (status ${record.chat.status})`);
		}
		const outputs = (data.tool_outputs as Array<{ tool_call_id: string; output: unknown }>) ?? [];
		const calls = (record.chat.required_action as { submit_tool_outputs: { tool_calls: Array<{ id: string }> } }).submit_tool_outputs.tool_calls;
		const missing = calls.filter((c) => !outputs.some((o) => o.tool_call_id === c.id));
		if (missing.length > 0 || outputs.some((o) => typeof o.output !== 'string')) {
			throw new EmulatorFault(4000, 'tool_outputs must answer every tool call with a string output');
		}
		const submitted = calls.map((c) => outputs.find((o) => o.tool_call_id === c.id)?.output as string);
		record.toolOutputs = [...(record.toolOutputs ?? []), ...submitted];
		const continuation = continuationTranscript(record, submitted, record.transcript.messages, record.toolOutputs);
		record.transcript = continuation;
		record.chat = { ...continuation.finalChat, meta_data: record.chat.meta_data };
		record.readyAt = Date.now();
		record.finished = false;
		if (data.stream !== true) {
			return this.ok(res, { ...record.chat, status: 'in_progress', completed_at: undefined, usage: undefined });
		}
		record.pollsBeforeDone = 0;
		await this.writeStream(res, continuation);
	}

	/** Core: one page of a bot's conversations (GET /v1/conversations), rendered by `render`. */
	conversationPage(
		query: Record<string, string>,
		render: (c: ConversationRecord) => Record<string, unknown>,
	): { conversations: Array<Record<string, unknown>>; has_more: boolean } {
		if (!query.bot_id) throw new EmulatorFault(4000, 'bot_id is required');
		const all = [...this.conversations.values()]
			.filter((c) => c.botId === query.bot_id)
			.sort((a, b) => (query.sort_order === 'ASC' ? 1 : -1) * a.id.localeCompare(b.id));
		const size = Math.min(50, Math.max(1, Number(query.page_size ?? 50)));
		const page = Math.max(1, Number(query.page_num ?? 1));
		const slice = all.slice((page - 1) * size, page * size);
		return { conversations: slice.map(render), has_more: page * size < all.length };
	}

	/** Core: starts a new section of a conversation. */
	clearContext(conversationId: string): { id: string; conversation_id: string } {
		const conversation = this.findConversation(conversationId);
		// Turns that are over belong to the old section, before it is cleared.
		for (const record of this.chats.values()) if (record.conversation === conversation) this.isOver(record);
		conversation.sectionId = newId();
		conversation.messages = []; // earlier turns are no longer context
		return { id: conversation.sectionId, conversation_id: conversation.id };
	}

	/** Core: stores the multipart field `file` of an upload. */
	storeUpload(contentType: string, body: Buffer): { id: string; name: string; bytes: Buffer; createdAt: number } {
		const file = parseMultipart(contentType, body).find((p) => p.name === 'file');
		if (!file || !file.filename) throw new EmulatorFault(4000, "multipart field 'file' with a filename is required");
		const id = newId();
		const stored = { name: file.filename, contentType: file.contentType ?? '', bytes: file.data, createdAt: Math.floor(Date.now() / 1000) };
		this.files.set(id, stored);
		return { id, ...stored };
	}

	/** Checks a user message like Coze does, resolving object_string file ids to uploaded files. */
	private parseUserContent(message: {
		content: string;
		content_type?: string;
	}): { text: string; attachments: Array<{ type: string; name: string }> } | { error: string } {
		if (message.content_type !== 'object_string') return { text: message.content, attachments: [] };
		let items: Array<{ type: string; text?: string; file_id?: string; file_url?: string }>;
		try {
			items = JSON.parse(message.content) as typeof items;
		} catch {
			return { error: 'object_string content must be a JSON-serialized array' };
		}
		if (!Array.isArray(items)) return { error: 'object_string content must be an array' };
		const texts = items.filter((i) => i.type === 'text');
		const files = items.filter((i) => i.type !== 'text');
		if (texts.length > 1) return { error: 'object_string may contain at most one text item' };
		if (texts.length === 1 && files.length === 0) return { error: 'a text item needs at least one file or image; use content_type text' };
		const attachments: Array<{ type: string; name: string }> = [];
		for (const item of files) {
			if (item.file_id) {
				const file = this.files.get(item.file_id);
				if (!file) return { error: `file_id ${item.file_id} does not exist` };
				attachments.push({ type: item.type, name: file.name });
			} else if (item.file_url) {
				attachments.push({ type: item.type, name: item.file_url });
			} else {
				return { error: `${item.type} item needs file_id or file_url` };
			}
		}
		return { text: texts[0]?.text ?? '', attachments };
	}

	/** Core: whether the chat is over on the "server side" (saves the turn the first time). */
	isOver(record: ChatRecord): boolean {
		if (record.canceled) return true;
		if (Date.now() < record.readyAt) return false;
		this.finish(record);
		return true;
	}

	/** Saves the turn in the conversation once, when the chat is over. */
	private finish(record: ChatRecord): void {
		if (record.finished) return;
		record.finished = true;
		if (!record.saveHistory || record.chat.status !== 'completed') return;
		// The question and answers become context, and messages one can get, change, delete and rate.
		this.messages.saveTurn(record);
	}

	/** Core: finishes the conversation's chats that are over (their turns are saved). */
	settle(conversation: ConversationRecord): void {
		for (const record of this.chats.values()) if (record.conversation === conversation) this.isOver(record);
	}

	/** Core: deletes a conversation (its chats go with it). */
	deleteConversation(id: string): void {
		const conversation = this.findConversation(id);
		for (const [chatId, record] of this.chats) if (record.conversation === conversation) this.chats.delete(chatId);
		this.conversations.delete(id);
	}

	/** Core: a chat by its ids (query or body), or Coze's 4000. */
	findChat(ids: Record<string, unknown>): ChatRecord {
		const record = this.chats.get(String(ids.chat_id ?? ''));
		if (!record || record.conversation.id !== ids.conversation_id) {
			throw new EmulatorFault(4000, 'chat_id or conversation_id is invalid');
		}
		if (!record.saveHistory) throw new EmulatorFault(4000, 'the chat was not saved (auto_save_history=false)');
		return record;
	}

	/**
	 * Core: the Chat object as /v3/chat/retrieve shows it now: in_progress for the first polls and
	 * until the transcript has played, then its final state (or the bot's finalStatusByBot).
	 */
	retrieveChat(record: ChatRecord): ChatObject {
		record.retrieves++;
		if (record.canceled) return { ...record.chat, status: 'canceled' };
		if (record.retrieves <= record.pollsBeforeDone || !this.isOver(record)) {
			return { ...record.chat, status: 'in_progress', completed_at: undefined, required_action: undefined };
		}
		const override = this.finalStatusByBot.get(record.chat.bot_id);
		return override ? { ...record.chat, status: override } : record.chat;
	}

	/** Core: the chat's messages once it is over (none before), in transcript order. */
	chatMessages(record: ChatRecord): MessageObject[] {
		return this.isOver(record) ? [...record.transcript.messages] : [];
	}

	private listMessages(res: http.ServerResponse, query: Record<string, string>): void {
		const record = this.findChat(query);
		// A failed chat's list comes without `data` at all (what cozepy #203/#290/#425 ran into).
		if (this.isOver(record) && record.chat.status === 'failed') return this.json(res, 200, { code: 0, msg: '' });
		// Coze lists messages in no useful order; the verbose message comes first, like its docs show.
		const messages = this.chatMessages(record).sort((a, b) => (a.type === 'verbose' ? -1 : b.type === 'verbose' ? 1 : 0));
		this.ok(res, messages);
	}

	/** Core: cancels a chat that is still running; a finished one gives Coze's 4104. */
	cancelChat(record: ChatRecord): ChatObject {
		if (this.isOver(record)) {
			throw new EmulatorFault(4104, `chat cannot be canceled in status ${record.canceled ? 'canceled' : record.chat.status}`);
		}
		record.canceled = true;
		return { ...record.chat, status: 'canceled' };
	}

	/** Answers with Coze's success envelope. */
	ok(res: http.ServerResponse, data: unknown): void {
		this.json(res, 200, { code: 0, msg: '', data });
	}

	/** Answers with a JSON envelope (code, msg, …) plus detail.logid and the x-tt-logid header. */
	json(res: http.ServerResponse, status: number, envelope: Record<string, unknown>): void {
		const logid = newLogId();
		res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'x-tt-logid': logid });
		res.end(JSON.stringify({ ...envelope, detail: { logid } }));
	}
}

const WORKSPACES = [
	{ id: '7400000000000100001', name: 'Personal', workspace_type: 'personal', role_type: 'owner', icon_url: '' },
	{ id: '7400000000000100002', name: 'Team Space', workspace_type: 'team', role_type: 'member', icon_url: '' },
];

function paginate<T>(list: T[], query: Record<string, string>, key: string, totalKey: string): Record<string, unknown> {
	const size = Math.max(1, Number(query.page_size ?? 20));
	const page = Math.max(1, Number(query.page_num ?? 1));
	return { [key]: list.slice((page - 1) * size, page * size), [totalKey]: list.length };
}

async function readBody(req: http.IncomingMessage, throttle?: { pauseMs: number; burstBytes?: number; stop?: boolean }): Promise<Buffer> {
	const chunks: Buffer[] = [];
	if (!throttle) {
		for await (const chunk of req) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks);
	}
	// A reader that takes up to `burstBytes`, then stops reading for `pauseMs`, again and again (or,
	// with `stop`, never reads at all): the client can only send in bursts.
	const burstBytes = throttle.burstBytes ?? 2 * 1024 * 1024;
	await new Promise<void>((resolve, reject) => {
		let inBurst = 0;
		req.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
			inBurst += chunk.length;
			if (inBurst >= burstBytes) req.pause();
		});
		req.once('end', resolve);
		req.once('error', reject);
		req.once('close', resolve);
		req.pause();
		const timer = setInterval(() => {
			if (throttle.stop) return;
			inBurst = 0;
			req.resume();
		}, throttle.pauseMs);
		req.once('close', () => clearInterval(timer));
	});
	return Buffer.concat(chunks);
}

/** The parts of a multipart/form-data body (enough of RFC 7578 for one file field). */
export function parseMultipart(contentType: string, body: Buffer): Array<{ name: string; filename?: string; contentType?: string; data: Buffer }> {
	const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
	if (!boundary) return [];
	const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
	const parts: Array<{ name: string; filename?: string; contentType?: string; data: Buffer }> = [];
	let start = body.indexOf(delimiter);
	while (start >= 0) {
		const next = body.indexOf(delimiter, start + delimiter.length);
		if (next < 0) break;
		const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after delimiter, before next
		const headerEnd = part.indexOf('\r\n\r\n');
		const headers = part.subarray(0, headerEnd).toString('utf8');
		const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
		parts.push({
			name,
			filename: /filename="([^"]*)"/.exec(headers)?.[1],
			contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1],
			data: part.subarray(headerEnd + 4),
		});
		start = next;
	}
	return parts;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<CozeEmulator> {
	return await new CozeEmulator(options).start();
}
