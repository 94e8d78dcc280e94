import { AdaptiveLimiter, backoffMs, parseRetryAfter } from '../../nodes/CozeChat/transport/rateLimit';

describe('backoff', () => {
	it('grows exponentially with jitter between half and all of the step, capped at 30 s', () => {
		expect(backoffMs(1, undefined, () => 0)).toBe(500);
		expect(backoffMs(1, undefined, () => 1)).toBe(1000);
		expect(backoffMs(3, undefined, () => 1)).toBe(4000);
		expect(backoffMs(20, undefined, () => 1)).toBe(30_000);
	});

	it('follows Retry-After when the server sends it, with a floor against a busy loop and a cap', () => {
		expect(backoffMs(5, 1500, () => 0)).toBe(1500);
		expect(backoffMs(1, 0, () => 1)).toBe(250);
		expect(backoffMs(1, 3_600_000, () => 1)).toBe(300_000);
	});

	it('reads Retry-After only as HTTP allows: delta-seconds or an HTTP-date', () => {
		const now = Date.parse('Wed, 02 Dec 2026 10:00:00 GMT');
		expect(parseRetryAfter('-1', now)).toBeUndefined();
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter('2026-12-02T10:00:05Z', now)).toBeUndefined();
		expect(parseRetryAfter('Wed, 02 Dec 2026 10:00:05 GMT', now)).toBe(5000);
		expect(parseRetryAfter('Wednesday, 02-Dec-26 10:00:05 GMT', now)).toBe(5000);
		expect(parseRetryAfter('Wed Dec  2 10:00:05 2026', now)).toBe(5000);
		expect(parseRetryAfter('2.5', now)).toBe(2500);
	});

	it('reads Retry-After as seconds or as an HTTP date', () => {
		expect(parseRetryAfter('2')).toBe(2000);
		expect(parseRetryAfter(' 0.5 ')).toBe(500);
		const now = Date.parse('Mon, 23 Nov 2026 10:00:00 GMT');
		expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:03 GMT', now)).toBe(3000);
		expect(parseRetryAfter('soon')).toBeUndefined();
		expect(parseRetryAfter(undefined)).toBeUndefined();
	});
});

describe('AdaptiveLimiter', () => {
	it('halves on "too many" (once per burst), then climbs back by one per `limit` successes', () => {
		const limiter = new AdaptiveLimiter(20);
		limiter.onRateLimited(10_000);
		limiter.onRateLimited(10_500); // the same burst
		expect(limiter.limit).toBe(10);
		limiter.onRateLimited(11_600);
		expect(limiter.limit).toBe(5);
		for (let i = 0; i < 5; i++) limiter.onSuccess();
		expect(limiter.limit).toBe(6);
		for (let i = 0; i < 6; i++) limiter.onSuccess();
		expect(limiter.limit).toBe(7);
	});

	it('never drops below one nor climbs above the user\'s Items in Parallel', () => {
		const limiter = new AdaptiveLimiter(2);
		for (let t = 0; t < 10; t++) limiter.onRateLimited(t * 2000);
		expect(limiter.limit).toBe(1);
		for (let i = 0; i < 10; i++) limiter.onSuccess();
		expect(limiter.limit).toBe(2);
	});

	it('holds back new work while the limit is reached, and releases it in order', async () => {
		const limiter = new AdaptiveLimiter(2);
		await limiter.acquire();
		await limiter.acquire();
		const order: number[] = [];
		const third = limiter.acquire().then(() => order.push(3));
		const fourth = limiter.acquire().then(() => order.push(4));
		await Promise.resolve();
		expect(order).toEqual([]);
		limiter.release();
		await third;
		expect(order).toEqual([3]);
		limiter.release();
		await fourth;
		expect(order).toEqual([3, 4]);
	});
});
