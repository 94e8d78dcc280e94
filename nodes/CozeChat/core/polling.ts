/**
 * Polling, in one place: every wait for Coze to finish something follows one of the two shapes here.
 *
 *  - pollUntil: one waiter reads one thing until it is done (a chat's status, an async workflow
 *    run's history, an Output node's result): read, done? else, when the next read would come after
 *    the deadline, the caller's out-of-time error; else sleep the interval and read again.
 *  - SharedPoll: many waiters on keys of one kind (documents of one knowledge base) share one read per
 *    interval, each with its own outcome (below).
 *
 * Pure: time and I/O come from the caller (an item's budget supplies both in the node).
 */

/** The clock a poll runs on: the item's budget in the node, a fake in unit tests. */
export interface PollClock {
	now(): number;
	/** Waits `ms`; rejects when waiting must stop (the execution was canceled, the deadline passed). */
	sleep(ms: number): Promise<void>;
}

/**
 * Reads until `done`, every `intervalMs`. With a `deadline`, a read whose result is not done and
 * after which the next read would come later than the deadline ends the poll with `outOfTime(last)`
 * (the caller says what that means: cancel a chat, point at Get Run History …) — never a sleep up to
 * or past the deadline.
 */
export async function pollUntil<T>(options: {
	read: () => Promise<T>;
	done: (value: T) => boolean;
	intervalMs: number;
	deadline: number | undefined;
	clock: PollClock;
	outOfTime: (last: T) => Error | Promise<Error>;
}): Promise<T> {
	const { read, done, intervalMs, deadline, clock } = options;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (deadline !== undefined && clock.now() + intervalMs >= deadline) throw await options.outOfTime(value);
		await clock.sleep(intervalMs);
	}
}

/**
 * One poll shared by everyone waiting on keys of the same kind (documents of one knowledge base),
 * each with its own outcome. While anyone waits, one read asks about all waited-for keys, every
 * interval; a key the read reports done settles its waiters, one it reports failed rejects them.
 * When a read of several keys fails as a whole (say one of them is gone and the server refuses
 * the request), it is asked again by halves, down to single keys, so only the culprit fails and
 * the others carry on; a single-key read that fails fails that key only. A failure the source
 * says is not about the keys (the execution was canceled, the read ran out of time) fails all of
 * that read's waiters at once.
 *
 * Every read has a deadline: the latest deadline among the waiters of its keys, capped at
 * `readLimitMs` from its start (a hanging server cannot hold the poll). Waiters leave at their own
 * deadline on their own side (their `stop()` takes them off the poll). Pure: time and I/O come
 * from the source.
 */

/** What one read says about one key. */
export type KeyReading<V> = { state: 'pending'; value: V } | { state: 'done'; value: V } | { state: 'failed'; error: unknown };

/** The reads of a SharedPoll, and the clock it waits between them on (sleep rejects when waiting must stop). */
export interface SharedPollSource<V> extends PollClock {
	/**
	 * One request for `keys`, given up at `deadline` (epoch ms). Resolves with what it learned per
	 * key (a key left out stays pending); rejects when the request failed as a whole.
	 */
	read(keys: string[], deadline: number): Promise<Map<string, KeyReading<V>>>;
	/** True for a failed read that says nothing about its keys (canceled, out of time): not narrowed down. */
	failsAll(error: unknown): boolean;
}

export interface Watch<V> {
	/** Settles with the key's final value, or rejects with its error. */
	done: Promise<V>;
	/** Takes this waiter off the poll (done, or leaving at its own deadline). */
	stop(): void;
}

interface Waiter<V> {
	resolve: (value: V) => void;
	reject: (error: unknown) => void;
	/** Epoch ms this waiter leaves at; undefined: no deadline of its own. */
	deadline: number | undefined;
}

export class SharedPoll<V> {
	private readonly waiters = new Map<string, Set<Waiter<V>>>();
	private readonly seen = new Map<string, V>();
	private polling = false;

	constructor(
		private readonly source: SharedPollSource<V>,
		private readonly intervalMs: number,
		/** Longest one read may take, whatever the waiters' deadlines. */
		private readonly readLimitMs: () => number,
	) {}

	watch(key: string, deadline?: number): Watch<V> {
		let waiter!: Waiter<V>;
		const done = new Promise<V>((resolve, reject) => {
			waiter = { resolve, reject, deadline };
		});
		// Settled by the poll even when nobody awaits it any more (a waiter that left).
		done.catch(() => undefined);
		let set = this.waiters.get(key);
		if (!set) this.waiters.set(key, (set = new Set()));
		set.add(waiter);
		if (!this.polling) {
			this.polling = true;
			void this.run();
		}
		return {
			done,
			stop: () => {
				const current = this.waiters.get(key);
				current?.delete(waiter);
				if (current?.size === 0) this.waiters.delete(key);
			},
		};
	}

	/** The last value a read reported for `key` (done or pending). */
	lastSeen(key: string): V | undefined {
		return this.seen.get(key);
	}

	private settle(key: string, outcome: { value: V } | { error: unknown }): void {
		for (const waiter of this.waiters.get(key) ?? []) {
			if ('value' in outcome) waiter.resolve(outcome.value);
			else waiter.reject(outcome.error);
		}
		this.waiters.delete(key);
	}

	private async run(): Promise<void> {
		// Waiters that register in the same turn go into the first read together.
		await Promise.resolve();
		for (;;) {
			// Checked and cleared with no await in between: a key registered later starts a new poll.
			if (this.waiters.size === 0) {
				this.polling = false;
				return;
			}
			await this.readNarrowing([...this.waiters.keys()]);
			if (this.waiters.size === 0) continue;
			const slept = await this.source.sleep(this.intervalMs).then(
				() => undefined,
				(error: unknown) => ({ error }),
			);
			if (slept) for (const key of [...this.waiters.keys()]) this.settle(key, slept);
		}
	}

	/** Reads `keys`; a failed read of several is read again by halves, so a failure lands on its own key. */
	private async readNarrowing(asked: string[]): Promise<void> {
		// Keys whose waiters all left meanwhile are not asked about.
		const keys = asked.filter((key) => this.waiters.has(key));
		if (keys.length === 0) return;
		const answer = await this.source.read(keys, this.deadlineFor(keys)).then(
			(readings) => ({ readings }),
			(error: unknown) => ({ error }),
		);
		if ('readings' in answer) {
			for (const [key, reading] of answer.readings) {
				if (!keys.includes(key)) continue;
				if (reading.state === 'failed') {
					this.settle(key, { error: reading.error });
					continue;
				}
				this.seen.set(key, reading.value);
				if (reading.state === 'done') this.settle(key, { value: reading.value });
			}
			return;
		}
		if (keys.length === 1 || this.source.failsAll(answer.error)) {
			for (const key of keys) this.settle(key, answer);
			return;
		}
		const half = Math.ceil(keys.length / 2);
		await this.readNarrowing(keys.slice(0, half));
		await this.readNarrowing(keys.slice(half));
	}

	/** The latest deadline among the waiters of `keys`, at most readLimitMs from now. */
	private deadlineFor(keys: string[]): number {
		const cap = this.source.now() + this.readLimitMs();
		let latest = -Infinity;
		for (const key of keys) {
			for (const waiter of this.waiters.get(key) ?? []) {
				if (waiter.deadline === undefined) return cap;
				latest = Math.max(latest, waiter.deadline);
			}
		}
		return Math.min(cap, latest);
	}
}
