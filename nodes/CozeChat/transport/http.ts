import * as workflow from 'n8n-workflow';
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import type { CozeContext, CozeSession } from './session';

/** Limits that keep one item's time and memory bounded (the README's Security section lists them). */
export const LIMITS = {
	/** A JSON answer larger than this fails the item. */
	maxJsonBytes: 16 * 1024 * 1024,
	/** A whole event stream larger than this fails the item. */
	maxStreamBytes: 64 * 1024 * 1024,
	/** Of an error body (HTML from a proxy, say), only this much is read. */
	maxErrorBodyBytes: 64 * 1024,
	/** Longest silence (no byte) accepted from Coze, whatever the item's Timeout. */
	idleMs: 5 * 60 * 1000,
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
	/** Same-origin redirects followed before giving up. */
	maxRedirects: 3,
	/** Time allowed to cancel a chat after its item ran out of time or was canceled. */
	cleanupMs: 5_000,
};

/** A response body read as a stream: what n8n hands back for `encoding: 'stream'`. */
export interface ByteStream extends AsyncIterable<Uint8Array> {
	destroy(error?: Error): void;
}

type SleepWithAbort = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Sleeps, rejecting early when `signal` aborts. n8n 1.x exports this as `sleepWithAbort`, n8n 2.x
 * folds it into `sleep`; both are timers n8n owns, which community nodes must use.
 */
export const sleepWithAbort: SleepWithAbort =
	(workflow as unknown as { sleepWithAbort?: SleepWithAbort }).sleepWithAbort ??
	(workflow.sleep as SleepWithAbort);

/** The execution's cancel signal (load-options contexts have none). */
export function cancelSignal(context: CozeContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal?.() : undefined;
}

/**
 * The time an item may take, and what happened to it so far. Every request of the item runs
 * under it: the deadline and the execution's cancel signal close the socket in whatever phase
 * the request is.
 */
export class ItemBudget {
	readonly deadline: number | undefined;

	/** Times Coze answered "too many requests" to this item. */
	rateLimited = 0;

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
	static of(context: CozeContext, timeoutSeconds?: number): ItemBudget {
		if (!('getExecutionCancelSignal' in context) && !(timeoutSeconds && timeoutSeconds > 0)) {
			return new ItemBudget(undefined, LIMITS.pickerMs / 1000, undefined, 'the picker time limit');
		}
		if (timeoutSeconds === undefined) {
			return new ItemBudget(cancelSignal(context), LIMITS.operationMs / 1000, undefined, "the time limit of operations without a Timeout option");
		}
		return new ItemBudget(cancelSignal(context), timeoutSeconds);
	}

	/** A short, separate budget to clean up (cancel a chat) after this one ran out or was canceled. */
	static forCleanup(): ItemBudget {
		return new ItemBudget(undefined, 0, Date.now() + LIMITS.cleanupMs);
	}

	get canceled(): boolean {
		return this.signal?.aborted === true;
	}

	/** ms left, or undefined without a deadline. */
	remainingMs(now = Date.now()): number | undefined {
		return this.deadline === undefined ? undefined : this.deadline - now;
	}

	/** Waits `ms`; fails when the execution is canceled or the wait would pass the deadline. */
	async sleep(ms: number, activity: string): Promise<void> {
		const remaining = this.remainingMs();
		if (remaining !== undefined && remaining <= ms) {
			throw new TransportError('timeout', `The item ran out of time (${this.timeoutSeconds} s) while ${activity}`);
		}
		const slept = await sleepWithAbort(ms, this.signal ?? new AbortController().signal).then(
			() => true,
			() => false,
		);
		if (!slept) throw new TransportError('canceled', `The execution was canceled while ${activity}`);
	}
}

export type StopReason = 'timeout' | 'idle' | 'canceled' | 'limit' | 'network' | 'redirect';

/**
 * The reason handed to AbortController.abort(): one shared instance, because abort() without a
 * reason builds a DOMException with a stack trace each time, and every request ends its watchdog.
 */
const ABORTED = new Error('aborted by the Coze node');

/** The longest the watchdog sleeps before it looks at the deadline and the idle limit again. */
const WATCHDOG_TICK_MS = 1000;

/** The exchange with Coze broke off, ran out of time, or was refused by the node's own rules. */
export class TransportError extends CozeApiError {
	constructor(
		readonly reason: StopReason,
		msg: string,
		extra: { logid?: string; httpStatus?: number } = {},
	) {
		super({ msg, ...extra });
		this.name = 'TransportError';
	}
}

/**
 * One request's lifetime: an abort signal handed to n8n's HTTP helper (which closes the socket
 * when it fires, in any phase), fired by the item's deadline, the execution's cancel signal, a
 * silence longer than `idleMs`, or `close()`. A single watchdog sleep (n8n's timer) does the timing.
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

	private controller = new AbortController();

	private lastActivity = Date.now();

	private tick: AbortController | undefined;

	private finished = false;

	private readonly onCancel = () => this.stop('canceled');

	constructor(
		readonly budget: ItemBudget,
		private idleMs = LIMITS.idleMs,
	) {
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

	/** Bytes arrived. */
	touch(): void {
		this.lastActivity = Date.now();
	}

	/** Changes the idle limit; the watchdog, which wakes at least every second, applies it. */
	setIdle(ms: number): void {
		this.idleMs = ms;
	}

	/** Stops the request: the socket is closed. The first reason wins. */
	stop(reason: StopReason): void {
		if (this.stopReason || this.finished) return;
		this.stopReason = reason;
		this.controller.abort(ABORTED);
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
		const message =
			reason === 'timeout'
				? `Timed out after ${this.budget.timeoutSeconds} s while ${this.phase} (${this.budget.limitName})`
				: reason === 'idle'
					? `Coze sent nothing for ${seconds(this.idleMs)} while ${this.phase}`
					: reason === 'canceled'
						? `The execution was canceled while ${this.phase}`
						: `The connection to Coze broke while ${this.phase}`;
		return new TransportError(reason, message, { logid });
	}

	private async watch(): Promise<void> {
		while (!this.finished && !this.stopReason) {
			const now = Date.now();
			const deadline = this.budget.deadline ?? Infinity;
			const idleAt = this.lastActivity + this.idleMs;
			if (now >= deadline) return this.stop('timeout');
			if (now >= idleAt) return this.stop('idle');
			// At most a second at a time, so a shorter idle limit (setIdle) takes effect without a re-arm.
			this.tick = new AbortController();
			try {
				await sleepWithAbort(Math.min(deadline - now, idleAt - now, WATCHDOG_TICK_MS), this.tick.signal);
			} catch {
				// finished: look again and leave
			}
		}
	}
}

/** One request to Coze, relative to the credential's base URL. */
export interface HttpRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	/** Sent as JSON. */
	body?: IDataObject;
	/** Sent as is (multipart uploads). */
	rawBody?: { data: Buffer; contentType: string };
	accept: 'application/json' | 'text/event-stream';
	/** What the request does, for messages ("uploading photo.png"). */
	activity?: string;
}

export interface HttpResponse extends IN8nHttpFullResponse {
	body: ByteStream;
	url: string;
	logid: string | undefined;
	/** The media type, lower case, without parameters. */
	mediaType: string;
}

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/**
 * Sends one request through n8n's `httpRequestWithAuthentication` (n8n adds the credential's
 * auth and runs its pre-authentication), with the credential decrypted once per execution, the
 * body as a stream the caller reads within limits, and this exchange's abort signal.
 *
 * Redirects are never followed by n8n (it would resend the token to any host): a redirect within
 * the base URL's origin is followed here, one to another origin is an error naming both.
 */
export async function sendHttp(
	context: CozeContext,
	session: CozeSession,
	request: HttpRequest,
	exchange: Exchange,
): Promise<HttpResponse> {
	let url = `${session.baseUrl}${request.path}`;
	let qs = request.qs;
	let method = request.method;
	const headers: IDataObject = { Accept: request.accept };
	let body: IHttpRequestOptions['body'];
	if (request.rawBody) {
		body = request.rawBody.data;
		headers['Content-Type'] = request.rawBody.contentType;
	} else if (request.body !== undefined) {
		body = JSON.stringify(request.body);
		headers['Content-Type'] = 'application/json';
	}
	if (request.activity) exchange.phase = request.activity;
	const helperContext = withOwnAbortSignal(context);
	for (let hop = 0; ; hop++) {
		const options: IHttpRequestOptions = {
			method,
			url,
			qs,
			headers,
			body,
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			abortSignal: exchange.signal,
		};
		const release = await session.tokenGate?.before(exchange.signal).catch(() => {
			throw exchange.stoppedError();
		});
		exchange.sentToken = session.tokenGate?.currentToken();

		const response = (await helperContext.helpers.httpRequestWithAuthentication
			.call(helperContext, session.credentialType, options, { credentialsDecrypted: session.credentials })
			.then((answer: unknown) => {
				// This request minted (other requests wait at the gate): it carried the new token.
				if (release) exchange.sentToken = session.tokenGate?.currentToken();
				return answer;
			})
			.catch((error: unknown) => {
				// This request was minting (its signal also ends the token request) and no token came.
				if (release && exchange.stopReason && !session.tokenGate?.currentToken()) {
					exchange.phase = `getting an access token from Coze's OAuth token endpoint at ${session.origin}`;
				}
				if (exchange.stopReason) return exchange.stoppedError();
				// The credential's own failure (a JWT credential that could not mint a token) says what to fix.
				const credentialFailure = notANetworkError(error);
				if (credentialFailure) return credentialFailure;
				// A fresh error on purpose: n8n's error holds the request options (and the token).
				return new TransportError('network', `Could not reach Coze at ${describeUrl(url)}: ${networkMessage(error)}`);
			})
			.finally(() => release?.())) as IN8nHttpFullResponse | CozeApiError;
		if (response instanceof CozeApiError) throw response;
		exchange.touch();
		const status = response.statusCode;
		const location = headerValue(response, 'location');
		if (!REDIRECT_STATUSES.includes(status) || location === undefined) {
			const contentType = headerValue(response, 'content-type') ?? '';
			return {
				...response,
				body: response.body as ByteStream,
				url,
				logid: headerValue(response, 'x-tt-logid') ?? headerValue(response, 'x-log-id'),
				mediaType: contentType.split(';')[0].trim().toLowerCase(),
			};
		}
		(response.body as ByteStream | undefined)?.destroy?.();
		const target = resolveLocation(location, url);
		const keepsMethod = status === 307 || status === 308 || method === 'GET';
		if (!target || new URL(target).origin !== session.origin) {
			throw new TransportError(
				'redirect',
				`Coze at ${session.origin} answered HTTP ${status} with a redirect to ${target ? new URL(target).origin : `'${location}'`}; the node does not follow redirects to another host, because its requests carry your access token. Check the credential's region and Base URL (for example http:// vs https://).`,
				{ httpStatus: status },
			);
		}
		if (!keepsMethod || hop >= LIMITS.maxRedirects) {
			throw new TransportError(
				'redirect',
				`Coze at ${session.origin} answered ${method} ${describeUrl(url)} with HTTP ${status} (redirect to ${describeUrl(target)}), which the node does not follow${hop >= LIMITS.maxRedirects ? ' more than 3 times' : ` for a ${method} request`}. Check the credential's Base URL.`,
				{ httpStatus: status },
			);
		}
		url = target;
		qs = undefined; // the Location carries its own query
		method = request.method;
		exchange.nextAttempt();
	}
}

/**
 * n8n 2.x's `httpRequestWithAuthentication` replaces `abortSignal` with the execution's cancel
 * signal whenever the calling context has `getExecutionCancelSignal`. The exchange's signal
 * already includes that cancel signal, plus the item's deadline and idle limit, so the helper is
 * called on a view of the context that hides the method; everything else reads through.
 */
function withOwnAbortSignal(context: CozeContext): CozeContext {
	if (!('getExecutionCancelSignal' in context)) return context;
	let view = views.get(context);
	if (!view) {
		view = new Proxy(context, {
			has: (target, key) => key !== 'getExecutionCancelSignal' && Reflect.has(target, key),
			get: (target, key) => (key === 'getExecutionCancelSignal' ? undefined : Reflect.get(target, key)),
		});
		views.set(context, view);
	}
	return view;
}
const views = new WeakMap<object, CozeContext>();

function resolveLocation(location: string, base: string): string | undefined {
	try {
		const url = new URL(location, base);
		return /^https?:$/.test(url.protocol) ? url.href : undefined;
	} catch {
		return undefined;
	}
}

/** A URL for messages: origin and path, never the query. */
export function describeUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return url.split('?')[0];
	}
}

/**
 * n8n wraps both a failed request and a failed pre-authentication in NodeApiError; only the first
 * has an HTTP client error as its cause. The second is rebuilt with its message and description
 * (never its cause, which may hold the request).
 */
function notANetworkError(error: unknown): CozeApiError | undefined {
	const record = error as { cause?: { isAxiosError?: unknown; name?: unknown; code?: unknown; message?: unknown; description?: unknown } };
	const cause = record?.cause;
	if (!cause || cause.isAxiosError || cause.name === 'AxiosError' || typeof cause.code === 'string') return undefined;
	if (typeof cause.message !== 'string' || !cause.message) return undefined;
	const description = typeof cause.description === 'string' && cause.description ? ` (${cause.description})` : '';
	return new CozeApiError({ msg: `${cause.message}${description}` });
}

function networkMessage(error: unknown): string {
	const record = error as { message?: unknown; cause?: { code?: unknown; message?: unknown }; code?: unknown };
	const code = record.cause?.code ?? record.code;
	const text = typeof record.cause?.message === 'string' ? record.cause.message : String(record.message ?? error);
	return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}

/** A response header, case-insensitively. */
export function headerValue(response: Pick<IN8nHttpFullResponse, 'headers'>, name: string): string | undefined {
	const headers = (response.headers ?? {}) as Record<string, unknown>;
	let value = headers[name] ?? headers[name.toLowerCase()];
	if (value === undefined) {
		const lower = name.toLowerCase();
		const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
		if (key !== undefined) value = headers[key];
	}
	if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

/**
 * Reads a whole body as text, within `maxBytes`. `truncate` keeps the first `maxBytes` and closes
 * the connection (error pages); otherwise a larger body fails.
 */
export async function readText(
	response: HttpResponse,
	exchange: Exchange,
	maxBytes: number,
	options: { truncate?: boolean } = {},
): Promise<string> {
	exchange.phase = `reading Coze's answer from ${describeUrl(response.url)}`;
	const chunks: Uint8Array[] = [];
	let size = 0;
	const failure = await consume(response, exchange, (chunk) => {
		size += chunk.length;
		if (size <= maxBytes) {
			chunks.push(chunk);
			return true;
		}
		if (!options.truncate) {
			exchange.stop('limit');
			return new TransportError(
				'limit',
				`Coze's answer from ${describeUrl(response.url)} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; the node stopped reading it`,
				{ logid: response.logid },
			);
		}
		chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)));
		exchange.close();
		return false;
	});
	if (failure) throw failure;
	return Buffer.concat(chunks).toString('utf8');
}

/**
 * The one read loop over a response body: hands each chunk to `onChunk` (true: go on, false:
 * stop, an error: fail) and returns the failure, if any — the handler's own error (a Coze error
 * from the events), or why the connection stopped (timeout, idle, cancel, network).
 */
export async function consume(
	response: HttpResponse,
	exchange: Exchange,
	onChunk: (chunk: Uint8Array) => boolean | Error,
): Promise<Error | undefined> {
	try {
		for await (const chunk of response.body) {
			exchange.touch();
			let verdict: boolean | Error;
			try {
				verdict = onChunk(chunk);
			} catch (error) {
				return error as Error; // the handler's failure, as it is
			}
			if (verdict === true) continue;
			if (verdict instanceof Error) return verdict;
			return undefined;
		}
		return undefined;
	} catch (error) {
		if (exchange.stopReason) return exchange.stoppedError(response.logid);
		return new TransportError('network', `The connection to Coze broke while ${exchange.phase}: ${networkMessage(error)}`, {
			logid: response.logid,
		});
	}
}
