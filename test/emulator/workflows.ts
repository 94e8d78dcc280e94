/**
 * The Coze emulator's workflow module: `/v1/workflow/stream_run`, `/v1/workflow/run` (sync and
 * `is_async`), run histories and `execute_nodes`, `stream_resume` and `/v1/workflows/resume`,
 * chatflows (`/v1/workflows/chat`), the workflow list for the picker, and a Coze Studio flavour
 * (`/v1/workflow/get_run_history`, lowercase event names of builds before PR #2030, plain-text
 * `error` events). Registered on the emulator through its `routes` plug-in point.
 */
import type * as http from 'http';

import { newId, newLogId } from './ids';
import type { CozeEmulator, EmulatorRoute, RouteRequest } from './server';
import { renderEventTexts, toChunks, type WireEvent } from './sse';
import {
	DEFAULT_CONTEXT,
	DEMO_WORKFLOWS,
	outputNodeContents,
	refusedBySyncRun,
	renderStream,
	scenariosByWorkflowId,
	storedEndOutput,
	WORKFLOW_USAGE,
	type RunContext,
	type RunPlan,
	type ScenarioSchema,
	type WorkflowScenario,
} from './workflowScenarios';

export const SPACE_ID = '7498204883280400001';

/** Coze allows this many resumes of one run. */
const MAX_RESUMES = 3;

interface RunRecord {
	executeId: string;
	scenario: WorkflowScenario;
	plan: RunPlan;
	mode: 'sync' | 'stream' | 'async';
	createdAt: number;
	readyAt: number;
	resumes: number;
	/** The event id Coze waits for, while interrupted. */
	pendingEventId?: string;
	interruptType?: number;
	eventCounter: number;
	botId: string;
	/** Times `execute_nodes` was read for this run. */
	nodeReads?: number;
}

interface ChatflowConversation {
	id: string;
	sectionId: string;
	turns: Array<{ user: string; answer: string }>;
	/** The question a question node asked and waits for. */
	pendingQuestion?: string;
}

export interface WorkflowEmulatorOptions {
	/** `cloud` (coze.cn / coze.com) or `studio` (self-hosted Coze Studio). */
	dialect: 'cloud' | 'studio';
	/** Coze Studio before PR #2030: lowercase event names. */
	lowercaseEvents: boolean;
	/** Where Coze cuts the synchronous `/v1/workflow/run` (90 s on the real service). */
	syncLimitMs: number;
	/** Multiplies every pause of a run (slow runs for timeout tests). */
	delayScale: number;
	/**
	 * How long after a run is over `execute_nodes` still says `is_finish: false` (with half of the
	 * node's content), as Coze's answer may while an Output node is still being written.
	 */
	nodeFinishLagMs: number;
	/** How long every read of `execute_nodes` after a run's first takes to answer (a slow server). */
	nodeRereadDelayMs: number;
}

const DEFAULT_OPTIONS: WorkflowEmulatorOptions = { dialect: 'cloud', lowercaseEvents: false, syncLimitMs: 90_000, delayScale: 1, nodeFinishLagMs: 0, nodeRereadDelayMs: 0 };

export class WorkflowEmulator {
	options: WorkflowEmulatorOptions = { ...DEFAULT_OPTIONS };

	/** Workflow streams open right now, the most at once so far, and those the client hung up on. */
	openStreams = 0;

	maxOpenStreams = 0;

	streamsClosedByClient = 0;

	readonly runs = new Map<string, RunRecord>();

	readonly conversations = new Map<string, ChatflowConversation>();

	constructor(private readonly emulator: CozeEmulator) {}

	/** Back to the cloud dialect and default limits (tests share one emulator). */
	reset(): void {
		this.options = { ...DEFAULT_OPTIONS };
		this.maxOpenStreams = 0;
	}

	get studio(): boolean {
		return this.options.dialect === 'studio' || this.emulator.dialect === 'studio';
	}

	readonly route: EmulatorRoute = async (request) => {
		const { method, path } = request;
		const body = (request.body ?? {}) as Record<string, unknown>;
		if (method === 'POST' && path === '/v1/workflow/stream_run') return await this.streamRun(request, body), true;
		if (method === 'POST' && path === '/v1/workflow/run') return await this.run(request, body), true;
		if (method === 'POST' && path === '/v1/workflow/stream_resume') return await this.resume(request, body, true), true;
		if (method === 'POST' && path === '/v1/workflows/resume') {
			if (this.studio) return this.studioUnknownPath(request.res), true;
			return await this.resume(request, body, false), true;
		}
		if (method === 'POST' && path === '/v1/workflows/chat') return await this.chat(request, body), true;
		if (method === 'GET' && path === '/v1/workflow/get_run_history') {
			if (!this.studio) return this.emulator.json(request.res, 404, { code: 4200, msg: `no route GET ${path}` }), true;
			return this.studioHistory(request), true;
		}
		if (method === 'GET' && path === '/v1/workflows') {
			if (this.studio) return this.studioUnknownPath(request.res), true;
			return this.listWorkflows(request), true;
		}
		const info = /^\/v1\/workflows\/(\d+)$/.exec(path);
		if (method === 'GET' && info) return this.workflowInfo(request, info[1]), true;
		const history = /^\/v1\/workflows\/(\d+)\/run_histories\/(\d+)(?:\/execute_nodes\/(\d+))?$/.exec(path);
		if (method === 'GET' && history) {
			if (this.studio) return this.studioUnknownPath(request.res), true;
			return await this.history(request.res, history[1], history[2], history[3]), true;
		}
		return false;
	};

	// ── runs ────────────────────────────────────────────────────────────────────────────

	private start(
		res: http.ServerResponse,
		body: Record<string, unknown>,
		mode: RunRecord['mode'],
	): RunRecord | undefined {
		const scenario = scenariosByWorkflowId[String(body.workflow_id ?? '')];
		if (!scenario) {
			this.emulator.json(res, 200, { code: 4200, msg: `Workflow ${String(body.workflow_id)} does not exist or is not published` });
			return undefined;
		}
		if (body.bot_id !== undefined && body.app_id !== undefined) {
			this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: bot_id and app_id cannot both be set' });
			return undefined;
		}
		const ctx = this.runContext(body);
		if ('error' in ctx) {
			this.emulator.json(res, 200, { code: 4000, msg: ctx.error });
			return undefined;
		}
		// Like Coze (coze-js #102): a missing required input is refused with 4000.
		const missing = Object.entries(scenario.schema?.inputs ?? {}).find(
			([name, input]) => input.required && input.default_value === undefined && [undefined, null, ''].includes(ctx.parameters[name] as never),
		);
		if (missing) {
			this.emulator.json(res, 200, { code: 4000, msg: `Missing required parameter: ${missing[0]}` });
			return undefined;
		}
		const plan = scenario.run(ctx);
		const now = Date.now();
		const record: RunRecord = {
			executeId: newId(),
			scenario,
			plan,
			mode,
			createdAt: now,
			readyAt: now + (plan.durationMs ?? 0) * this.options.delayScale,
			resumes: 0,
			eventCounter: 0,
			botId: typeof body.bot_id === 'string' ? body.bot_id : '0',
		};
		this.runs.set(record.executeId, record);
		return record;
	}

	private runContext(body: Record<string, unknown>): RunContext | { error: string } {
		let parameters: unknown = body.parameters ?? {};
		if (typeof parameters === 'string') {
			try {
				parameters = JSON.parse(parameters) as unknown;
			} catch {
				return { error: 'parameters is not a JSON object' };
			}
		}
		if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
			return { error: 'parameters must be an object' };
		}
		const files: string[] = [];
		for (const value of Object.values(parameters as Record<string, unknown>)) {
			const fileId = typeof value === 'string' && value.startsWith('{') ? (safeParse(value) as { file_id?: string })?.file_id : undefined;
			if (fileId === undefined) continue;
			const file = this.emulator.files.get(fileId);
			if (!file) return { error: `file_id ${fileId} does not exist` };
			files.push(file.name);
		}
		const ext = body.ext as Record<string, unknown> | undefined;
		if (ext && Object.values(ext).some((v) => typeof v !== 'string')) return { error: 'ext values must be strings' };
		return {
			...DEFAULT_CONTEXT,
			parameters: parameters as Record<string, unknown>,
			files,
			ext: ext as Record<string, string> | undefined,
			botId: typeof body.bot_id === 'string' ? body.bot_id : undefined,
			appId: typeof body.app_id === 'string' ? body.app_id : undefined,
			workflowVersion: this.studio ? (body.version as string | undefined) : (body.workflow_version as string | undefined),
			baseUrl: this.emulator.url,
		};
	}

	private async streamRun(request: RouteRequest, body: Record<string, unknown>): Promise<void> {
		const record = this.start(request.res, body, 'stream');
		if (!record) return;
		await this.writeRunStream(request.res, record, record.plan);
	}

	private async writeRunStream(res: http.ServerResponse, record: RunRecord, plan: RunPlan): Promise<void> {
		this.enterPlan(record, plan);
		let events = renderStream(plan, {
			dialect: this.options.dialect,
			lowercaseEvents: this.options.lowercaseEvents,
			executeId: record.executeId,
			workflowId: record.scenario.workflowId,
			debugUrl: this.debugUrl(record),
			interruptEventId: record.pendingEventId,
		});
		let broken = false;
		if (plan.closeAfterEvents !== undefined) {
			events = events.slice(0, plan.closeAfterEvents);
			broken = true;
			if (this.studio) {
				// Coze Studio reports a failure while reading as a lowercase `error`, no id, plain text.
				events.push({ event: 'error', data: 'workflow stream recv failed: context canceled\nexecute interrupted' });
				broken = false;
			}
		}
		if (plan.dropEvent !== undefined) events = events.filter((_, i) => i !== plan.dropEvent);
		await this.writeEvents(res, events, broken);
		// A stream that was written to the end is a run that is over; a broken one goes on until readyAt.
		if (!broken) record.readyAt = Math.min(record.readyAt, Date.now());
	}

	/** Bookkeeping when a plan starts: an interrupt waits for its event id. */
	private enterPlan(record: RunRecord, plan: RunPlan): void {
		record.plan = plan;
		if (plan.ending.kind === 'interrupt') {
			record.eventCounter++;
			record.pendingEventId = `${record.executeId}/${7404830425073352000n + BigInt(record.eventCounter)}`;
			record.interruptType = plan.ending.interrupt.type;
		} else {
			record.pendingEventId = undefined;
			record.interruptType = undefined;
		}
	}

	private async writeEvents(res: http.ServerResponse, events: WireEvent[], breakAfter: boolean): Promise<void> {
		res.writeHead(200, {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-cache',
			'x-tt-logid': newLogId(),
		});
		// SSE servers send the headers at once; the first event may be a while.
		res.flushHeaders();
		this.openStreams++;
		this.maxOpenStreams = Math.max(this.maxOpenStreams, this.openStreams);
		res.on('close', () => {
			this.openStreams--;
			if (!res.writableEnded && !breakAfter) this.streamsClosedByClient++;
		});
		const framing = this.studio ? { ...this.emulator.framing, spaceAfterColon: true } : this.emulator.framing;
		const texts = renderEventTexts(events, framing);
		for (let i = 0; i < texts.length; i++) {
			const delay = (events[i].delayMs ?? 0) * this.options.delayScale;
			if (delay) await sleep(delay);
			if (res.destroyed) return;
			for (const chunk of toChunks(texts[i], framing.chunkSize)) res.write(chunk);
		}
		if (breakAfter) {
			res.flushHeaders();
			await new Promise<void>((resolve) => res.write('', () => resolve()));
			await sleep(20);
			res.socket?.destroy();
			return;
		}
		res.end();
	}

	private async run(request: RouteRequest, body: Record<string, unknown>): Promise<void> {
		const { res } = request;
		const isAsync = body.is_async === true;
		const record = this.start(res, body, isAsync ? 'async' : 'sync');
		if (!record) return;
		if (!isAsync && refusedBySyncRun(record.plan)) {
			this.runs.delete(record.executeId);
			// The real code is not documented; the docs only say such workflows cannot use this API.
			return this.emulator.json(res, 200, {
				code: 4000,
				msg: 'This workflow contains Output nodes or a streaming End node and cannot be run with /v1/workflow/run; use stream_run',
			});
		}
		this.enterPlan(record, record.plan);
		if (isAsync) {
			// The documented async answer: no `code`.
			return this.raw(res, { debug_url: this.debugUrl(record), execute_id: record.executeId, msg: '' });
		}
		await this.answerSync(res, record);
	}

	/** A synchronous answer, cut like Coze cuts it when the run takes longer than the limit. */
	private async answerSync(res: http.ServerResponse, record: RunRecord): Promise<void> {
		const duration = (record.plan.durationMs ?? 0) * this.options.delayScale;
		if (duration > this.options.syncLimitMs) {
			await sleep(this.options.syncLimitMs);
			res.socket?.destroy();
			return;
		}
		if (duration > 0) await sleep(duration);
		const plan = record.plan;
		if (plan.ending.kind === 'error') {
			return this.emulator.json(res, 200, { code: plan.ending.code, msg: plan.ending.message, debug_url: this.debugUrl(record) });
		}
		const answer: Record<string, unknown> = {
			code: 0,
			msg: '',
			data: storedEndOutput(plan),
			debug_url: this.debugUrl(record),
			usage: plan.usage ?? WORKFLOW_USAGE,
		};
		if (plan.ending.kind === 'interrupt') {
			answer.data = '';
			answer.interrupt_data = this.interruptData(record);
			answer.execute_id = record.executeId;
		}
		this.emulator.json(res, 200, answer);
	}

	private interruptData(record: RunRecord): Record<string, unknown> | undefined {
		const ending = record.plan.ending;
		if (ending.kind !== 'interrupt') return undefined;
		const data: Record<string, unknown> = { data: ending.interrupt.data, event_id: record.pendingEventId, type: ending.interrupt.type };
		if (ending.interrupt.requiredParameters) data.required_parameters = ending.interrupt.requiredParameters;
		return data;
	}

	private async resume(request: RouteRequest, body: Record<string, unknown>, stream: boolean): Promise<void> {
		const { res } = request;
		const eventId = String(body.event_id ?? '');
		const record = this.runs.get(eventId.split('/')[0]);
		if (!record || String(body.workflow_id ?? '') !== record.scenario.workflowId) {
			return this.emulator.json(res, 200, { code: 4000, msg: `event_id ${eventId} is invalid for this workflow` });
		}
		if (record.pendingEventId === undefined || record.pendingEventId !== eventId) {
			return this.emulator.json(res, 200, { code: 4000, msg: `The run is not waiting for event ${eventId} (it finished, or a newer interrupt replaced it)` });
		}
		if (Number(body.interrupt_type) !== record.interruptType) {
			return this.emulator.json(res, 200, { code: 4000, msg: `interrupt_type ${String(body.interrupt_type)} does not match the interrupt (${record.interruptType})` });
		}
		if (typeof body.resume_data !== 'string') {
			return this.emulator.json(res, 200, { code: 4000, msg: 'resume_data must be a string' });
		}
		if (record.resumes >= MAX_RESUMES || !record.scenario.resume) {
			return this.emulator.json(res, 200, { code: 4000, msg: `This run was already resumed ${MAX_RESUMES} times` });
		}
		record.resumes++;
		const plan = record.scenario.resume(body.resume_data, record.resumes);
		if (stream) return await this.writeRunStream(res, record, plan);
		this.enterPlan(record, plan);
		if (record.mode === 'async') {
			record.readyAt = Date.now() + (plan.durationMs ?? 0) * this.options.delayScale;
			return this.raw(res, { code: 0, msg: '', execute_id: record.executeId, debug_url: this.debugUrl(record) });
		}
		await this.answerSync(res, record);
	}

	// ── histories ───────────────────────────────────────────────────────────────────────

	private async history(res: http.ServerResponse, workflowId: string, executeId: string, nodeUuid: string | undefined): Promise<void> {
		const record = this.runs.get(executeId);
		if (!record || record.scenario.workflowId !== workflowId) {
			return this.emulator.json(res, 200, { code: 4000, msg: `execute_id ${executeId} does not belong to workflow ${workflowId}` });
		}
		if (nodeUuid !== undefined) {
			const node = outputNodeContents(record.plan).find((n) => n.node.uuid === nodeUuid);
			if (!node) return this.emulator.json(res, 200, { code: 4000, msg: `node_execute_uuid ${nodeUuid} is invalid` });
			record.nodeReads = (record.nodeReads ?? 0) + 1;
			if (record.nodeReads > 1 && this.options.nodeRereadDelayMs > 0) await sleep(this.options.nodeRereadDelayMs);
			const finished = Date.now() >= record.readyAt + this.options.nodeFinishLagMs;
			return this.emulator.ok(res, { is_finish: finished, node_output: finished ? node.content : node.content.slice(0, node.content.length >> 1) });
		}
		this.emulator.ok(res, [this.historyEntry(record)]);
	}

	private historyEntry(record: RunRecord): Record<string, unknown> {
		const plan = record.plan;
		const running = Date.now() < record.readyAt;
		const base: Record<string, unknown> = {
			execute_id: record.executeId,
			bot_id: record.botId,
			connector_id: '1024',
			connector_uid: '7400000000000009999',
			run_mode: { sync: 0, stream: 1, async: 2 }[record.mode],
			logid: newLogId(),
			create_time: Math.floor(record.createdAt / 1000),
			update_time: Math.floor(Date.now() / 1000),
			debug_url: this.debugUrl(record),
			error_code: '',
			error_message: '',
			token: '0',
			cost: '0.00000',
			is_output_trimmed: false,
		};
		if (running) return { ...base, execute_status: 'Running', output: '{"Output":"null"}' };
		if (plan.ending.kind === 'error') {
			return { ...base, execute_status: 'Fail', output: '', error_code: String(plan.ending.code), error_message: plan.ending.message };
		}
		if (plan.ending.kind === 'interrupt') {
			return { ...base, execute_status: 'Running', output: '{"Output":"null"}', interrupt_data: this.interruptData(record) };
		}
		const nodes = outputNodeContents(plan);
		const output: Record<string, string> = { Output: storedEndOutput(plan) };
		if (!plan.trimmed) for (const node of nodes) output[node.node.title] = node.content;
		const statuses: Record<string, unknown> = {};
		for (const node of nodes) {
			statuses[node.node.title] = {
				node_id: node.node.id,
				is_finish: true,
				update_time: Math.floor(record.readyAt / 1000),
				node_execute_uuid: node.node.uuid,
			};
		}
		return {
			...base,
			execute_status: 'Success',
			output: JSON.stringify(output),
			usage: plan.usage ?? WORKFLOW_USAGE,
			token: String((plan.usage ?? WORKFLOW_USAGE).token_count),
			is_output_trimmed: plan.trimmed === true,
			node_execute_status: statuses,
		};
	}

	/** Coze Studio's history: no code/msg, 19-digit ids as JSON numbers, log_id and error_msg. */
	private studioHistory(request: RouteRequest): void {
		const { res, query } = request;
		const record = this.runs.get(query.execute_id ?? '');
		if (!record || record.scenario.workflowId !== query.workflow_id) {
			return this.emulator.json(res, 200, { code: 720702001, msg: 'execution not found' });
		}
		const cloud = this.historyEntry(record);
		// An interrupted run is stored with status 5, which Studio's WorkflowExeStatus.String() does
		// not know: it answers "<UNSET>", and WorkflowExecuteHistory has no interrupt_data field
		// (application/workflow/workflow.go OpenAPIGetWorkflowRunHistory; domain/workflow/entity
		// workflow_execution.go WorkflowInterrupted = 5; api/model/workflow/workflow.go).
		const interrupted = cloud.interrupt_data !== undefined;
		const entry: Record<string, unknown> = {
			execute_status: interrupted ? '<UNSET>' : cloud.execute_status,
			connector_uid: cloud.connector_uid,
			run_mode: cloud.run_mode,
			log_id: cloud.logid,
			create_time: cloud.create_time,
			update_time: cloud.update_time,
			debug_url: cloud.debug_url,
			input: '{}',
			output: interrupted ? null : cloud.output,
			cost: '0.00000',
			error_code: cloud.error_code,
			error_msg: cloud.error_message,
		};
		// Numbers written by hand: JSON.stringify cannot write a 19-digit integer exactly.
		const numbers = `"execute_id":${record.executeId},"bot_id":${record.botId === '0' ? 0 : record.botId},"connector_id":1024,"token":${Number(cloud.token)}`;
		const text = `{"data":[{${numbers},${JSON.stringify(entry).slice(1, -1)}}],"BaseResp":null}`;
		res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'x-tt-logid': newLogId() });
		res.end(text);
	}

	// ── chatflows ───────────────────────────────────────────────────────────────────────

	private async chat(request: RouteRequest, body: Record<string, unknown>): Promise<void> {
		const { res, query } = request;
		if (query.conversation_id !== undefined) {
			return this.emulator.json(res, 200, { code: 4000, msg: 'conversation_id belongs in the request body for /v1/workflows/chat' });
		}
		const flow = CHATFLOWS[String(body.workflow_id ?? '')];
		if (!flow) return this.emulator.json(res, 200, { code: 4200, msg: `Chatflow ${String(body.workflow_id)} does not exist or is not published` });
		if ((body.bot_id === undefined) === (body.app_id === undefined)) {
			return this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: set exactly one of bot_id and app_id' });
		}
		const messages = (body.additional_messages as Array<{ role: string; content: string; content_type?: string }>) ?? [];
		const last = messages[messages.length - 1];
		if (!last || last.role !== 'user') return this.emulator.json(res, 200, { code: 4000, msg: 'additional_messages must end with a user message' });
		if (messages.some((m) => (m.content_type ?? 'text') !== 'text')) {
			return this.emulator.json(res, 200, { code: 4000, msg: 'Chatflow messages must be plain text (content_type text)' });
		}
		let conversation: ChatflowConversation;
		if (body.conversation_id !== undefined) {
			const existing = this.conversations.get(String(body.conversation_id));
			if (!existing) return this.emulator.json(res, 200, { code: 4000, msg: `conversation ${String(body.conversation_id)} does not exist` });
			conversation = existing;
		} else {
			conversation = { id: newId(), sectionId: newId(), turns: [] };
			this.conversations.set(conversation.id, conversation);
		}
		const chatId = newId();
		const executeId = newId();
		const debugUrl = `https://www.coze.cn/work_flow?execute_id=${executeId}&space_id=${SPACE_ID}&workflow_id=${String(body.workflow_id)}`;
		const turn = flow(conversation, last.content, body.parameters as Record<string, unknown> | undefined);
		const chat = { id: chatId, conversation_id: conversation.id, section_id: conversation.sectionId, created_at: Math.floor(Date.now() / 1000) };
		const message = (type: string, content: string) => ({
			id: newId(),
			conversation_id: conversation.id,
			role: 'assistant',
			type,
			content,
			content_type: 'text',
			chat_id: chatId,
			section_id: conversation.sectionId,
		});
		const events: WireEvent[] = [
			{ event: 'conversation.chat.created', data: { ...chat, last_error: { code: 0, msg: '' }, status: 'created', usage: { token_count: 0, output_count: 0, input_count: 0 } } },
			{ event: 'conversation.chat.in_progress', data: { ...chat, last_error: { code: 0, msg: '' }, status: 'in_progress', usage: { token_count: 0, output_count: 0, input_count: 0 } } },
		];
		const answer = message('answer', turn.answer.join(''));
		for (const piece of turn.answer) events.push({ event: 'conversation.message.delta', data: { ...answer, content: piece } });
		events.push({ event: 'conversation.message.completed', data: { ...answer, created_at: chat.created_at } });
		const verbose = (msgType: string, data: string) =>
			({ event: 'conversation.message.completed', data: message('verbose', JSON.stringify({ msg_type: msgType, data, from_module: null, from_unit: null })) }) as WireEvent;
		if (turn.asks) {
			conversation.pendingQuestion = turn.answer.join('');
			if (this.studio) {
				// Coze Studio: requires_action (no required_action payload), then done.
				events.push({ event: 'conversation.chat.requires_action', data: { ...chat, status: 'requires_action', execute_id: executeId } });
			} else {
				// Coze docs workflow_chat: a verbose `interrupt`, the finish packet with reason 1, done.
				events.push(verbose('interrupt', ''), verbose('generate_answer_finish', '{"finish_reason":1,"FinData":""}'));
			}
		} else {
			conversation.pendingQuestion = undefined;
			events.push(
				verbose('generate_answer_finish', '{"finish_reason":0,"FinData":""}'),
				{ event: 'conversation.chat.completed', data: { ...chat, completed_at: chat.created_at + 1, last_error: { code: 0, msg: '' }, status: 'completed', usage: { token_count: 32, output_count: 11, input_count: 21 } } },
			);
		}
		conversation.turns.push({ user: last.content, answer: turn.answer.join('') });
		events.push({ event: 'done', data: { debug_url: debugUrl } });
		const framing = { ...this.emulator.framing, spaceAfterColon: true };
		res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'x-tt-logid': newLogId() });
		for (const text of renderEventTexts(events, framing)) {
			for (const chunk of toChunks(text, framing.chunkSize)) res.write(chunk);
		}
		res.end();
	}

	// ── misc ───────────────────────────────────────────────────────────────────────────

	/**
	 * Get workflow info. Cloud: workflow_detail, and with include_input_output the schema (a
	 * scenario without one answers like an older workflow: no `input`). Coze Studio
	 * (backend/application/workflow/workflow.go): a chatflow's role without `code`, a workflow 777777780.
	 */
	private workflowInfo(request: RouteRequest, workflowId: string): void {
		const { res, query } = request;
		const scenario = scenariosByWorkflowId[workflowId];
		const chatflow = CHATFLOWS[workflowId] !== undefined;
		if (this.studio) {
			if (chatflow) return this.json200(res, { data: { role: { name: CHATFLOW_NAMES[workflowId] } }, BaseResp: null });
			return this.emulator.json(res, 200, { code: 777777780, msg: 'ChatFlowRole operation failure: workflow is not a chatflow' });
		}
		if (!scenario && !chatflow) return this.emulator.json(res, 200, { code: 4200, msg: `Workflow ${workflowId} does not exist or is not published` });
		const schema = scenario ? scenario.schema : CHATFLOW_SCHEMAS[workflowId];
		const detail = {
			workflow_id: workflowId,
			workflow_name: scenario ? scenario.title : CHATFLOW_NAMES[workflowId],
			description: schema?.description ?? `Emulator ${chatflow ? 'chatflow' : 'workflow'}`,
			icon_url: '',
			app_id: '0',
			creator: { id: '4424679200000', name: 'Emulator' },
			created_at: 1747888248,
			updated_at: 1747983675,
		};
		const data: Record<string, unknown> = { workflow_detail: detail };
		if (String(query.include_input_output) === 'true' && schema) {
			data.input = { parameters: schema.inputs };
			data.output = { parameters: schema.outputs, terminate_plan: schema.terminatePlan, ...(schema.content ? { content: schema.content } : {}) };
		}
		this.emulator.ok(res, data);
	}

	private json200(res: http.ServerResponse, body: Record<string, unknown>): void {
		res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'X-Log-ID': newLogId() });
		res.end(JSON.stringify(body));
	}

	private listWorkflows(request: RouteRequest): void {
		const { res, query } = request;
		if (!query.workspace_id) return this.emulator.json(res, 200, { code: 4000, msg: 'workspace_id is required' });
		const all = [
			...Object.values(scenariosByWorkflowId)
				.filter((s) => !this.emulator.demo || DEMO_WORKFLOWS.has(s.name))
				.map((s) => ({ id: s.workflowId, name: s.title, mode: 'workflow' })),
			...Object.keys(CHATFLOWS).map((id) => ({ id, name: CHATFLOW_NAMES[id], mode: 'chatflow' })),
		].filter((w) => !query.workflow_mode || w.mode === query.workflow_mode);
		const size = Math.max(1, Number(query.page_size ?? 20));
		const page = Math.max(1, Number(query.page_num ?? 1));
		const items = all.slice((page - 1) * size, page * size).map((w) => ({
			workflow_id: w.id,
			workflow_name: w.name,
			description: `Emulator ${w.mode}`,
			icon_url: '',
			app_id: '0',
		}));
		this.emulator.ok(res, { items, has_more: page * size < all.length });
	}

	/** What Coze Studio answers for an OpenAPI path it does not have (session auth). */
	private studioUnknownPath(res: http.ServerResponse): void {
		res.writeHead(401, { 'Content-Type': 'application/json; charset=utf-8' });
		res.end(JSON.stringify({ code: 401, msg: 'missing session_key in cookie' }));
	}

	/** A JSON answer written exactly as given (for answers without `code`). */
	private raw(res: http.ServerResponse, body: Record<string, unknown>): void {
		const logid = newLogId();
		res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'x-tt-logid': logid });
		res.end(JSON.stringify({ ...body, detail: { logid } }));
	}

	private debugUrl(record: RunRecord): string {
		return `https://www.coze.cn/work_flow?execute_id=${record.executeId}&space_id=${SPACE_ID}&workflow_id=${record.scenario.workflowId}`;
	}
}

interface ChatflowTurn {
	answer: string[];
	/** The turn ends at a question node. */
	asks?: boolean;
}

type Chatflow = (conversation: ChatflowConversation, userMessage: string, parameters: Record<string, unknown> | undefined) => ChatflowTurn;

export const CHATFLOW_IDS = { echo: '7500000000000000101', question: '7500000000000000102' };

const CHATFLOW_NAMES: Record<string, string> = {
	[CHATFLOW_IDS.echo]: 'Echo chatflow',
	[CHATFLOW_IDS.question]: 'Weather chatflow with a question node',
};

/** The echo chatflow's inputs: the system ones every chatflow has, and an optional tone. */
const CHATFLOW_SCHEMAS: Record<string, ScenarioSchema | undefined> = {
	[CHATFLOW_IDS.echo]: {
		description: 'Repeats what was said, turn by turn',
		inputs: {
			USER_INPUT: { type: 'string', required: false },
			CONVERSATION_NAME: { type: 'string', required: false, description: '', default_value: '' },
			tone: { type: 'string', required: false, description: 'How to answer, e.g. cheerful' },
		},
		outputs: {},
		terminatePlan: 'use_answer_content',
		content: '{{output}}',
	},
};

const CHATFLOWS: Record<string, Chatflow> = {
	// Remembers the conversation: turn n repeats what was said before.
	[CHATFLOW_IDS.echo]: (conversation, text, parameters) => {
		const before = conversation.turns[conversation.turns.length - 1];
		const tone = typeof parameters?.tone === 'string' ? ` (${parameters.tone})` : '';
		const answer = `Turn ${conversation.turns.length + 1}${tone}: you said "${text}".` + (before ? ` Before that: "${before.user}".` : '');
		return { answer: answer.match(/.{1,12}/gsu) ?? [answer] };
	},
	// Asks for the city first (a question node), answers once it has one.
	[CHATFLOW_IDS.question]: (conversation, text) => {
		if (conversation.pendingQuestion === undefined && !/in \w+/.test(text)) return { answer: ['Which city', '?'], asks: true };
		return { answer: [`Sunny in ${text.replace(/^.*in /, '')}`, ', 24°C.'] };
	},
};

function safeParse(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
