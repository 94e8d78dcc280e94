/**
 * The shared poll with per-waiter outcomes (core/polling.ts), against a scripted source: which
 * keys each read asks for, the deadline it gets, and how a failed read is narrowed down.
 */
import { pollUntil, SharedPoll, type KeyReading, type SharedPollSource } from '../../nodes/CozeChat/core/polling';

class Refused extends Error {}
class OutOfTime extends Error {}

/** Keys are done after `readsUntilDone` reads of them; a read naming a key in `refuses` fails as a whole. */
function scripted(options: { readsUntilDone?: number; refuses?: Set<string>; outOfTime?: boolean; now?: number } = {}) {
	const reads: Array<{ keys: string[]; deadline: number }> = [];
	const counts = new Map<string, number>();
	const source: SharedPollSource<number> = {
		read: async (keys, deadline) => {
			reads.push({ keys, deadline });
			await Promise.resolve();
			if (options.outOfTime) throw new OutOfTime('read out of time');
			const refused = keys.find((key) => options.refuses?.has(key));
			if (refused) throw new Refused(`refused because of ${refused}`);
			const readings = new Map<string, KeyReading<number>>();
			for (const key of keys) {
				const count = (counts.get(key) ?? 0) + 1;
				counts.set(key, count);
				readings.set(key, { state: count >= (options.readsUntilDone ?? 2) ? 'done' : 'pending', value: count });
			}
			return readings;
		},
		failsAll: (error) => error instanceof OutOfTime,
		sleep: async () => await new Promise((resolve) => setImmediate(resolve)),
		now: () => options.now ?? 1_000,
	};
	return { source, reads };
}

const outcome = async <T>(promise: Promise<T>) => await promise.then((value) => ({ value }), (error: Error) => ({ error: error.message }));

describe('SharedPoll', () => {
	it("one read per round asks for every waited-for key; each waiter gets its own key's value", async () => {
		const { source, reads } = scripted({ readsUntilDone: 2 });
		const poll = new SharedPoll(source, 10, () => 60_000);
		const [a, b] = [poll.watch('a'), poll.watch('b')];
		expect(await Promise.all([a.done, b.done])).toEqual([2, 2]);
		expect(reads.map((r) => r.keys)).toEqual([['a', 'b'], ['a', 'b']]);
	});

	it('a failed read of several keys is asked again by halves: only the culprit fails', async () => {
		const { source, reads } = scripted({ readsUntilDone: 1, refuses: new Set(['c']) });
		const poll = new SharedPoll(source, 10, () => 60_000);
		const watches = ['a', 'b', 'c', 'd', 'e'].map((key) => poll.watch(key));
		const outcomes = await Promise.all(watches.map((w) => outcome(w.done)));
		expect(outcomes).toEqual([{ value: 1 }, { value: 1 }, { error: 'refused because of c' }, { value: 1 }, { value: 1 }]);
		expect(reads.map((r) => r.keys.join(''))).toEqual(['abcde', 'abc', 'ab', 'c', 'de']);
	});

	it('a failure that is not about the keys (out of time) fails every waiter of that read, without narrowing', async () => {
		const { source, reads } = scripted({ outOfTime: true });
		const poll = new SharedPoll(source, 10, () => 60_000);
		const outcomes = await Promise.all(['a', 'b', 'c'].map((key) => outcome(poll.watch(key).done)));
		expect(outcomes).toEqual([{ error: 'read out of time' }, { error: 'read out of time' }, { error: 'read out of time' }]);
		expect(reads).toHaveLength(1);
	});

	it("a read is given up at the latest deadline of its keys' waiters, at most the read limit from now", async () => {
		const { source, reads } = scripted({ readsUntilDone: 1, now: 1_000 });
		const poll = new SharedPoll(source, 10, () => 5_000);
		await Promise.all([poll.watch('a', 2_000).done, poll.watch('b', 3_000).done]);
		await poll.watch('c', 60_000).done;
		await Promise.all([poll.watch('d', 2_000).done, poll.watch('e').done]);
		expect(reads.map((r) => r.deadline)).toEqual([3_000, 6_000, 6_000]);
	});

	it('a waiter that left is not asked about again; the poll stops once nobody waits', async () => {
		const { source, reads } = scripted({ readsUntilDone: 3 });
		const poll = new SharedPoll(source, 10, () => 60_000);
		const leaving = poll.watch('gone');
		const staying = poll.watch('stays');
		await new Promise((resolve) => setImmediate(resolve));
		leaving.stop();
		expect(await staying.done).toBe(3);
		expect(reads[0].keys).toEqual(['gone', 'stays']);
		expect(reads.slice(1).map((r) => r.keys)).toEqual([['stays'], ['stays']]);
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(reads).toHaveLength(3);
		expect(poll.lastSeen('stays')).toBe(3);
	});
});

describe('pollUntil: one waiter, one thing, until done', () => {
	const fakeClock = () => {
		let now = 0;
		const slept: number[] = [];
		return { slept, clock: { now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)) } };
	};

	it('reads every interval until done, and returns the done value', async () => {
		const { slept, clock } = fakeClock();
		const values = ['running', 'running', 'done'];
		const result = await pollUntil({ read: async () => values.shift()!, done: (v) => v === 'done', intervalMs: 100, deadline: undefined, clock, outOfTime: () => new Error('never') });
		expect(result).toBe('done');
		expect(slept).toEqual([100, 100]);
	});

	it("never sleeps up to or past the deadline: the caller's out-of-time error with the last value instead", async () => {
		const { slept, clock } = fakeClock();
		const error = await pollUntil({ read: async () => 'running', done: () => false, intervalMs: 100, deadline: 300, clock, outOfTime: (last) => new Error(`still ${last}`) }).catch((e: Error) => e);
		expect((error as Error).message).toBe('still running');
		expect(slept).toEqual([100, 100]);
	});
});
