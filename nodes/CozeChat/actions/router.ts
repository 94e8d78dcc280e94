import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { CozeClient } from '../api/client';
import { ItemBudget, nextTurn } from '../boundaries/budget';
import { errorItem, reportTelemetry, safeError, safeItems } from '../boundaries/output';
import { parametersOf, type ItemParameters } from '../boundaries/parameters';
import { AdaptiveLimiter, setExecutionLimiter } from '../transport/rateLimit';
import * as audio from './audio/Audio.resource';
import * as bot from './bot/Bot.resource';
import * as chat from './chat/Chat.resource';
import * as conversation from './conversation/Conversation.resource';
import * as feedback from './feedback/Feedback.resource';
import * as file from './file/File.resource';
import * as knowledge from './knowledge/Knowledge.resource';
import * as message from './message/Message.resource';
import type { Parallelism } from './parallelism';
import * as plugin from './plugin/Plugin.resource';
import { RunTelemetry } from './telemetry';
import * as variable from './variable/Variable.resource';
import * as workflow from './workflow/Workflow.resource';

/** An operation runs once per item, sending through the item's client (its budget inside). */
type Execute = (this: IExecuteFunctions, itemIndex: number, coze: CozeClient) => Promise<INodeExecutionData[]>;

interface Operation {
	execute: Execute;
	parallelism?: Parallelism;
	/**
	 * The item's Timeout in seconds (0: none), read from its parameters. Without it the item runs
	 * under the limit of operations without a Timeout option (boundaries/budget.ts LIMITS).
	 */
	timeoutSeconds?: (parameters: ItemParameters) => number;
}

/**
 * resource → operation → its module; adding an operation means adding it to its resource file and
 * here. test/unit/router.test.ts holds this table and the node's Resource / Operation options to
 * each other, so neither can name what the other lacks.
 */
export const operations = {
	audio: { textToSpeech: audio.textToSpeech, transcribe: audio.transcribe, getVoices: audio.getVoices },
	bot: {
		create: bot.create,
		get: bot.get,
		getMany: bot.getMany,
		getVersions: bot.getVersions,
		publish: bot.publish,
		unpublish: bot.unpublish,
		update: bot.update,
	},
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
		update: conversation.update,
		delete: conversation.deleteConversation,
	},
	message: { create: message.create, get: message.get, list: message.list, update: message.update, delete: message.deleteMessage },
	feedback: { submit: feedback.submit, delete: feedback.deleteFeedback },
	file: { upload: file.upload },
	knowledge: {
		createBase: knowledge.createBase,
		deleteBase: knowledge.deleteBase,
		deleteDocuments: knowledge.deleteDocuments,
		getManyBases: knowledge.getManyBases,
		getManyDocuments: knowledge.getManyDocuments,
		getProgress: knowledge.getProgress,
		updateBase: knowledge.updateBase,
		updateDocument: knowledge.updateDocument,
		uploadDocument: knowledge.uploadDocument,
	},
	plugin: { callTool: plugin.callTool, get: plugin.get, search: plugin.search },
	variable: { get: variable.get, set: variable.set },
	workflow: {
		run: workflow.run,
		resume: workflow.resume,
		getRunHistory: workflow.getRunHistory,
		chat: workflow.chat,
	},
} satisfies Record<string, Record<string, Operation>>;

type Resource = keyof typeof operations;

type ItemOutcome = { items: INodeExecutionData[] } | { error: ReturnType<typeof safeError> };

/**
 * Runs the chosen operation once per input item, one at a time or (when the operation allows and
 * the user asks) several at once. Output keeps input order and every item carries its pairedItem;
 * with Continue On Fail every item yields its answer or its error item, at any parallelism — also
 * when reading its parameters fails before anything is sent. Everything leaves through the output
 * boundary (secrets removed).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outcomes: ItemOutcome[] = new Array(items.length);
	const continueOnFail = this.continueOnFail();
	const failed = (error: unknown, itemIndex: number): ItemOutcome => ({ error: safeError(this, error, itemIndex) });

	const telemetry = new RunTelemetry(operationNameSafely(this));
	const runItem = async (itemIndex: number): Promise<ItemOutcome> => {
		try {
			const operation = lookup(this, itemIndex);
			// The item's time starts now (after its turn in Items in Parallel): every request,
			// upload, poll and tool call of the item runs under this one budget.
			const budget = ItemBudget.of(this, operation.timeoutSeconds?.(parametersOf(this, itemIndex)));
			const produced = await operation.execute.call(this, itemIndex, CozeClient.forItem(this, itemIndex, budget));
			for (const item of produced) telemetry.noteItem(item.json);
			return { items: safeItems(this, produced) };
		} catch (error) {
			const outcome = failed(error, itemIndex);
			if ('error' in outcome) telemetry.noteFailure(outcome.error);
			return outcome;
		}
	};

	const parallelism = items.length > 1 ? lookupSafely(this)?.parallelism : undefined;
	let limit = 1;
	if (parallelism) {
		try {
			limit = parallelism.limit(parametersOf(this, 0));
		} catch (error) {
			// Items in Parallel is one setting for the whole node: none of the items can run.
			const outcome = failed(error, 0);
			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) outcomes[itemIndex] = outcome;
		}
	}
	if (outcomes[0]) {
		// the limit could not be read
	} else if (limit === 1) {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			outcomes[itemIndex] = await runItem(itemIndex);
			if ('error' in outcomes[itemIndex] && !continueOnFail) break;
		}
	} else {
		// Items share one limiter: when Coze answers "too many", fewer run at once for a while.
		const limiter = new AdaptiveLimiter(limit);
		setExecutionLimiter(this, limiter);
		// An item whose queue key (its Conversation ID, say) cannot be read fails alone, at once.
		const queues = new Map<string, number[]>();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const key = parallelism!.queueKey(parametersOf(this, itemIndex));
				const queue = queues.get(key);
				if (queue) queue.push(itemIndex);
				else queues.set(key, [itemIndex]);
			} catch (error) {
				outcomes[itemIndex] = failed(error, itemIndex);
			}
		}
		const stopEarly = !continueOnFail && outcomes.some((outcome) => outcome !== undefined);
		if (!stopEarly) {
			await runQueues([...queues.values()], limit, async (itemIndex) => {
				await limiter.acquire();
				try {
					outcomes[itemIndex] = await runItem(itemIndex);
				} finally {
					limiter.release();
				}
				return !('error' in outcomes[itemIndex]) || continueOnFail;
			});
		}
	}

	// Before an item's error is thrown below: n8n 2.x keeps a failed node run's metadata too.
	reportTelemetry(this, telemetry.summary());
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const outcome = outcomes[itemIndex];
		if (!outcome) continue; // not started: an earlier failure stopped the run
		if ('items' in outcome) output.push(...outcome.items);
		else if (continueOnFail) output.push(errorItem(outcome.error, itemIndex));
		else throw outcome.error;
	}
	return [output];
}

function lookup(context: IExecuteFunctions, itemIndex: number): Operation {
	const parameters = parametersOf(context, itemIndex);
	const resource = parameters.text('resource', 'Resource');
	const operation = parameters.text('operation', 'Operation');
	const handler = (operations as Record<Resource, Record<string, Operation>>)[resource as Resource]?.[operation];
	if (!handler) throw new Error(`The operation '${operation}' of resource '${resource}' is not supported`);
	return handler;
}

/** `resource.operation` as item 0 has them, for telemetry ('unknown' when they cannot be read). */
function operationNameSafely(context: IExecuteFunctions): string {
	try {
		const parameters = parametersOf(context, 0);
		return `${parameters.text('resource', 'Resource')}.${parameters.text('operation', 'Operation')}`;
	} catch {
		return 'unknown';
	}
}

/** Resource and operation cannot be expressions, so item 0 tells for all items. */
function lookupSafely(context: IExecuteFunctions): Operation | undefined {
	try {
		return lookup(context, 0);
	} catch {
		return undefined; // runItem reports it per item
	}
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
		const turn = lastStart.then(nextTurn);
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
