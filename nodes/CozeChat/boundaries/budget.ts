/**
 * The time owner: one budget per item, and the one rule every request, poll, upload, retry pause
 * and token mint of that item follows. The budget ends at the item's deadline (its Timeout, or the
 * limit of operations and pickers without one) or when the execution is canceled; whoever waits —
 * for a socket, a pause, or work another item started (a shared token mint) — leaves at *its own*
 * deadline with *its own* error, never at someone else's.
 *
 * The watchdog of a single request (idle rule, bytes both ways) is transport/exchange.ts; it takes
 * its deadline and cancel signal from here.
 */
import * as workflow from 'n8n-workflow';
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import { TransportError } from '../core/errors';
import type { PollClock } from '../core/polling';

/** Limits that keep one item's time and memory bounded (docs/operations.md, Limits, lists them). */
export const LIMITS = {
	/** A JSON answer larger than this fails the item. */
	maxJsonBytes: 16 * 1024 * 1024,
	/** A whole event stream larger than this fails the item. */
	maxStreamBytes: 64 * 1024 * 1024,
	/** Synthesized audio larger than this fails the item (Coze speaks at most 1024 bytes of text). */
	maxAudioBytes: 64 * 1024 * 1024,
	/** A knowledge document larger than this fails before it is sent (Coze takes it as base64 in JSON). */
	maxDocumentBytes: 100 * 1024 * 1024,
	/** Of an error body (HTML from a proxy, say), only this much is read. */
	maxErrorBodyBytes: 64 * 1024,
	/** Longest silence (no byte received or sent) accepted from Coze, whatever the item's Timeout. */
	idleMs: 5 * 60 * 1000,
	/**
	 * Once a stream delivered all the node needs (`done`), how long the rest may take to arrive before
	 * the node closes the connection itself. Bytes do not extend it: a server that keeps sending
	 * heartbeats after `done` does not keep the item alive.
	 */
	drainMs: 250,
	/**
	 * Longest a picker (list search, load options) may take: it has no Timeout option, and a server
	 * that drips bytes would otherwise keep the editor waiting for ever.
	 */
	pickerMs: 60_000,
	/**
	 * Longest an operation without a Timeout option (upload, retrieve, list, get…) may take: the
	 * default Timeout of the operations that have one.
	 */
	operationMs: 600_000,
	/**
	 * Longest one request of a poll that several items share (Knowledge → Wait Until Processed) may
	 * take, even when none of them has a Timeout: the request runs for all of them, so no single
	 * item's Timeout bounds it (it is also cut at the latest deadline of those waiting).
	 */
	pollRequestMs: 60_000,
	/** Longest the Coze API credential's test may take, all of it (methods/credentialTest.ts). */
	credentialTestMs: 15_000,
	/** Same-origin redirects followed before giving up. */
	maxRedirects: 3,
	/** Time allowed, once per item, to cancel a chat after the item ran out of time or was canceled. */
	cleanupMs: 5_000,
};

type SleepWithAbort = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Sleeps, rejecting early when `signal` aborts. n8n 1.x exports this as `sleepWithAbort`, n8n 2.x
 * folds it into `sleep`; both are timers n8n owns, which community nodes must use.
 */
export const sleepWithAbort: SleepWithAbort =
	(workflow as unknown as { sleepWithAbort?: SleepWithAbort }).sleepWithAbort ??
	(workflow.sleep as SleepWithAbort);

/** Yields one event-loop turn (n8n's timer). */
export async function nextTurn(): Promise<void> {
	await sleepWithAbort(0);
}

type BudgetContext = IExecuteFunctions | ILoadOptionsFunctions;

/** The execution's cancel signal (load-options contexts have none). */
export function cancelSignal(context: BudgetContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal?.() : undefined;
}

/**
 * The time an item may take, and what happened to it so far. Every request of the item runs under
 * it: the deadline and the execution's cancel signal close the socket in whatever phase it is.
 */
export class ItemBudget {
	readonly deadline: number | undefined;

	/** Times Coze answered "too many requests" to this item. */
	rateLimited = 0;

	/** The one allowance to clean up after this budget ran out (see cleanup()). */
	private cleanupBudget: ItemBudget | undefined;

	constructor(
		readonly signal: AbortSignal | undefined,
		/** The item's limit in seconds (0 = none), for messages. */
		readonly timeoutSeconds = 0,
		deadline?: number,
		/** What sets the limit, for messages. */
		readonly limitName = 'Options → Timeout',
	) {
		this.deadline = deadline ?? (timeoutSeconds > 0 ? Date.now() + timeoutSeconds * 1000 : undefined);
	}

	/**
	 * The budget of an item whose Timeout option is `timeoutSeconds` (0: none). Without such an
	 * option (undefined) an operation still has a limit, and so has a picker, which runs outside any
	 * execution: a server that drips bytes must not hold either for ever.
	 */
	static of(context: BudgetContext, timeoutSeconds?: number): ItemBudget {
		if (!('getExecutionCancelSignal' in context) && !(timeoutSeconds && timeoutSeconds > 0)) {
			return new ItemBudget(undefined, LIMITS.pickerMs / 1000, undefined, 'the picker time limit');
		}
		if (timeoutSeconds === undefined) {
			return new ItemBudget(cancelSignal(context), LIMITS.operationMs / 1000, undefined, 'the time limit of operations without a Timeout option');
		}
		return new ItemBudget(cancelSignal(context), timeoutSeconds);
	}

	get canceled(): boolean {
		return this.signal?.aborted === true;
	}

	/** Canceled, or past its deadline. */
	get spent(): boolean {
		const remaining = this.remainingMs();
		return this.canceled || (remaining !== undefined && remaining <= 0);
	}

	/** ms left, or undefined without a deadline. */
	remainingMs(now = Date.now()): number | undefined {
		return this.deadline === undefined ? undefined : this.deadline - now;
	}

	/**
	 * The budget for cleaning up (canceling a chat): this one while it has more than
	 * LIMITS.cleanupMs left; otherwise (spent, canceled, or about to run out: a poll that stops
	 * just before the deadline) one allowance of LIMITS.cleanupMs, the same for every later cleanup
	 * request of the item, so cleanup never depends on how little of the Timeout was left, and
	 * cannot keep an item alive request by request.
	 */
	cleanup(): ItemBudget {
		const remaining = this.remainingMs();
		if (this.cleanupBudget === undefined && !this.canceled && (remaining === undefined || remaining > LIMITS.cleanupMs)) return this;
		this.cleanupBudget ??= new ItemBudget(undefined, 0, Date.now() + LIMITS.cleanupMs, 'the time allowed to clean up');
		return this.cleanupBudget;
	}

	/** The error for running out of this budget's time while doing `activity`. */
	timeoutError(activity: string): TransportError {
		return new TransportError('timeout', `Timed out after ${this.timeoutSeconds} s while ${activity} (${this.limitName})`);
	}

	/** The error for the execution being canceled while doing `activity`. */
	canceledError(activity: string): TransportError {
		return new TransportError('canceled', `The execution was canceled while ${activity}`);
	}

	/** Waits `ms`; fails at once when the wait would pass the deadline, or when the execution is canceled. */
	async sleep(ms: number, activity: string): Promise<void> {
		if (this.canceled) throw this.canceledError(activity);
		const remaining = this.remainingMs();
		if (remaining !== undefined && remaining <= ms) throw this.timeoutError(activity);
		const slept = await sleepWithAbort(ms, this.signal ?? new AbortController().signal).then(
			() => true,
			() => false,
		);
		if (!slept) throw this.canceledError(activity);
	}

	/** This budget as a poll's clock (core/polling.ts): its sleeps end at its deadline and on cancel. */
	clock(activity: string): PollClock {
		return { now: () => Date.now(), sleep: async (ms) => await this.sleep(ms, activity) };
	}

	/**
	 * Waits for work that may be shared with other items or executions (a token mint, a request
	 * started for someone else), but only until this budget ends: then it rejects with this budget's
	 * own timeout or cancel error, and the shared work goes on for whoever still waits for it.
	 */
	async waitFor<T>(work: Promise<T>, activity: string): Promise<T> {
		if (this.canceled) throw this.canceledError(activity);
		const remaining = this.remainingMs();
		if (remaining !== undefined && remaining <= 0) throw this.timeoutError(activity);
		if (remaining === undefined && !this.signal) return await work;
		const timer = new AbortController();
		const ended = new Promise<never>((_, reject) => {
			const onCancel = () => reject(this.canceledError(activity));
			this.signal?.addEventListener('abort', onCancel, { once: true });
			timer.signal.addEventListener('abort', () => this.signal?.removeEventListener('abort', onCancel), { once: true });
			if (remaining !== undefined) {
				sleepWithAbort(remaining, timer.signal).then(
					() => reject(this.timeoutError(activity)),
					() => undefined, // the work finished first
				);
			}
		});
		try {
			return await Promise.race([work, ended]);
		} finally {
			timer.abort();
		}
	}
}
