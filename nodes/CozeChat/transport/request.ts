import * as workflow from 'n8n-workflow';
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IN8nHttpFullResponse,
} from 'n8n-workflow';

import { CozeApiError, unwrapServerError } from '../chat/errors';
import { tryParseJsonExact } from '../chat/json';
import { toNodeError } from './errors';

export type CozeContext = IExecuteFunctions | ILoadOptionsFunctions;

const REGION_BASE_URLS: Record<string, string> = {
	cn: 'https://api.coze.cn',
	com: 'https://api.coze.com',
};

/** A response body read as a stream: what n8n hands back for `encoding: 'stream'`. */
export interface ByteStream extends AsyncIterable<Uint8Array> {
	destroy(error?: Error): void;
}

/** The API base URL of the credential: region cn / com, or the custom base URL. */
export async function getBaseUrl(this: CozeContext): Promise<string> {
	const credentials = await this.getCredentials('cozeApi');
	const region = (credentials.region as string | undefined) ?? 'cn';
	if (region !== 'custom') {
		const url = REGION_BASE_URLS[region];
		if (!url) throw new NodeOperationError(this.getNode(), `Credential 'Coze API': unknown region '${region}'`);
		return url;
	}
	const baseUrl = String(credentials.baseUrl ?? '').trim().replace(/\/+$/, '');
	if (!/^https?:\/\/[^/]+/.test(baseUrl)) {
		throw new NodeOperationError(
			this.getNode(),
			`Credential 'Coze API': Base URL '${baseUrl}' is not an http(s) URL (expected something like http://localhost:8888)`,
		);
	}
	return baseUrl;
}

/**
 * One authenticated HTTP exchange with Coze. HTTP errors do not throw here: callers read Coze's
 * envelope from the body. Network failures are rethrown without the request options, which hold
 * the token.
 */
export async function cozeHttp(
	this: CozeContext,
	options: {
		method: IHttpRequestMethods;
		path: string;
		qs?: IDataObject;
		body?: IDataObject;
		/** A body sent as is (multipart uploads). */
		rawBody?: { data: Buffer; contentType: string };
		encoding: 'text' | 'stream';
	},
): Promise<IN8nHttpFullResponse> {
	const baseUrl = await getBaseUrl.call(this);
	const request: IHttpRequestOptions = {
		method: options.method,
		url: `${baseUrl}${options.path}`,
		qs: options.qs,
		headers: { Accept: options.encoding === 'stream' ? 'text/event-stream' : 'application/json' },
		encoding: options.encoding,
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (options.rawBody) {
		request.body = options.rawBody.data;
		request.headers!['Content-Type'] = options.rawBody.contentType;
	} else if (options.body !== undefined) {
		request.body = JSON.stringify(options.body);
		request.headers!['Content-Type'] = 'application/json';
	}
	// Only idempotent reads are retried: Coze has no idempotency key, so re-sending a POST (a chat,
	// an upload) could duplicate it.
	const attempts = options.method === 'GET' ? READ_ATTEMPTS : 1;
	for (let attempt = 1; ; attempt++) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				'cozeApi',
				request,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			if (isCanceled(this)) throw canceledError(this);
			if (attempt < attempts) {
				await backoff(this, attempt);
				continue;
			}
			// A fresh error on purpose: the original one references the request options (and the token).
			throw toNodeError(
				this.getNode(),
				new CozeApiError({
					msg: `Could not reach Coze at ${baseUrl}${options.path}: ${(error as Error).message}`,
				}),
			);
		}
		if (attempt < attempts && TRANSIENT_STATUSES.includes(response.statusCode)) {
			await backoff(this, attempt);
			continue;
		}
		return response;
	}
}

/** Tries per idempotent read, and the HTTP statuses worth another try. */
const READ_ATTEMPTS = 3;
const TRANSIENT_STATUSES = [429, 502, 503, 504];

async function backoff(context: CozeContext, attempt: number): Promise<void> {
	await sleepUnlessCanceled(context, 500 * 2 ** (attempt - 1));
}

/** A JSON call: returns the envelope's `data`, or throws CozeApiError for a non-zero code. */
export async function cozeApiRequest<T = IDataObject>(
	this: CozeContext,
	method: IHttpRequestMethods,
	path: string,
	options: { qs?: IDataObject; body?: IDataObject } = {},
): Promise<T> {
	const response = await cozeHttp.call(this, { method, path, ...options, encoding: 'text' });
	const envelope = parseEnvelope(response, String(response.body ?? ''), `${method} ${path}`);
	return envelope.data as T;
}

/**
 * Reads Coze's `{code, msg, data, detail}` envelope and throws CozeApiError when the HTTP status
 * or `code` says it failed (Coze often reports errors with HTTP 200). Like both official SDKs, an
 * envelope without `code` is a success (Coze's own cancel example has none; Coze Studio's cancel
 * answers `{"ChatV3ChatDetail":…,"BaseResp":null}`). An error never has an empty message: without
 * one, it names the HTTP status, the code, the endpoint and the log id.
 */
export function parseEnvelope(response: IN8nHttpFullResponse, text: string, endpoint?: string): IDataObject {
	// Coze Studio sends its log id as X-Log-ID.
	const headerLogid = headerValue(response, 'x-tt-logid') ?? headerValue(response, 'x-log-id');
	const parsed = tryParseJsonExact(text);
	const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : undefined) as
		| IDataObject
		| undefined;
	const status = response.statusCode;
	const rawCode = envelope?.code ?? envelope?.error_code;
	const hasCode = rawCode !== undefined && rawCode !== null && rawCode !== '';
	if (envelope && status < 400 && (!hasCode || rawCode === 0 || rawCode === '0')) return envelope;
	if (!envelope) {
		// Coze Studio answers /v3/chat/retrieve errors as text/plain ("code=… message=…\nstack=…").
		const inner = unwrapServerError(undefined, text);
		if (inner.code !== undefined) {
			throw new CozeApiError({ code: inner.code, msg: inner.msg, httpStatus: status, logid: headerLogid });
		}
		throw new CozeApiError({
			msg: `Coze answered HTTP ${status}${endpoint ? ` to ${endpoint}` : ''} with a body that is not JSON: ${text.slice(0, 300) || '(empty)'}`,
			httpStatus: status,
			logid: headerLogid,
		});
	}
	const detail = envelope.detail as IDataObject | undefined;
	const logid = headerLogid ?? (detail?.logid as string | undefined);
	const rawMsg = [envelope.msg, envelope.error_message, envelope.message].find(
		(value) => typeof value === 'string' && value.trim() !== '',
	) as string | undefined;
	const { code, msg } = unwrapServerError(rawCode, rawMsg ?? '');
	throw new CozeApiError({
		code,
		msg:
			msg ||
			`Coze answered HTTP ${status}${endpoint ? ` to ${endpoint}` : ''}${hasCode ? ` with code ${String(rawCode)}` : ''} and no error message${logid ? ` (logid ${logid})` : ''}`,
		logid,
		httpStatus: status >= 400 ? status : undefined,
	});
}

export function headerValue(response: IN8nHttpFullResponse, name: string): string | undefined {
	const value = response.headers?.[name] ?? response.headers?.[name.toLowerCase()];
	if (Array.isArray(value)) return value[0] as string;
	return value === undefined ? undefined : String(value);
}

/** The execution's cancel signal (load-options contexts have none). */
export function cancelSignal(context: CozeContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal?.() : undefined;
}

export function isCanceled(context: CozeContext): boolean {
	return cancelSignal(context)?.aborted === true;
}

/** Waits `ms`; a canceled execution ends the wait with canceledError. */
export async function sleepUnlessCanceled(context: CozeContext, ms: number): Promise<void> {
	try {
		await sleepWithAbort(ms, cancelSignal(context));
	} catch {
		throw canceledError(context);
	}
}

export function canceledError(context: CozeContext): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'The execution was canceled while waiting for Coze');
}

type SleepWithAbort = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Sleeps, rejecting early when `signal` aborts. n8n 1.x exports this as `sleepWithAbort`, n8n 2.x
 * folds it into `sleep`; both are timers n8n owns, which community nodes must use.
 */
export const sleepWithAbort: SleepWithAbort =
	(workflow as unknown as { sleepWithAbort?: SleepWithAbort }).sleepWithAbort ??
	(workflow.sleep as SleepWithAbort);
