/**
 * Rate limits: how long to wait before resending a request Coze rejected as "too many" (HTTP 429
 * or code 4013), and the concurrency limiter the items of one execution share, so that when Coze
 * pushes back fewer items run at once, then the number climbs back.
 */

/** Longest single wait between two attempts. */
const MAX_BACKOFF_MS = 30_000;
const BASE_BACKOFF_MS = 1_000;
/** Attempts when the item has no time limit (Timeout 0). */
export const MAX_ATTEMPTS_WITHOUT_DEADLINE = 8;

/** The longest wait a server's Retry-After is honoured for. */
const MAX_RETRY_AFTER_MS = 10 * MAX_BACKOFF_MS;

/** The shortest pause between two attempts, whatever Retry-After says (0 would be a busy loop). */
const MIN_BACKOFF_MS = 250;

/**
 * Exponential backoff with jitter (between half and all of 1 s, 2 s, 4 s … 30 s), or what the
 * server asked for in Retry-After (at least MIN_BACKOFF_MS, at most MAX_RETRY_AFTER_MS).
 */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, random = Math.random): number {
	if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(Math.max(retryAfterMs, MIN_BACKOFF_MS), MAX_RETRY_AFTER_MS);
	const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The three date forms HTTP allows: IMF-fixdate, RFC 850 and asctime (RFC 9110 §5.6.7). */
const HTTP_DATE =
	/^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Retry-After as ms, as HTTP defines it: delta-seconds (digits; a fraction is accepted) or an
 * HTTP-date. Anything else (-1, "soon", an ISO date) is undefined: the default backoff applies.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
	if (value === undefined) return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	if (!HTTP_DATE.test(trimmed)) return undefined;
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Additive-increase / multiplicative-decrease concurrency for the items of one execution: starts
 * at the user's Items in Parallel; each "too many" halves it (at most once per second, so one
 * burst of rejections counts once); every `limit` successful requests raise it by one again.
 */
export class AdaptiveLimiter {
	limit: number;

	private active = 0;

	private successes = 0;

	private lastDecrease = 0;

	private readonly waiting: Array<() => void> = [];

	constructor(readonly max: number) {
		this.limit = max;
	}

	async acquire(): Promise<void> {
		if (this.active < this.limit) {
			this.active++;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	release(): void {
		this.active--;
		this.wake();
	}

	onRateLimited(now = Date.now()): void {
		if (now - this.lastDecrease < 1000) return;
		this.lastDecrease = now;
		this.limit = Math.max(1, Math.floor(this.limit / 2));
		this.successes = 0;
	}

	onSuccess(): void {
		if (this.limit >= this.max) return;
		if (++this.successes >= this.limit) {
			this.limit++;
			this.successes = 0;
			this.wake();
		}
	}

	private wake(): void {
		while (this.active < this.limit && this.waiting.length > 0) {
			this.active++;
			(this.waiting.shift() as () => void)();
		}
	}
}

const limiters = new WeakMap<object, AdaptiveLimiter>();

/** The limiter the router set up for this execution's items (none when they run one by one). */
export function executionLimiter(context: object): AdaptiveLimiter | undefined {
	return limiters.get(context);
}

export function setExecutionLimiter(context: object, limiter: AdaptiveLimiter): void {
	limiters.set(context, limiter);
}
