import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { CozeApiError } from '../../core/errors';
import { WorkflowAggregator } from '../../core/workflowAggregator';
import {
	decodeOutput,
	emptyUsage,
	executeIdFromDebugUrl,
	executeIdFromEventId,
	isObject,
	normalizeHistory,
	toId,
	toInterrupt,
	toUsage,
	type WorkflowHistory,
	type WorkflowRunResult,
} from '../../core/workflowDecode';
import { ItemBudget, LIMITS, requestJson, streamEvents, TransportError, usesCustomBaseUrl } from '../../transport/workflowApi';

/** After Interrupt only a Done (with debug_url) may follow; don't wait long for it. */
const TAIL_IDLE_LIMIT_MS = 5 * 1000;

export type RunMode = 'stream' | 'sync' | 'async';

export interface WorkflowRunOptions {
	mode: RunMode;
	/** Whole-run limit in seconds; 0 = none. */
	timeoutSeconds: number;
	pollIntervalSeconds: number;
	/** Forward message text to a streaming trigger (Chat Trigger, Webhook with Respond: Streaming). */
	liveStream: boolean;
	/** Async: always read Output-node results one by one from execute_nodes (also done when trimmed). */
	fetchNodeOutputs: boolean;
	/** Advice attached to Coze's Error events and error answers (Resume explains its limit). */
	errorHint?: string;
	/** The item's budget when the caller started it already (file uploads); else one of timeoutSeconds. */
	budget?: ItemBudget;
}

/** What to do about the codes a workflow run hits (these replace the bot-oriented hints). */
const WORKFLOW_HINTS: Record<number, string> = {
	4000: 'Coze rejected a request parameter: check the workflow parameters (names and types of the Start node inputs), and that Bot ID and App ID are not both set.',
	4200: 'Not found: check the workflow ID, and that the workflow is published (Coze runs only published workflows; an app\'s workflows need the app published as an API service and its App ID).',
	6003: 'Async runs need a paid Coze plan. Use Mode: Stream instead, which has no 90 s limit.',
};

const SYNC_HINT =
	'Synchronous mode: Coze refuses workflows with Output nodes or a streaming End node, and ends the connection after 90 s even if the workflow still runs. Use Mode: Stream (the default) or Async.';

/**
 * Runs (or resumes) a workflow for one item and returns its aggregated result. When n8n streams
 * this execution to its caller, message text is forwarded as it arrives (begin / item… / end
 * chunks, like Send Message); the item holds the full result either way.
 */
export async function runWorkflowForItem(
	this: IExecuteFunctions,
	itemIndex: number,
	request: { workflowId: string; body: IDataObject; resume: boolean },
	options: WorkflowRunOptions,
): Promise<WorkflowRunResult> {
	// isStreaming/sendChunk exist since n8n 1.102/1.103; older versions simply get the item.
	const live = options.liveStream && typeof this.isStreaming === 'function' && this.isStreaming();
	if (!live) return await runWorkflow.call(this, request, options);
	let forwarded = false;
	let endForwarded = false;
	this.sendChunk('begin', itemIndex);
	try {
		const result = await runWorkflow.call(this, request, options, (text, fromEnd) => {
			forwarded = true;
			endForwarded ||= fromEnd;
			this.sendChunk('item', itemIndex, text);
		});
		// Non-stream modes, or an End result that was not streamed: deliver what a chat shows.
		const parts: string[] = [];
		if (!forwarded) parts.push(...result.messages.map((m) => m.content).filter((c) => c !== ''));
		const endText = endForwarded ? '' : displayText(result.output);
		if (endText) parts.push(endText);
		if (parts.length > 0) this.sendChunk('item', itemIndex, (forwarded ? '\n\n' : '') + parts.join('\n\n'));
		return result;
	} finally {
		this.sendChunk('end', itemIndex);
	}
}

/** The End result as chat text: a string as is, a one-field object's text, otherwise JSON. */
function displayText(output: unknown): string {
	if (output === null || output === undefined) return '';
	if (typeof output === 'string') return output;
	if (isObject(output)) {
		const values = Object.values(output);
		if (values.length === 1 && typeof values[0] === 'string') return values[0];
	}
	return JSON.stringify(output);
}

export async function runWorkflow(
	this: IExecuteFunctions,
	request: { workflowId: string; body: IDataObject; resume: boolean },
	options: WorkflowRunOptions,
	onText?: (text: string, fromEnd: boolean) => void,
): Promise<WorkflowRunResult> {
	const budget = options.budget ?? ItemBudget.of(this, options.timeoutSeconds);
	try {
		if (options.mode === 'stream') {
			const path = request.resume ? '/v1/workflow/stream_resume' : '/v1/workflow/stream_run';
			return await streamRun.call(this, path, request.body, options, budget, onText);
		}
		const path = request.resume ? '/v1/workflows/resume' : '/v1/workflow/run';
		if (options.mode === 'sync') return await syncRun.call(this, path, request.body, budget);
		return await asyncRun.call(this, path, request, options, budget);
	} catch (error) {
		throw withHint(error, options.mode === 'sync' ? SYNC_HINT : options.errorHint, options.mode === 'sync');
	}
}

/** Adds workflow advice to a Coze error that has none yet. */
function withHint(error: unknown, fallback: string | undefined, always: boolean): unknown {
	if (!(error instanceof CozeApiError) || error.hint) return error;
	const specific = typeof error.code === 'number' ? WORKFLOW_HINTS[error.code] : undefined;
	const hint = specific && always && fallback ? `${specific} ${fallback}` : specific ?? fallback;
	if (!hint) return error;
	return new CozeApiError({
		code: error.code,
		msg: error.msg,
		logid: error.logid,
		httpStatus: error.httpStatus,
		executeId: error.executeId,
		debugUrl: error.debugUrl,
		hint,
	});
}

async function streamRun(
	this: IExecuteFunctions,
	path: string,
	body: IDataObject,
	options: WorkflowRunOptions,
	budget: ItemBudget,
	onText?: (text: string, fromEnd: boolean) => void,
): Promise<WorkflowRunResult> {
	const aggregator = new WorkflowAggregator();
	aggregator.errorHint = options.errorHint;
	let failure: unknown;
	let broken: TransportError | undefined;
	try {
		broken = await streamEvents(this, path, body, budget, {
			onOpen: (logid) => (aggregator.logid = logid),
			onEvent: (event) => {
				const text = aggregator.push(event);
				if (text !== undefined) onText?.(text, aggregator.endWasLive);
			},
			finished: () => aggregator.isDone,
			idleMs: () => (aggregator.isTerminal ? TAIL_IDLE_LIMIT_MS : LIMITS.idleMs),
		});
	} catch (error) {
		failure = error; // Coze's Error event, a lost packet, a bad payload, a refused request
	}
	if (failure !== undefined) throw withHint(failure, options.errorHint, false);
	// Interrupt ends the run even if no Done follows (the docs' interrupt stream has none).
	if (aggregator.isTerminal) return aggregator.result();
	const known = aggregator.executeId ? ` (execute_id ${aggregator.executeId})` : '';
	if (broken?.reason === 'canceled') {
		throw aggregator.error(undefined, `${broken.msg}. The run was not started again; it may still be running on Coze${known}.`, 'Check the run with Workflow → Get Run History.');
	}
	if (broken?.reason === 'timeout') {
		throw aggregator.error(
			undefined,
			`The Coze workflow did not finish within ${options.timeoutSeconds} s (${broken.msg}), so the node stopped reading. The run was not started again; it may still be running on Coze${known}.`,
			'Raise Options → Timeout, or use Mode: Async for long workflows. Check the run with Workflow → Get Run History.',
		);
	}
	throw aggregator.error(
		undefined,
		`The Coze workflow stream ${broken ? `broke off (${broken.msg})` : 'ended'} before the run finished. The run was not started again, because a workflow run can have side effects (messages sent, records written); it may still finish on Coze${known}.`,
		'Check the run with Workflow → Get Run History or its debug_url, and run it again yourself only if it did not finish.',
	);
}

async function syncRun(this: IExecuteFunctions, path: string, body: IDataObject, budget: ItemBudget): Promise<WorkflowRunResult> {
	const { envelope } = await requestJson(this, 'POST', path, {
		body,
		budget,
		brokenHint: `The connection closed before Coze answered. ${SYNC_HINT} The run was not started again; it may have finished on Coze — check Get Run History.`,
	});
	return resultFromAnswer(envelope);
}

/** A synchronous `/v1/workflow/run` or `/v1/workflows/resume` answer as a run result. */
export function resultFromAnswer(envelope: IDataObject): WorkflowRunResult {
	const debugUrl = typeof envelope.debug_url === 'string' && envelope.debug_url !== '' ? envelope.debug_url : undefined;
	const interrupt = toInterrupt(envelope.interrupt_data);
	const result: WorkflowRunResult = {
		status: interrupt ? 'interrupted' : 'completed',
		output: interrupt ? null : decodeOutput(envelope.data),
		messages: [],
		usage: toUsage(envelope.usage, envelope.token) ?? emptyUsage(),
	};
	if (interrupt) result.interrupt = interrupt;
	const executeId = toId(envelope.execute_id) ?? executeIdFromDebugUrl(debugUrl) ?? executeIdFromEventId(interrupt?.event_id);
	if (executeId) result.execute_id = executeId;
	if (debugUrl) result.debug_url = debugUrl;
	return result;
}

async function asyncRun(
	this: IExecuteFunctions,
	path: string,
	request: { workflowId: string; body: IDataObject; resume: boolean },
	options: WorkflowRunOptions,
	budget: ItemBudget,
): Promise<WorkflowRunResult> {
	const body = request.resume ? request.body : { ...request.body, is_async: true };
	const { envelope, logid } = await requestJson(this, 'POST', path, { body, budget });
	const debugUrl = typeof envelope.debug_url === 'string' ? envelope.debug_url : undefined;
	const executeId = toId(envelope.execute_id) ?? executeIdFromDebugUrl(debugUrl);
	if (!executeId) {
		// A resume of a run that was not async answers synchronously.
		if (request.resume) return resultFromAnswer(envelope);
		throw new CozeApiError({ msg: 'Coze accepted the async run but returned no execute_id to follow it with', logid });
	}
	const histories = new HistoryClient(this, request.workflowId, executeId, budget);
	const pollMs = Math.max(100, options.pollIntervalSeconds * 1000);
	for (;;) {
		const history = await histories.get();
		if (history.status !== 'running') return await finishedRun.call(this, histories, history, options);
		const remaining = budget.remainingMs();
		if (remaining !== undefined && pollMs >= remaining) {
			throw new CozeApiError({
				msg: `The Coze workflow was still running after ${options.timeoutSeconds} s (async runs may take up to 24 h). It keeps running on Coze.`,
				executeId,
				debugUrl: history.debug_url ?? debugUrl,
				hint: 'Read the result later with Workflow → Get Run History and this execute_id, or raise Options → Timeout.',
			});
		}
		await budget.sleep(pollMs, 'waiting for the async workflow run to finish');
	}
}

/** The result of an async run once its history left Running. */
async function finishedRun(
	this: IExecuteFunctions,
	histories: HistoryClient,
	history: WorkflowHistory,
	options: WorkflowRunOptions,
): Promise<WorkflowRunResult> {
	if (history.status === 'failed') {
		throw new CozeApiError({
			code: history.error?.code,
			msg: `The Coze workflow failed: ${history.error?.message || `status ${history.execute_status}`}`,
			logid: history.logid,
			executeId: history.execute_id,
			debugUrl: history.debug_url,
			hint: options.errorHint,
		});
	}
	if (history.is_output_trimmed || options.fetchNodeOutputs) await histories.fetchNodeOutputs(history);
	if (!history.outputReadable) {
		throw new CozeApiError({
			msg: 'Coze trimmed this run\'s output (it is over 1 MB) and the End node\'s result cannot be read separately, so no output is returned.',
			executeId: history.execute_id,
			debugUrl: history.debug_url,
			hint: 'Open the debug_url to see the result, or make the End node return less data.',
		});
	}
	const result: WorkflowRunResult = {
		status: history.status === 'interrupted' ? 'interrupted' : 'completed',
		output: history.output,
		messages: history.messages,
		usage: history.usage,
	};
	if (history.interrupt) result.interrupt = history.interrupt;
	if (history.execute_id) result.execute_id = history.execute_id;
	if (history.debug_url) result.debug_url = history.debug_url;
	return result;
}

/**
 * Reads one run's history: Coze's `GET /v1/workflows/{wid}/run_histories/{eid}`, or on a custom
 * base URL that lacks it (Coze Studio answers 401/404) Studio's `/v1/workflow/get_run_history`.
 */
export class HistoryClient {
	private studio: boolean | undefined;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly workflowId: string,
		private readonly executeId: string,
		private readonly budget = ItemBudget.of(context),
	) {}

	async get(): Promise<WorkflowHistory> {
		const cloudPath = `/v1/workflows/${this.workflowId}/run_histories/${this.executeId}`;
		let answer;
		if (this.studio !== true) {
			let failure: unknown;
			try {
				answer = await requestJson(this.context, 'GET', cloudPath, { budget: this.budget });
				this.studio = false;
			} catch (error) {
				failure = error;
			}
			if (failure !== undefined) {
				const missing = failure instanceof CozeApiError && (failure.httpStatus === 404 || failure.httpStatus === 401);
				if (this.studio === false || !missing || !(await usesCustomBaseUrl(this.context))) throw withHint(failure, undefined, false);
				this.studio = true;
			}
		}
		if (this.studio) {
			answer = await requestJson(this.context, 'GET', '/v1/workflow/get_run_history', {
				qs: { workflow_id: this.workflowId, execute_id: this.executeId },
				budget: this.budget,
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
	 * the history; Coze keeps them 24 h) into the history's messages.
	 */
	async fetchNodeOutputs(history: WorkflowHistory): Promise<void> {
		if (this.studio) return; // Coze Studio has no execute_nodes endpoint
		for (const node of history.node_execute_status) {
			if (!node.node_execute_uuid) continue;
			const { envelope } = await requestJson(
				this.context,
				'GET',
				`/v1/workflows/${this.workflowId}/run_histories/${this.executeId}/execute_nodes/${node.node_execute_uuid}`,
				{ budget: this.budget },
			);
			const data = isObject(envelope.data) ? envelope.data : {};
			const content = typeof data.node_output === 'string' ? data.node_output : '';
			const existing = history.messages.find((m) => m.node_title === node.node_title);
			const message = existing ?? { node_title: node.node_title, content: '' };
			message.content = content;
			if (node.node_id) message.node_id = node.node_id;
			message.node_execute_uuid = node.node_execute_uuid;
			if (!existing) history.messages.push(message);
		}
	}
}
