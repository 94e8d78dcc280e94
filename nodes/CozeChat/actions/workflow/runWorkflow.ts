import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { CozeApiError } from '../../core/errors';
import { pollUntil } from '../../core/polling';
import { WorkflowAggregator } from '../../core/workflowAggregator';
import {
	decodeOutput,
	emptyUsage,
	executeIdFromDebugUrl,
	executeIdFromEventId,
	isObject,
	toId,
	toInterrupt,
	toUsage,
	type WorkflowHistory,
	type WorkflowRunResult,
} from '../../core/workflowDecode';
import type { CozeClient } from '../../api/client';
import { runPath, type HistoryClient, type RunMode } from '../../api/workflow';
import { withLiveText } from '../../boundaries/output';
import { streamTurn } from '../streamedTurn';
import { SYNC_HINT, withHint } from '../../boundaries/hints';

/** After Interrupt only a Done (with debug_url) may follow; don't wait long for it. */
const TAIL_MS = 3 * 1000;

export type { RunMode };

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
}

/**
 * Runs (or resumes) a workflow for one item and returns its aggregated result. When n8n streams
 * this execution to its caller, message text is forwarded as it arrives (begin / item… / end
 * chunks, like Send Message); the item holds the full result either way.
 */
export async function runWorkflowForItem(
	context: IExecuteFunctions,
	coze: CozeClient,
	request: { workflowId: string; body: IDataObject; resume: boolean },
	options: WorkflowRunOptions,
): Promise<WorkflowRunResult> {
	let endStreamed = false;
	return await withLiveText(
		context,
		coze.itemIndex,
		options.liveStream,
		async (live) =>
			await runWorkflow(coze, request, options, live && {
				write: (text: string) => live.write(text),
				endShown: () => {
					endStreamed = true;
				},
			}),
		// Non-stream modes, or an End result that was not streamed: deliver what a chat shows.
		(result, streamed) => {
			const parts: string[] = [];
			if (streamed === '') parts.push(...result.messages.map((m) => m.content).filter((c) => c !== ''));
			const endText = endStreamed ? '' : displayText(result.output);
			if (endText) parts.push(endText);
			return parts.length > 0 ? (streamed !== '' ? '\n\n' : '') + parts.join('\n\n') : undefined;
		},
	);
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

/** Where a run's text goes as it arrives. */
interface RunText {
	write(text: string): void;
	/** The End node's text already went out (it streamed, or it repeated the node before it). */
	endShown(): void;
}

export async function runWorkflow(
	coze: CozeClient,
	request: { workflowId: string; body: IDataObject; resume: boolean },
	options: WorkflowRunOptions,
	live?: RunText,
): Promise<WorkflowRunResult> {
	const path = runPath(options.mode, request.resume);
	try {
		if (options.mode === 'stream') return await streamRun(coze, path, request.body, options, live);
		if (options.mode === 'sync') return await syncRun(coze, path, request.body);
		return await asyncRun(coze, path, request, options);
	} catch (error) {
		throw withHint(error, options.mode === 'sync' ? SYNC_HINT : options.errorHint, options.mode === 'sync');
	}
}

async function streamRun(
	coze: CozeClient,
	path: string,
	body: IDataObject,
	options: WorkflowRunOptions,
	live?: RunText,
): Promise<WorkflowRunResult> {
	const aggregator = new WorkflowAggregator();
	aggregator.errorHint = options.errorHint;
	const outcome = await streamTurn((handler) => coze.workflows.stream({ path, body }, handler), aggregator, { live, tailMs: TAIL_MS }).catch(
		(error: unknown) => {
			throw withHint(error, options.errorHint, false); // Coze's Error event, a lost packet, a refused request
		},
	);
	if (aggregator.endShown) live?.endShown();
	// Interrupt ends the run even if no Done follows (the docs' interrupt stream has none).
	if (outcome.complete) return aggregator.result();
	const { broken } = outcome;
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

async function syncRun(coze: CozeClient, path: string, body: IDataObject): Promise<WorkflowRunResult> {
	const { envelope } = await coze.workflows.request('POST', path, {
		body,
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
	coze: CozeClient,
	path: string,
	request: { workflowId: string; body: IDataObject; resume: boolean },
	options: WorkflowRunOptions,
): Promise<WorkflowRunResult> {
	const { budget } = coze;
	const body = request.resume ? request.body : { ...request.body, is_async: true };
	const { envelope, logid } = await coze.workflows.request('POST', path, { body });
	const debugUrl = typeof envelope.debug_url === 'string' ? envelope.debug_url : undefined;
	const executeId = toId(envelope.execute_id) ?? executeIdFromDebugUrl(debugUrl);
	if (!executeId) {
		// A resume of a run that was not async answers synchronously.
		if (request.resume) return resultFromAnswer(envelope);
		throw new CozeApiError({ msg: 'Coze accepted the async run but returned no execute_id to follow it with', logid });
	}
	const histories = coze.workflows.history(request.workflowId, executeId);
	const history = await pollUntil({
		read: async () => await histories.get(),
		done: (read) => read.status !== 'running',
		intervalMs: options.pollIntervalSeconds * 1000,
		deadline: budget.deadline,
		clock: budget.clock('waiting for the async workflow run to finish'),
		outOfTime: (last) =>
			new CozeApiError({
				msg: `The Coze workflow was still running after ${options.timeoutSeconds} s (async runs may take up to 24 h). It keeps running on Coze.`,
				executeId,
				debugUrl: last.debug_url ?? debugUrl,
				hint: 'Read the result later with Workflow → Get Run History and this execute_id, or raise Options → Timeout.',
			}),
	});
	return await finishedRun(histories, history, options);
}

/** The result of an async run once its history left Running. */
async function finishedRun(
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
	if (history.is_output_trimmed || options.fetchNodeOutputs) {
		await histories.fetchNodeOutputs(history, { pollMs: options.pollIntervalSeconds * 1000, timeoutSeconds: options.timeoutSeconds });
	}
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

