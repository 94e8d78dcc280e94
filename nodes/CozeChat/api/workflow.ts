/**
 * Coze's workflow API: runs (stream, synchronous, async), resumes, chatflow turns, run histories and
 * their node outputs, and the workflow list. The one place that knows these endpoint paths; Coze
 * Studio's variants (its run history path, its `version` field) are chosen here too.
 */
import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import { CozeApiError, TransportError } from '../core/errors';
import { pollUntil } from '../core/polling';
import { isObject, normalizeHistory, type WorkflowHistory } from '../core/workflowDecode';
import { parseWorkflowSchema, type WorkflowSchema } from '../core/workflowSchema';
import type { StreamHandler, StreamOutcome } from '../transport/stream';
import type { CozeHttp, Envelope } from './http';

export type RunMode = 'stream' | 'sync' | 'async';

/** Where a run (or a resume) of each mode is sent. */
export function runPath(mode: RunMode, resume: boolean): string {
	if (mode === 'stream') return resume ? '/v1/workflow/stream_resume' : '/v1/workflow/stream_run';
	return resume ? '/v1/workflows/resume' : '/v1/workflow/run';
}

/** A chatflow turn: the /v3/chat event set, conversation id in the body. */
export const CHATFLOW_PATH = '/v1/workflows/chat';

/**
 * A workflow JSON request (transport/request.ts cozeApiCall; parseEnvelope accepts answers
 * without `code`: Coze's documented async-run answer has none, nor has Coze Studio's run history).
 * A POST whose connection closes before the answer throws CozeApiError with `brokenHint`.
 */
async function requestJson(
	http: CozeHttp,
	method: IHttpRequestMethods,
	path: string,
	options: { qs?: IDataObject; body?: IDataObject; brokenHint?: string } = {},
): Promise<Envelope> {
	const answer = await http.call(method, path, { qs: options.qs, body: options.body }).then(
		(envelope) => envelope,
		(error: unknown) => error as Error,
	);
	if (!(answer instanceof Error)) return answer;
	if (answer instanceof TransportError && answer.reason === 'network' && options.brokenHint !== undefined) {
		throw new CozeApiError({ msg: answer.msg, logid: answer.logid, hint: options.brokenHint });
	}
	throw answer;
}

/** /v1/workflows accepts page_size 1–30 (docs.coze.cn get_workflow_list: "取值范围为 1 ~ 30"). */
export const WORKFLOW_PAGE_SIZE = 30;

export interface WorkflowBasic {
	workflow_id: string;
	workflow_name?: string;
	description?: string;
	app_id?: string;
}

/** A workflow's inputs and outputs, or why the server did not give them. */
export type SchemaAnswer = { schema: WorkflowSchema; unavailable?: undefined } | { schema?: undefined; unavailable: string; error?: CozeApiError };

export class WorkflowsApi {
	constructor(private readonly http: CozeHttp) {}

	/**
	 * A workflow JSON request (a run, a resume): the whole envelope. A POST whose connection closes
	 * before the answer throws CozeApiError with `brokenHint`.
	 */
	async request(method: IHttpRequestMethods, path: string, options: { qs?: IDataObject; body?: IDataObject; brokenHint?: string } = {}): Promise<Envelope> {
		return await requestJson(this.http, method, path, options);
	}

	/** A run, resume or chatflow turn answered as a stream; its events go to `handler`. */
	async stream(request: { path: string; body: IDataObject }, handler: StreamHandler): Promise<StreamOutcome> {
		return await this.http.stream(request, handler);
	}

	/** One page of a workspace's published workflows (or chatflows). */
	async listPublished(query: { workspaceId: string; mode: 'workflow' | 'chatflow'; page: number }): Promise<{ items?: WorkflowBasic[]; has_more?: boolean }> {
		return await this.http.data('GET', '/v1/workflows', {
			qs: { workspace_id: query.workspaceId, workflow_mode: query.mode, publish_status: 'published_online', page_num: query.page, page_size: WORKFLOW_PAGE_SIZE },
		});
	}

	/**
	 * The workflow's own description of its inputs and outputs (`GET /v1/workflows/{id}?
	 * include_input_output=true`, permission getMetaData). Coze Studio answers this route with a
	 * chatflow's role only (or code 777777780), an older server not at all: those are `unavailable`,
	 * as is a refusal (a token without the permission). A failure to reach the server is thrown.
	 */
	async schema(workflowId: string): Promise<SchemaAnswer> {
		try {
			const { envelope } = await requestJson(this.http, 'GET', `/v1/workflows/${workflowId}`, { qs: { include_input_output: true } });
			const schema = parseWorkflowSchema(envelope.data, workflowId);
			if (schema) return { schema };
			return { unavailable: 'the server answered without the workflow\'s inputs (Coze Studio and older Coze servers do not describe them)' };
		} catch (error) {
			// Not reaching the server is the caller's error to report, as for any other request.
			if (!(error instanceof CozeApiError) || error instanceof TransportError) return Promise.reject(error);
			const why = error.code !== undefined ? `Coze error ${String(error.code)}: ${error.msg}` : error.msg;
			return { unavailable: `the server refused to describe the workflow (${why}); a token needs the getMetaData permission for it`, error };
		}
	}

	/** One run's history, and its Output nodes' results (see HistoryClient). */
	history(workflowId: string, executeId: string): HistoryClient {
		return new HistoryClient(this.http, workflowId, executeId);
	}
}

/**
 * Reads one run's history: Coze's `GET /v1/workflows/{wid}/run_histories/{eid}`, or on a custom
 * base URL that lacks it (Coze Studio answers 401/404) Studio's `/v1/workflow/get_run_history`.
 */
export class HistoryClient {
	private studio: boolean | undefined;

	constructor(
		private readonly http: CozeHttp,
		private readonly workflowId: string,
		private readonly executeId: string,
	) {}

	private get budget() {
		return this.http.budget;
	}

	async get(): Promise<WorkflowHistory> {
		const cloudPath = `/v1/workflows/${this.workflowId}/run_histories/${this.executeId}`;
		let answer;
		if (this.studio !== true) {
			let failure: unknown;
			try {
				answer = await requestJson(this.http, 'GET', cloudPath);
				this.studio = false;
			} catch (error) {
				failure = error;
			}
			if (failure !== undefined) {
				const missing = failure instanceof CozeApiError && (failure.httpStatus === 404 || failure.httpStatus === 401);
				if (this.studio === false || !missing || !(await this.http.customBaseUrl())) throw failure;
				this.studio = true;
			}
		}
		if (this.studio) {
			answer = await requestJson(this.http, 'GET', '/v1/workflow/get_run_history', {
				qs: { workflow_id: this.workflowId, execute_id: this.executeId },
			});
		}
		const entry = Array.isArray(answer?.envelope.data) ? answer.envelope.data[0] : undefined;
		if (!isObject(entry)) {
			throw new CozeApiError({
				msg: `Coze has no run history for execute_id ${this.executeId} of workflow ${this.workflowId}`,
				logid: answer?.logid,
				executeId: this.executeId,
			});
		}
		const history = normalizeHistory(entry);
		if (!history.execute_id) history.execute_id = this.executeId;
		return history;
	}

	/**
	 * Reads each Output node's result from `execute_nodes` (for outputs over 1 MB or trimmed from
	 * the history; Coze keeps them 24 h) into the history's messages. An answer with
	 * `is_finish: false` is never taken as final: with `wait`, the node is read again every poll
	 * interval until it finishes (an error when the item's Timeout would run out first); without,
	 * the message says `is_finish: false` and the history lists it in `unfinished_nodes`.
	 */
	async fetchNodeOutputs(history: WorkflowHistory, wait?: { pollMs: number; timeoutSeconds: number }): Promise<void> {
		if (this.studio) return; // Coze Studio has no execute_nodes endpoint
		for (const node of history.node_execute_status) {
			if (!node.node_execute_uuid) continue;
			const path = `/v1/workflows/${this.workflowId}/run_histories/${this.executeId}/execute_nodes/${node.node_execute_uuid}`;
			const unfinished = () =>
				new CozeApiError({
					msg: `Coze's Output node '${node.node_title}' had not finished after ${wait?.timeoutSeconds} s (execute_nodes said is_finish: false), so its output would be incomplete`,
					executeId: this.executeId,
					debugUrl: history.debug_url,
					hint: 'Read it later with Workflow → Get Run History (Fetch Output Nodes One by One) and this execute_id, or raise Options → Timeout.',
				});
			// Once Coze said the node is unfinished, the Timeout may strike during the next read or
			// sleep: the user learns the node had not finished, not which request was cut.
			let seenUnfinished = false;
			const clock = this.budget.clock(`waiting for the Output node '${node.node_title}' to finish`);
			const data = await pollUntil({
				read: async () => {
					const read = await requestJson(this.http, 'GET', path).catch((failure: unknown) => {
						throw seenUnfinished && isTimeout(failure) ? unfinished() : failure;
					});
					return isObject(read.envelope.data) ? read.envelope.data : {};
				},
				done: (read) => {
					const finished = read.is_finish !== false || !wait;
					if (!finished) seenUnfinished = true;
					return finished;
				},
				intervalMs: wait?.pollMs ?? 0,
				deadline: this.budget.deadline,
				clock: {
					now: clock.now,
					sleep: async (ms) =>
						await clock.sleep(ms).catch((failure: unknown) => {
							throw isTimeout(failure) ? unfinished() : failure;
						}),
				},
				outOfTime: unfinished,
			});
			const content = typeof data.node_output === 'string' ? data.node_output : '';
			const existing = history.messages.find((m) => m.node_title === node.node_title);
			const message = existing ?? { node_title: node.node_title, content: '' };
			message.content = content;
			if (node.node_id) message.node_id = node.node_id;
			message.node_execute_uuid = node.node_execute_uuid;
			if (data.is_finish === false) {
				message.is_finish = false;
				history.unfinished_nodes = [...(history.unfinished_nodes ?? []), node.node_title];
			} else {
				delete message.is_finish;
			}
			if (!existing) history.messages.push(message);
		}
	}
}

/** The item's Timeout ran out (not a cancel, nor a network failure). */
function isTimeout(error: unknown): boolean {
	return error instanceof TransportError && error.reason === 'timeout';
}
