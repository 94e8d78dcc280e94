/**
 * The self-hosted Coze Studio dialect of the emulator (`startEmulator({ dialect: 'studio' })`),
 * written from coze-dev/coze-studio 4f786d6 (backend/…):
 *
 * - Routes: only Studio's Open API (api/router/coze/api.go). Auth (api/middleware): a path in the
 *   Open API list (openapi_auth.go needAuthPath/needAuthFunc) checks the bearer key and answers a bad
 *   or missing one with HTTP 200 `{"code":700012006,…}`; any other path (/v1/users/me, /v1/workspaces,
 *   GET /v1/bots, /v3/chat/submit_tool_outputs, …) falls to the web-session check (session.go) and
 *   answers HTTP 401 `{"code":401,"msg":"missing session_key in cookie"}` whatever the token.
 * - Envelopes: chat message lists under `Messages` (omitted when empty), cancel as
 *   `{"ChatV3ChatDetail":…,"BaseResp":null}` without `code`, conversation retrieve under
 *   `ConversationData`; `BaseResp` on most answers.
 * - Errors: bind errors HTTP 400 `{"code":400,"msg":…}` (handler/coze/base.go); service errors as
 *   `code=<n> message=<m>\nstack=<Go stack>` inside that message, or HTTP 500 text/plain from
 *   /v3/chat/retrieve (agent_run_service.go RetrieveChatOpen); an unknown bot on a stream as an SSE
 *   `error` event (103100001 wrapping 103100002).
 * - SSE (hertz-contrib/sse v0.1.0): `event:x\ndata:y\n\n`, Content-Type `text/event-stream`, no
 *   x-tt-logid (Studio sends X-Log-ID); chat events without usage / last_error / required_action,
 *   `completed_at:0` and `failed_at:0` until set (message_builder.go buildSendRunRecord); messages
 *   always with `created_at` and `reasoning_content`; reasoning as deltas of the answer message;
 *   function_call content as an eino ToolCall; `conversation.stream.done` with empty data; Go's
 *   JSON escaping of & < >. Failures: StepToFailed sends only `error`; a model error inside the turn
 *   sends `error`, then chat.completed and stream.done (singleagent_run.go, run.go).
 * - Statuses `cancelled`, and whatever finalStatusByBot sets (`required_action`, `expired`, `deleted`).
 */
import { randomUUID } from 'crypto';
import type * as http from 'http';

import type { ChatObject, MessageObject, Transcript } from './scenarios';
import { EMULATOR_TOKEN, EmulatorFault, type ChatRecord, type ConversationRecord, type CozeEmulator, type RouteRequest } from './server';
import type { WireEvent } from './sse';

/** Exact paths Studio authenticates with an API key (openapi_auth.go needAuthPath). */
const OPENAPI_PATHS = new Set([
	'/v3/chat',
	'/v1/conversations',
	'/v1/conversation/create',
	'/v1/conversation/message/list',
	'/v1/files/upload',
	'/v1/workflow/run',
	'/v1/workflow/stream_run',
	'/v1/workflow/stream_resume',
	'/v1/workflow/get_run_history',
	'/v1/bot/get_online_info',
	'/v1/workflows/chat',
	'/v1/workflow/conversation/create',
	'/v3/chat/cancel',
	'/v1/conversation/retrieve',
	'/v3/chat/retrieve',
	'/v3/chat/message/list',
	'/open_api/knowledge/document/delete',
	'/open_api/knowledge/document/create',
	'/open_api/knowledge/document/update',
	'/open_api/knowledge/document/list',
	'/v1/datasets',
]);

/** Path patterns Studio authenticates with an API key (openapi_auth.go needAuthFunc). */
const OPENAPI_PATTERNS = [
	/^\/v1\/conversations\/[0-9]+\/clear$/,
	/^\/v1\/bots\/[0-9]+$/,
	/^\/v1\/conversations\/[0-9]+$/,
	/^\/v1\/workflows\/[0-9]+$/,
	/^\/v1\/apps\/[0-9]+$/,
	/^\/v1\/datasets\/[0-9]+$/,
	/^\/v1\/datasets\/[0-9]+\/images$/,
	/^\/v1\/datasets\/[0-9]+\/process$/,
];

/** Studio's codes (types/errno). */
export const STUDIO_CODES = {
	authenticationFailed: 700012006,
	agentRunError: 103100001,
	agentNotExists: 103100002,
	agentRun: 103200002,
	recordNotFound: 103200003,
	cannotCancel: 103200005,
	conversationNotFound: 103000002,
};

/** Registers the dialect: one public route that answers every request the way Studio would. */
export function installStudioDialect(emulator: CozeEmulator): void {
	emulator.publicRoutes.push(async (request) => {
		await handle(request, emulator);
		return true;
	});
}

function isOpenApiPath(path: string): boolean {
	return OPENAPI_PATHS.has(path) || OPENAPI_PATTERNS.some((pattern) => pattern.test(path));
}

async function handle(request: RouteRequest, emulator: CozeEmulator): Promise<void> {
	const { res, method, path } = request;
	if (!isOpenApiPath(path)) {
		// Web API auth (session.go): no session cookie → 401, before any routing.
		return send(res, 401, { code: 401, msg: 'missing session_key in cookie' });
	}
	const header = request.req.headers.authorization ?? '';
	if (header === '') return authFailure(res, 'missing authorization in header');
	const parts = header.split('Bearer');
	const key = parts.length === 2 ? parts[1].trim() : '';
	if (key === '') return authFailure(res, 'missing api_key in request');
	if (key !== EMULATOR_TOKEN && !emulator.tokenCheckers.some((check) => check(key))) return authFailure(res, 'api key invalid');

	const route = `${method} ${path}`;
	try {
		switch (route) {
			case 'POST /v3/chat':
				return await chat(request, emulator);
			case 'GET /v3/chat/retrieve':
				return retrieve(request, emulator);
			case 'GET /v3/chat/message/list':
				return listMessages(request, emulator);
			case 'POST /v3/chat/cancel':
				return cancel(request, emulator);
			case 'POST /v1/conversation/create':
				return createConversation(request, emulator);
			case 'GET /v1/conversation/retrieve':
				return retrieveConversation(request, emulator);
			case 'GET /v1/conversations':
				return listConversations(request, emulator);
			case 'POST /v1/files/upload':
				return upload(request, emulator);
			default: {
				const clear = /^POST \/v1\/conversations\/(\d+)\/clear$/.exec(route);
				if (clear) return ok(res, { code: 0, msg: '', data: emulator.clearContext(clear[1]), BaseResp: null });
				// Feature modules (workflows, …) plug their Open API routes in as for the cloud; they
				// can tell the dialect by `emulator.dialect`.
				for (const extra of emulator.routes) if (await extra(request, emulator)) return;
				// An Open API path without this method: Studio's NoRoute (router/register.go).
				return send(res, 404, { code: 404, msg: 'not found' });
			}
		}
	} catch (error) {
		if (!(error instanceof EmulatorFault)) throw error;
		// internalServerErrorResponse: a coded error is HTTP 200 {code,msg}.
		return send(res, 200, { code: error.code, msg: error.msg });
	}
}

function authFailure(res: http.ServerResponse, reason: string): void {
	send(res, 200, { code: STUDIO_CODES.authenticationFailed, msg: `authentication failed: ${reason}` });
}

/** HTTP 400 as Studio's handlers answer bind and service errors (httputil.BadRequest). */
function badRequest(res: http.ServerResponse, msg: string): void {
	send(res, 400, { code: 400, msg });
}

/** errorx's Error(): `code=<n> message=<m>` and a Go stack, as Studio puts it into messages. */
export function goError(code: number, message: string): string {
	return `code=${code} message=${message}\nstack=goroutine 1 [running]:\ngithub.com/coze-dev/coze-studio/backend/pkg/errorx/internal.NewByCode(...)\n\t/app/backend/pkg/errorx/internal/status.go:121 +0x45`;
}

/** Roughly the wording of hertz's binding error for a missing required field. */
function missing(field: string): string {
	return `'${field}' field is a 'required' parameter, but the request does not have this parameter`;
}

async function chat(request: RouteRequest, emulator: CozeEmulator): Promise<void> {
	const { res, query } = request;
	const data = (request.body ?? {}) as Record<string, unknown>;
	if (typeof data.parameters === 'string') return badRequest(res, 'parameters field should be an object, not a string');
	if (data.bot_id === undefined) return badRequest(res, missing('bot_id'));
	if (typeof data.bot_id !== 'string' || !/^\d+$/.test(data.bot_id)) return badRequest(res, `bot_id: invalid value ${JSON.stringify(data.bot_id)}`);
	if (data.user_id === undefined) return badRequest(res, missing('user_id'));
	// `stream` streams when absent; auto_save_history is ignored (every turn is saved); the
	// conversation id binds only from the query (its JSON key is ConversationID).
	const stream = data.stream !== false;
	let record: ChatRecord;
	try {
		record = emulator.openChat({ conversationId: query.conversation_id, data, stream, saveHistory: true });
	} catch (error) {
		if (!(error instanceof EmulatorFault)) throw error;
		const code = error.code === 4200 ? STUDIO_CODES.agentNotExists : error.code;
		const message = error.code === 4200 ? 'agent not exists' : error.msg;
		if (!stream) return badRequest(res, goError(code, message));
		// The stream has started (HTTP 200, text/event-stream) when the agent check fails.
		res.writeHead(200, sseHeaders());
		res.end(renderSse([{ event: 'error', data: { code: STUDIO_CODES.agentRunError, msg: goError(code, message) } }]));
		return;
	}
	if (!stream) {
		// OpenapiAgentRunSync answers with the chat as its `created` event showed it.
		return ok(res, { data: studioChat({ ...record.chat, status: 'created' }), code: 0, msg: '', BaseResp: null });
	}
	await emulator.writeStream(res, record.transcript, { events: studioEvents(record.transcript, record), headers: sseHeaders() });
}

function bindChatIds(request: RouteRequest, source: Record<string, unknown>): { conversation_id: string; chat_id: string } | undefined {
	for (const field of ['conversation_id', 'chat_id']) {
		const value = source[field];
		if (value === undefined || value === '') {
			badRequest(request.res, missing(field));
			return undefined;
		}
		if (!/^\d+$/.test(String(value))) {
			badRequest(request.res, `${field}: invalid value ${JSON.stringify(value)}`);
			return undefined;
		}
	}
	return { conversation_id: String(source.conversation_id), chat_id: String(source.chat_id) };
}

function findRecord(emulator: CozeEmulator, ids: { conversation_id: string; chat_id: string }): ChatRecord | undefined {
	try {
		return emulator.findChat(ids);
	} catch (error) {
		if (error instanceof EmulatorFault) return undefined;
		throw error;
	}
}

function retrieve(request: RouteRequest, emulator: CozeEmulator): void {
	const ids = bindChatIds(request, request.query);
	if (!ids) return;
	const record = findRecord(emulator, ids);
	if (!record) {
		// RetrieveChatOpen answers service errors as text/plain HTTP 500.
		request.res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Log-ID': randomUUID() });
		request.res.end(goError(STUDIO_CODES.recordNotFound, 'record not found or nothing to update'));
		return;
	}
	const view = emulator.retrieveChat(record);
	ok(request.res, { data: studioChat(view, { withUsage: true }), code: 0, msg: '', BaseResp: null });
}

function listMessages(request: RouteRequest, emulator: CozeEmulator): void {
	const ids = bindChatIds(request, request.query);
	if (!ids) return;
	const record = findRecord(emulator, ids);
	if (!record) return send(request.res, 200, { code: STUDIO_CODES.conversationNotFound, msg: 'conversation not found' });
	const messages = emulator.isOver(record) ? studioMessageList(record) : [];
	// `Messages` is omitempty: an empty list leaves the key out.
	ok(request.res, { ...(messages.length > 0 ? { Messages: messages } : {}), code: 0, msg: '', BaseResp: null });
}

function cancel(request: RouteRequest, emulator: CozeEmulator): void {
	const ids = bindChatIds(request, (request.body ?? {}) as Record<string, unknown>);
	if (!ids) return;
	const record = findRecord(emulator, ids);
	if (!record) return badRequest(request.res, goError(STUDIO_CODES.recordNotFound, 'record not found or nothing to update'));
	let chatObject: ChatObject;
	try {
		chatObject = emulator.cancelChat(record);
	} catch (error) {
		if (!(error instanceof EmulatorFault)) throw error;
		return badRequest(request.res, goError(STUDIO_CODES.cannotCancel, 'in progress can not be cancelled'));
	}
	// No code, no msg: CancelChatApiResponse has only these two fields.
	ok(request.res, { ChatV3ChatDetail: studioChat(chatObject), BaseResp: null });
}

function studioConversation(c: ConversationRecord): Record<string, unknown> {
	return {
		id: c.id,
		created_at: c.createdAt,
		meta_data: c.metaData,
		creator_d: '7400000000000009999',
		connector_id: '1024',
		last_section_id: c.sectionId,
	};
}

function createConversation(request: RouteRequest, emulator: CozeEmulator): void {
	const data = (request.body ?? {}) as Record<string, unknown>;
	// CreateConversationRequest has meta_data, bot_id, connector_id, user_id: name and messages are dropped.
	const conversation = emulator.createConversation({ bot_id: data.bot_id, meta_data: data.meta_data });
	ok(request.res, { code: 0, msg: '', data: studioConversation(conversation) });
}

function retrieveConversation(request: RouteRequest, emulator: CozeEmulator): void {
	const id = request.query.conversation_id;
	if (!id) return badRequest(request.res, missing('conversation_id'));
	let conversation: ConversationRecord;
	try {
		conversation = emulator.findConversation(id);
	} catch (error) {
		if (!(error instanceof EmulatorFault)) throw error;
		return send(request.res, 200, { code: STUDIO_CODES.conversationNotFound, msg: 'conversation not found' });
	}
	ok(request.res, { ConversationData: studioConversation(conversation), code: 0, msg: '', BaseResp: null });
}

function listConversations(request: RouteRequest, emulator: CozeEmulator): void {
	if (!request.query.bot_id) return badRequest(request.res, missing('bot_id'));
	const page = emulator.conversationPage(request.query, studioConversation);
	ok(request.res, { code: 0, msg: '', data: page, BaseResp: null });
}

function upload(request: RouteRequest, emulator: CozeEmulator): void {
	const file = emulator.storeUpload(request.req.headers['content-type'] ?? '', request.rawBytes);
	ok(request.res, {
		data: {
			// Studio's object name (upload/icon.go genObjName): bot_files/<uuid>/<file name>.
			uri: `bot_files/${file.id}/${file.name}`,
			bytes: file.bytes.length,
			CreatedAt: file.createdAt,
			file_name: file.name,
			url: `http://127.0.0.1/files/${file.id}`,
			id: file.id,
		},
		code: 0,
		msg: '',
		BaseResp: null,
	});
}

/** Studio's ChatV3ChatDetail: no last_error / required_action; usage only where the handler sets it. */
export function studioChat(chat: Partial<ChatObject>, options: { withUsage?: boolean } = {}): Record<string, unknown> {
	const status = chat.status === 'canceled' ? 'cancelled' : chat.status;
	const out: Record<string, unknown> = {
		id: chat.id,
		conversation_id: chat.conversation_id,
		bot_id: chat.bot_id,
		created_at: chat.created_at,
		completed_at: status === 'completed' ? (chat.completed_at ?? 0) : 0,
		failed_at: status === 'failed' ? (chat.failed_at ?? 0) : 0,
		status,
	};
	if (options.withUsage && status === 'completed' && chat.usage) out.usage = chat.usage;
	out.section_id = chat.section_id;
	return out;
}

/** eino's ToolCall, as Studio stores a function_call message's content. */
function einoToolCall(content: string, id: string): string {
	let call: { name?: string; arguments?: unknown } = {};
	try {
		call = JSON.parse(content) as typeof call;
	} catch {
		// keep the empty call
	}
	const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
	return JSON.stringify({ index: 0, id: `call_${id.slice(-12)}`, type: 'function', function: { name: call.name ?? '', arguments: args } });
}

/** Studio's ChatV3MessageDetail. */
function studioMessage(message: Partial<MessageObject>, createdAt: number): Record<string, unknown> {
	const content = message.type === 'function_call' ? einoToolCall(message.content ?? '', message.id ?? '') : message.content;
	return {
		id: message.id,
		conversation_id: message.conversation_id,
		bot_id: message.bot_id,
		role: message.role,
		type: message.type,
		content,
		content_type: message.content_type,
		chat_id: message.chat_id,
		section_id: message.section_id,
		created_at: createdAt,
		reasoning_content: message.reasoning_content ?? '',
	};
}

/** The transcript as Studio's /v3/chat stream carries it. */
export function studioEvents(transcript: Transcript, record: Pick<ChatRecord, 'chat' | 'createdAt'>): WireEvent[] {
	const events: WireEvent[] = [];
	let failedAs: 'stepToFailed' | 'modelError' | undefined;
	for (const event of transcript.events) {
		const data = event.data as Record<string, unknown>;
		switch (event.event) {
			case 'conversation.chat.created':
			case 'conversation.chat.in_progress':
			case 'conversation.chat.completed':
				events.push({ event: event.event, data: studioChat(data as Partial<ChatObject>), delayMs: event.delayMs });
				break;
			case 'conversation.message.delta':
			case 'conversation.message.completed': {
				const message = studioMessage(data as Partial<MessageObject>, record.createdAt);
				// The completed answer goes out before Studio saves the reasoning (saveReasoningContent).
				if (event.event === 'conversation.message.completed' && data.type === 'answer') message.reasoning_content = '';
				events.push({ event: event.event, data: message, delayMs: event.delayMs });
				break;
			}
			case 'conversation.chat.failed': {
				// StepToFailed: only an error event, no chat.failed, no done.
				const lastError = (data.last_error ?? data) as { msg?: string };
				events.push({ event: 'error', data: { code: STUDIO_CODES.agentRunError, msg: lastError.msg || 'Internal Server Error' } });
				failedAs = 'stepToFailed';
				break;
			}
			case 'error': {
				// A model error inside the turn: error, then the chat still completes (D7).
				const msg = typeof data.msg === 'string' && data.msg ? data.msg : 'Internal Server Error';
				events.push({ event: 'error', data: { code: STUDIO_CODES.agentRun, msg } });
				events.push({ event: 'conversation.chat.completed', data: studioChat({ ...record.chat, status: 'completed', completed_at: record.chat.created_at + 1 }) });
				events.push({ event: 'conversation.stream.done', data: '' });
				failedAs = 'modelError';
				break;
			}
			case 'done':
				if (!failedAs) events.push({ event: 'conversation.stream.done', data: '' });
				break;
			// requires_action, audio deltas and anything else: Studio's pullStream never forwards them.
			default:
				break;
		}
		if (failedAs) break;
	}
	return events.map((e) => ({ ...e, data: typeof e.data === 'string' ? e.data : goJson(e.data) }));
}

/** /v3/chat/message/list on Studio: the question first, then the turn's messages, oldest first. */
export function studioMessageList(record: Pick<ChatRecord, 'chat' | 'transcript' | 'userMessage' | 'createdAt'>): Array<Record<string, unknown>> {
	const chat = record.chat;
	const question = {
		id: `${BigInt(chat.id) + 1n}`,
		conversation_id: chat.conversation_id,
		bot_id: chat.bot_id,
		role: 'user',
		type: 'question',
		content: record.userMessage,
		content_type: 'text',
		chat_id: chat.id,
		section_id: chat.section_id,
	};
	return [question, ...record.transcript.messages].map((m) => studioMessage(m, record.createdAt));
}

/** JSON as Go's encoding/json writes it: &, <, > (and U+2028/2029) escaped. */
export function goJson(value: unknown): string {
	return JSON.stringify(value).replace(/[&<>\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sseHeaders(): Record<string, string> {
	return { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', 'X-Log-ID': randomUUID() };
}

function renderSse(events: WireEvent[]): string {
	return events.map((e) => `event:${e.event}\ndata:${typeof e.data === 'string' ? e.data : goJson(e.data)}\n\n`).join('');
}

function ok(res: http.ServerResponse, body: Record<string, unknown>): void {
	send(res, 200, body);
}

function send(res: http.ServerResponse, status: number, body: Record<string, unknown>): void {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Log-ID': randomUUID() });
	res.end(goJson(body));
}
