import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItemJson, nodeErrorFor } from '../transport/errors';
import { sleepWithAbort } from '../transport/http';
import { AdaptiveLimiter, setExecutionLimiter } from '../transport/rateLimit';
import { existingSession } from '../transport/session';
import * as chat from './chat/Chat.resource';
import * as conversation from './conversation/Conversation.resource';
import * as file from './file/File.resource';
import type { Parallelism } from './parallelism';
import * as workflow from './workflow/Workflow.resource';

type Execute = (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

interface Operation {
	execute: Execute;
	parallelism?: Parallelism;
}

/** resource → operation → execute; adding an operation means adding it to its resource file. */
const operations: Record<string, Record<string, Operation>> = {
	chat: {
		sendMessage: chat.sendMessage,
		retrieve: chat.retrieve,
		listMessages: chat.listMessages,
		cancel: chat.cancel,
		submitToolOutputs: chat.submitToolOutputs,
	},
	conversation: {
		create: conversation.create,
		get: conversation.get,
		list: conversation.list,
		clearContext: conversation.clearContext,
	},
	file: { upload: file.upload },
	workflow: {
		run: workflow.run,
		resume: workflow.resume,
		getRunHistory: workflow.getRunHistory,
		chat: workflow.chat,
	},
};

type ItemOutcome = { items: INodeExecutionData[] } | { error: ReturnType<typeof nodeErrorFor> };

/**
 * Runs the chosen operation once per input item, one at a time or (when the operation allows and
 * the user asks) several at once. Output keeps input order and every item carries its pairedItem;
 * with Continue On Fail a failing item becomes an error item and the others still run.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outcomes: ItemOutcome[] = new Array(items.length);
	const continueOnFail = this.continueOnFail();

	// Secrets never leave the node, whatever a server echoed into an answer or an error.
	const runItem = async (itemIndex: number): Promise<ItemOutcome> => {
		try {
			const operation = lookup(this, itemIndex);
			const produced = await operation.execute.call(this, itemIndex);
			const redactor = existingSession(this)?.redactor;
			return { items: redactor ? redactor.items(produced) : produced };
		} catch (error) {
			return { error: nodeErrorFor(this, error, itemIndex) };
		}
	};

	const parallelism = items.length > 1 ? lookupSafely(this)?.parallelism : undefined;
	const limit = parallelism ? Math.max(1, Math.floor(parallelism.limit(this))) : 1;
	if (limit === 1) {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			outcomes[itemIndex] = await runItem(itemIndex);
			if ('error' in outcomes[itemIndex] && !continueOnFail) break;
		}
	} else {
		// Items share one limiter: when Coze answers "too many", fewer run at once for a while.
		const limiter = new AdaptiveLimiter(limit);
		setExecutionLimiter(this, limiter);
		await runQueues(queuesByKey(this, items.length, parallelism!), limit, async (itemIndex) => {
			await limiter.acquire();
			try {
				outcomes[itemIndex] = await runItem(itemIndex);
			} finally {
				limiter.release();
			}
			return !('error' in outcomes[itemIndex]) || continueOnFail;
		});
	}

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		if (!outcome) continue; // not started: an earlier failure stopped the run
		if ('items' in outcome) output.push(...outcome.items);
		else if (continueOnFail) output.push({ json: errorItemJson(outcome.error), pairedItem: { item: itemIndex } });
		else throw outcome.error;
	}
	return [output];
}

function lookup(context: IExecuteFunctions, itemIndex: number): Operation {
	const resource = context.getNodeParameter('resource', itemIndex) as string;
	const operation = context.getNodeParameter('operation', itemIndex) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) throw new Error(`The operation '${operation}' of resource '${resource}' is not supported`);
	return handler;
}

/** Resource and operation cannot be expressions, so item 0 tells for all items. */
function lookupSafely(context: IExecuteFunctions): Operation | undefined {
	try {
		return lookup(context, 0);
	} catch {
		return undefined; // runItem reports it per item
	}
}

function queuesByKey(context: IExecuteFunctions, count: number, parallelism: Parallelism): number[][] {
	const queues = new Map<string, number[]>();
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const key = parallelism.queueKey(context, itemIndex);
		const queue = queues.get(key);
		if (queue) queue.push(itemIndex);
		else queues.set(key, [itemIndex]);
	}
	return [...queues.values()];
}

/**
 * Works through the queues with at most `limit` running at once, each queue in order. `run`
 * returns false to stop: no new item starts, running ones finish.
 *
 * Items start one event-loop turn apart. An item's request only leaves once the event loop gets to
 * its socket; started back to back, the first items' requests would wait for every other item's
 * parameters and expressions, reach Coze together, come back together and keep the batch in
 * lockstep waves (each wave waiting for the whole wave's CPU). Spaced out, each request goes out
 * as soon as it is ready and the answers arrive spread out.
 */
async function runQueues(queues: number[][], limit: number, run: (itemIndex: number) => Promise<boolean>): Promise<void> {
	let next = 0;
	let stopped = false;
	let lastStart: Promise<void> = Promise.resolve();
	const startTurn = async () => {
		const turn = lastStart.then(async () => await sleepWithAbort(0));
		lastStart = turn;
		await turn;
	};
	const worker = async () => {
		while (!stopped && next < queues.length) {
			const queue = queues[next++];
			for (const itemIndex of queue) {
				await startTurn();
				if (stopped) return;
				if (!(await run(itemIndex))) stopped = true;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, queues.length) }, worker));
}
