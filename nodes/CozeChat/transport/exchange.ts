import { TransportError, type StopReason } from '../core/errors';
import { LIMITS, sleepWithAbort, type ItemBudget } from '../boundaries/budget';

/**
 * The reason handed to AbortController.abort(): one shared instance, because abort() without a
 * reason builds a DOMException with a stack trace each time, and every request ends its watchdog.
 */
const ABORTED = new Error('aborted by the Coze node');

/** The longest the watchdog sleeps before it looks at the deadline and the idle limit again. */
const WATCHDOG_TICK_MS = 1000;

/**
 * One request's lifetime: an abort signal handed to n8n's HTTP helper (which closes the socket
 * when it fires, in any phase), fired by the item's deadline (ItemBudget), the execution's cancel
 * signal, a silence longer than the idle limit, the end of a settling period, or `close()`. A
 * single watchdog sleep (n8n's timer) does the timing.
 *
 * Silence means no byte in either direction: bytes of a request body that is still being sent
 * (an upload) count as activity just like bytes of the answer.
 */
export class Exchange {
	stopReason: StopReason | undefined;

	/** What the request is doing, for the error message when it is stopped. */
	phase = 'connecting to Coze and waiting for its answer';

	/**
	 * Set once the answer shows the request took effect (a stream delivered an event): from then
	 * on a failure is never answered by sending the request again.
	 */
	committed = false;

	/** The JWT access token the last attempt carried (to tell a refusal of an older token apart). */
	sentToken: string | undefined;

	/** Settles when the exchange is stopped (never when it finishes normally). */
	readonly stopped: Promise<void>;

	private markStopped!: () => void;

	private controller = new AbortController();

	private lastActivity = Date.now();

	/** When set, the exchange ends then, whatever arrives meanwhile (see settle()). */
	private settleAt: number | undefined;

	private tick: AbortController | undefined;

	private finished = false;

	private readonly onCancel = () => this.stop('canceled');

	constructor(
		readonly budget: ItemBudget,
		private readonly idleMs = LIMITS.idleMs,
	) {
		this.stopped = new Promise<void>((resolve) => (this.markStopped = resolve));
		if (budget.canceled) this.stop('canceled');
		budget.signal?.addEventListener('abort', this.onCancel);
		void this.watch();
	}

	/** The signal of the current attempt. */
	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/** A fresh signal for another attempt over the same exchange (a followed redirect). */
	nextAttempt(): void {
		this.controller.abort(ABORTED);
		this.controller = new AbortController();
		if (this.stopReason) this.controller.abort(ABORTED);
	}

	/** Bytes arrived, or request bytes went out. */
	touch(): void {
		this.lastActivity = Date.now();
	}

	/**
	 * The request body's last byte was accepted, but may sit in the sockets' buffers for `tailMs`
	 * before the server has read it (UploadPace): silence counts from then. Without a pace (the body
	 * never waited for the server) one idle limit is allowed for it. The item's Timeout still holds.
	 */
	bodySent(tailMs: number | undefined): void {
		this.lastActivity = Math.max(this.lastActivity, Date.now() + (tailMs ?? this.idleMs));
	}

	/**
	 * From now on the exchange may last at most `ms` more, however many bytes arrive: for the tail of
	 * a stream whose answer is complete (only `done` is left, or only the server's close), which a
	 * server sending heartbeats must not stretch. The earliest settle wins.
	 */
	settle(ms: number): void {
		const at = Date.now() + ms;
		if (this.settleAt === undefined || at < this.settleAt) {
			this.settleAt = at;
			this.tick?.abort(ABORTED); // look again now
		}
	}

	/** Stops the request: the socket is closed. The first reason wins. */
	stop(reason: StopReason): void {
		if (this.stopReason || this.finished) return;
		this.stopReason = reason;
		this.controller.abort(ABORTED);
		this.markStopped();
	}

	/** Closes the connection without it counting as a failure (the node read what it needed). */
	close(): void {
		this.controller.abort(ABORTED);
	}

	/** Ends the exchange: no more timers or listeners. */
	finish(): void {
		if (this.finished) return;
		this.finished = true;
		this.tick?.abort(ABORTED);
		this.budget.signal?.removeEventListener('abort', this.onCancel);
	}

	/** The error for a stopped exchange, naming the phase it was in. */
	stoppedError(logid?: string): TransportError {
		const reason = this.stopReason ?? 'network';
		const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
		if (reason === 'timeout') return withLogid(this.budget.timeoutError(this.phase), logid);
		if (reason === 'canceled') return withLogid(this.budget.canceledError(this.phase), logid);
		const message =
			reason === 'idle'
				? this.settleAt !== undefined && Date.now() >= this.settleAt
					? `Coze kept the connection open after its answer was complete while ${this.phase}`
					: `Coze sent nothing for ${seconds(this.idleMs)} while ${this.phase}`
				: `The connection to Coze broke while ${this.phase}`;
		return new TransportError(reason, message, { logid });
	}

	private async watch(): Promise<void> {
		while (!this.finished && !this.stopReason) {
			const now = Date.now();
			const deadline = this.budget.deadline ?? Infinity;
			const idleAt = Math.min(this.lastActivity + this.idleMs, this.settleAt ?? Infinity);
			if (now >= deadline) return this.stop('timeout');
			if (now >= idleAt) return this.stop('idle');
			this.tick = new AbortController();
			try {
				await sleepWithAbort(Math.min(deadline - now, idleAt - now, WATCHDOG_TICK_MS), this.tick.signal);
			} catch {
				// finished or settled: look again
			}
		}
	}
}

function withLogid(error: TransportError, logid: string | undefined): TransportError {
	return logid === undefined ? error : new TransportError(error.reason, error.msg, { logid });
}

/** A wait for the connection to take more of a body shorter than this is not a stall. */
const STALL_MS = 50;

/** Stalls before this much of a body was accepted belong to the connection starting, not to the server's pace. */
const PACE_FROM_BYTES = 1024 * 1024;

/**
 * What the sockets between the node and the server may hold: Linux's default maximum send buffer
 * (tcp_wmem, 4 MB) and receive buffer (tcp_rmem, 6 MB); a loopback upload measured 7.4 MB accepted
 * before the first stall.
 */
const BUFFERED_MAX_BYTES = 10 * 1024 * 1024;

/**
 * How an upload leaves: the node sees only what the connection accepts, and the operating system
 * accepts MBs ahead of the server. After the last byte the server still reads what the buffers
 * hold, at its own pace, and answers only then. The pace is the rate the connection accepted bytes
 * once it first had to wait for the server; the buffers hold at most BUFFERED_MAX_BYTES.
 */
export class UploadPace {
	private accepted = 0;

	/** When the first stall (past the connection's start) began, and how much was accepted by then. */
	private paced: { since: number; accepted: number } | undefined;

	/** `bytes` more were accepted. */
	accept(bytes: number): void {
		this.accepted += bytes;
	}

	/** The body waited for the connection from `since` until now. */
	waited(since: number): void {
		if (this.paced === undefined && this.accepted >= PACE_FROM_BYTES && Date.now() - since >= STALL_MS) {
			this.paced = { since, accepted: this.accepted };
		}
	}

	/**
	 * How long, after the body's last byte was accepted, the server may still be reading it: what the
	 * buffers may hold at the server's pace; undefined when the body never waited for the server
	 * (nothing tells its pace).
	 */
	tailMs(): number | undefined {
		const paced = this.paced;
		const ms = paced ? Date.now() - paced.since : 0;
		if (!paced || ms <= 0 || this.accepted <= paced.accepted) return undefined;
		const bytesPerMs = (this.accepted - paced.accepted) / ms;
		return Math.min(this.accepted, BUFFERED_MAX_BYTES) / bytesPerMs;
	}
}
