import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import { CozeApiError, TransportError } from '../core/errors';
import type { ItemBudget } from '../boundaries/budget';
import { logDebug } from '../boundaries/output';
import { parseEnvelope, readEnvelope, readErrorText } from './body';
import { Exchange } from './exchange';
import { sendHttp } from './send';
import { headerValue, type HttpRequest, type HttpResponse } from './wire';
import { backoffMs, executionLimiter, MAX_ATTEMPTS_WITHOUT_DEADLINE, parseRetryAfter } from './rateLimit';
import { getSession, type CozeContext, type CozeSession } from './session';

export type { CozeContext } from './session';

/** Coze's code for "too many requests". */
const RATE_LIMITED = 4013;
/** Gateway answers worth another try for an idempotent read. */
const TRANSIENT_STATUSES = [502, 503, 504];
/** Tries for an idempotent read that hit a network error or a transient gateway answer. */
const READ_ATTEMPTS = 3;

export interface CallOptions {
	qs?: IDataObject;
	body?: IDataObject;
	/** The item's time (api/http.ts CozeHttp passes its own): deadline, cancel signal, rate-limit count. */
	budget: ItemBudget;
	/** Resend a request Coze rejected as "too many" (default true). */
	retryRateLimit?: boolean;
	/** What the request does, for a timeout's message. */
	activity?: string;
	/** See HttpRequest.headers. */
	headers?: Record<string, string>;
	/** See HttpRequest.readOnly. */
	readOnly?: boolean;
}

/**
 * The one JSON entry point: sends a request (retried as withRetries allows), reads the answer through
 * transport/body.ts readEnvelope, and returns Coze's envelope with the answer's log id (from its
 * header). api/http.ts CozeHttp is its only caller: every request runs under an item's budget.
 */
export async function cozeApiCall(
	context: CozeContext,
	method: IHttpRequestMethods,
	path: string,
	options: CallOptions & { rawBody?: HttpRequest['rawBody'] },
): Promise<{ envelope: IDataObject; logid: string | undefined }> {
	const request: HttpRequest = {
		method,
		path,
		qs: options.qs,
		body: options.body,
		rawBody: options.rawBody,
		accept: 'application/json',
		headers: options.headers,
		readOnly: options.readOnly,
		activity: options.activity ?? `waiting for Coze to answer ${method} ${path}`,
	};
	return await withRetries(context, request, options, async (response, exchange) => ({
		envelope: await readEnvelope(response, exchange, `${method} ${path}`),
		logid: response.logid,
	}));
}

/**
 * Sends a request and hands its response to `handle`, resending it when that is safe:
 *  - "too many requests" (HTTP 429 or code 4013) means Coze created nothing, so any request is
 *    resent after a backoff (Retry-After, else exponential with jitter), within the item's time;
 *  - network errors and 502/503/504 are retried for reads only (GETs, and POSTs marked readOnly): a POST that may have reached Coze
 *    (a chat, an upload) is never sent twice — Coze has no idempotency key.
 * A rejection for "too many" also lowers the execution's parallelism (see AdaptiveLimiter).
 */
export async function withRetries<T>(
	context: CozeContext,
	request: HttpRequest,
	options: Pick<CallOptions, 'budget' | 'retryRateLimit'>,
	handle: (response: HttpResponse, exchange: Exchange) => Promise<T>,
): Promise<T> {
	const { budget } = options;
	const seenBefore = budget.rateLimited;
	return await retrying(context, request, { ...options, budget }, handle).catch((error: unknown) => {
		// However the item ends after Coze rate-limited it (its Timeout ran out meanwhile, say), the
		// error says so: "too many requests" is the reason, not the symptom.
		throw budget.rateLimited > seenBefore ? afterRateLimits(error, budget) : error;
	});
}

async function retrying<T>(
	context: CozeContext,
	request: HttpRequest,
	options: Pick<CallOptions, 'retryRateLimit'> & { budget: ItemBudget },
	handle: (response: HttpResponse, exchange: Exchange) => Promise<T>,
): Promise<T> {
	const session = await getSession(context);
	const { budget } = options;
	const idempotent = request.method === 'GET' || request.readOnly === true;
	const limiter = executionLimiter(context);
	let reminted = false;
	for (let attempt = 1; ; attempt++) {
		const exchange = new Exchange(budget);
		const outcome = await attemptOnce(context, session, request, exchange, handle);
		if ('result' in outcome) {
			if (!idempotent) limiter?.onSuccess(); // only requests that create something count
			return outcome.result;
		}
		const error = outcome.error;
		// A JWT credential's token Coze refused: mint a new one and send once more (nothing was created).
		if (session.tokenGate && !reminted && !exchange.committed && isTokenRejection(error, session.tokenGate.isDue())) {
			reminted = true;
			session.tokenGate.rejected(exchange.sentToken ?? '');
			attempt--;
			continue;
		}
		const rateLimited = !exchange.committed && isRateLimit(error);
		const transient = !exchange.committed && idempotent && isTransient(error);
		if (!rateLimited && !transient) throw error;
		if (rateLimited) {
			budget.rateLimited++;
			limiter?.onRateLimited();
			if (options.retryRateLimit === false) throw withRateLimitNote(error, budget, 'Retry When Rate Limited is off');
		}
		const maxAttempts = rateLimited
			? budget.deadline === undefined ? MAX_ATTEMPTS_WITHOUT_DEADLINE : Infinity
			: READ_ATTEMPTS;
		if (attempt >= maxAttempts) {
			throw rateLimited ? withRateLimitNote(error, budget, `gave up after ${attempt} attempts`) : error;
		}
		const wait = backoffMs(attempt, (error as CozeApiError).retryAfterMs);
		const remaining = budget.remainingMs();
		if (remaining !== undefined && wait >= remaining) {
			throw rateLimited
				? withRateLimitNote(error, budget, `the next try (in ${Math.ceil(wait / 1000)} s) would pass the item's Timeout`)
				: error;
		}
		// A log line, redacted like every exit: the server's message may echo anything.
		logDebug(context, `Coze answered ${rateLimited ? '"too many requests"' : (error as Error).message}; sending ${request.method} ${request.path} again`, { attempt, waitMs: wait });
		await budget.sleep(wait, `waiting to retry ${request.method} ${request.path}`);
	}
}

/** One attempt: the response handled, or the error it ended with (the connection closed either way). */
async function attemptOnce<T>(
	context: CozeContext,
	session: CozeSession,
	request: HttpRequest,
	exchange: Exchange,
	handle: (response: HttpResponse, exchange: Exchange) => Promise<T>,
): Promise<{ result: T } | { error: Error }> {
	try {
		const response = await sendHttp(context, session, request, exchange);
		if (response.statusCode === 429) {
			return { error: rateLimitError(response, await readErrorText(response, exchange)) };
		}
		return { result: await handle(response, exchange) };
	} catch (error) {
		exchange.close();
		return { error: error as Error };
	} finally {
		exchange.finish();
	}
}

/** HTTP 401 or code 4100 (token invalid); 4101 (no permission) only for a token that is due anyway. */
function isTokenRejection(error: unknown, tokenDue: boolean): boolean {
	if (!(error instanceof CozeApiError) || error instanceof TransportError) return false;
	return error.httpStatus === 401 || error.code === 4100 || (tokenDue && error.code === 4101);
}

function isRateLimit(error: unknown): boolean {
	return error instanceof CozeApiError && !(error instanceof TransportError) && (error.httpStatus === 429 || error.code === RATE_LIMITED);
}

function isTransient(error: unknown): boolean {
	if (error instanceof TransportError) return error.reason === 'network';
	return error instanceof CozeApiError && error.httpStatus !== undefined && TRANSIENT_STATUSES.includes(error.httpStatus);
}

function rateLimitError(response: HttpResponse, text: string): CozeApiError {
	let error: CozeApiError;
	try {
		parseEnvelope(response, text);
		error = new CozeApiError({ msg: 'Too many requests', httpStatus: 429, logid: response.logid });
	} catch (caught) {
		error = caught as CozeApiError;
	}
	return new CozeApiError({
		code: error.code ?? RATE_LIMITED,
		msg: error.msg,
		logid: error.logid,
		httpStatus: 429,
		retryAfterMs: parseRetryAfter(headerValue(response, 'retry-after')),
	});
}

/** Marks an error that already says how often the item was rate limited. */
const RATE_LIMIT_NOTED = Symbol('rateLimitNoted');

/** Any other error that ends an item Coze rate-limited before: the same error, with the count. */
function afterRateLimits(error: unknown, budget: ItemBudget): unknown {
	if (!(error instanceof CozeApiError) || (error as unknown as Record<symbol, unknown>)[RATE_LIMIT_NOTED]) return error;
	const note = ` (after Coze rate-limited this item ${budget.rateLimited} time${budget.rateLimited === 1 ? '' : 's'} with "too many requests")`;
	const noted =
		error instanceof TransportError
			? new TransportError(error.reason, `${error.msg}${note}`, { logid: error.logid, httpStatus: error.httpStatus })
			: new CozeApiError({ code: error.code, msg: `${error.msg}${note}`, logid: error.logid, httpStatus: error.httpStatus, hint: error.hint, chatId: error.chatId, conversationId: error.conversationId, executeId: error.executeId, debugUrl: error.debugUrl });
	(noted as unknown as Record<symbol, unknown>)[RATE_LIMIT_NOTED] = true;
	return noted;
}

function withRateLimitNote(error: unknown, budget: ItemBudget, why: string): CozeApiError {
	const original = error as CozeApiError;
	const noted = new CozeApiError({
		code: original.code ?? RATE_LIMITED,
		msg: `${original.msg} (Coze rate-limited this item ${budget.rateLimited} time${budget.rateLimited === 1 ? '' : 's'}; ${why})`,
		logid: original.logid,
		httpStatus: original.httpStatus,
	});
	(noted as unknown as Record<symbol, unknown>)[RATE_LIMIT_NOTED] = true;
	return noted;
}
