import { UploadPace } from '../../nodes/CozeChat/transport/exchange';

/** An upload's pace on a clock the test moves (ms). */
function paceOn(clock: { now: number }) {
	jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
	return new UploadPace();
}

afterEach(() => jest.restoreAllMocks());

const MB = 1024 * 1024;

describe('UploadPace: how long the last bytes of an upload may sit in socket buffers', () => {
	it('buffers filled at once, then a 1 MB/s server: the tail is what the buffers hold at 1 MB/s', () => {
		const clock = { now: 0 };
		const pace = paceOn(clock);
		pace.accept(7 * MB); // the operating system takes 7 MB at once
		const stalled = clock.now;
		clock.now += 1000;
		pace.waited(stalled); // the first stall: from now on the server's pace shows
		for (let second = 0; second < 5; second++) {
			pace.accept(MB);
			clock.now += 1000;
		}
		// 5 MB in the 6 s since the stall began (the server read during the stall too): 5/6 MB/s; the
		// buffers hold at most 10 MB of the 12 accepted, read in 12 s at that pace.
		expect(pace.tailMs()).toBeCloseTo(12_000, -2);
	});

	it('a body that never waited for the server gives no pace (the exchange then allows one idle limit)', () => {
		const clock = { now: 0 };
		const pace = paceOn(clock);
		pace.accept(3 * MB);
		clock.now += 10;
		expect(pace.tailMs()).toBeUndefined();
	});

	it("a wait while the connection is still starting (under 1 MB) is not the server's pace", () => {
		const clock = { now: 0 };
		const pace = paceOn(clock);
		pace.accept(128 * 1024);
		clock.now += 60;
		pace.waited(0); // 60 ms for the connection to open: ignored
		pace.accept(2 * MB);
		clock.now += 5;
		pace.waited(clock.now - 5); // 5 ms: not a stall
		expect(pace.tailMs()).toBeUndefined();
	});

	it('a slow server gives a long tail, a fast one a short tail', () => {
		const tailAt = (bytesPerSecond: number) => {
			const clock = { now: 0 };
			const pace = paceOn(clock);
			pace.accept(4 * MB);
			clock.now += 200;
			pace.waited(0);
			pace.accept(bytesPerSecond * 4);
			clock.now += 4000;
			const tail = pace.tailMs();
			jest.restoreAllMocks();
			return tail ?? 0;
		};
		expect(tailAt(256 * 1024)).toBeGreaterThan(tailAt(4 * MB) * 5);
	});
});
