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

import { CozeApiError } from '../chat/errors';
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
	const envelope = parseEnvelope(response, String(response.body ?? ''));
	return envelope.data as T;
}

/**
 * Reads Coze's `{code, msg, data, detail}` envelope and throws CozeApiError when the HTTP status
 * or `code` says it failed (Coze often reports errors with HTTP 200).
 */
export function parseEnvelope(response: IN8nHttpFullResponse, text: string): IDataObject {
	const logid = headerValue(response, 'x-tt-logid');
	const parsed = tryParseJsonExact(text);
	const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : undefined) as
		| IDataObject
		| undefined;
	const status = response.statusCode;
	const code = envelope?.code;
	if (envelope && (code === 0 || code === '0') && status < 400) return envelope;
	if (!envelope) {
		throw new CozeApiError({
			msg: `Coze answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 300) || '(empty)'}`,
			httpStatus: status,
			logid,
		});
	}
	const detail = envelope.detail as IDataObject | undefined;
	throw new CozeApiError({
		code: (code ?? envelope.error_code) as number | string | undefined,
		msg: String(envelope.msg ?? envelope.error_message ?? envelope.message ?? `HTTP ${status}`),
		logid: logid ?? (detail?.logid as string | undefined),
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
