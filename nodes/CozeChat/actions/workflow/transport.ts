/**
 * Every call the Workflow resource makes into the shared transport (transport/request.ts,
 * transport/stream.ts, transport/files.ts, chat/sse.ts) goes through this file, so a new
 * transport only needs this file ported.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, ILoadOptionsFunctions } from 'n8n-workflow';

import { CozeApiError } from '../../chat/errors';
import { tryParseJsonExact } from '../../chat/json';
import { readSseEvents } from '../../chat/sse';
import type { SseEvent } from '../../chat/types';
import { uploadBinary } from '../../transport/files';
import {
	cancelSignal,
	canceledError,
	cozeApiRequest,
	cozeHttp,
	headerValue,
	isCanceled,
	parseEnvelope,
	sleepUnlessCanceled,
} from '../../transport/request';
import { guardStream, openCozeStream, StreamBrokenError, type StreamLimits } from '../../transport/stream';

export { StreamBrokenError };
export type { StreamLimits };

/** An open Coze event stream, guarded by `limits` (idle time, deadline, cancel). */
export interface EventStream {
	events: AsyncGenerator<SseEvent>;
	logid: string | undefined;
	close(): void;
}

/** POSTs `body` to a Coze SSE endpoint and reads its events; HTTP/JSON errors throw CozeApiError. */
export async function openEventStream(
	context: IExecuteFunctions,
	path: string,
	body: IDataObject,
	limits: StreamLimits,
): Promise<EventStream> {
	const { body: bytes, logid } = await openCozeStream.call(context, { path, body });
	return { events: readSseEvents(guardStream(bytes, limits)), logid, close: () => bytes.destroy() };
}

/** A Coze JSON answer: the whole envelope (workflow answers keep debug_url, usage… beside `data`). */
export interface Envelope {
	envelope: IDataObject;
	logid: string | undefined;
}

/**
 * One JSON request. Unlike cozeApiRequest it returns the whole envelope and accepts answers
 * without `code` (Coze's documented async-run answer has none, nor has Coze Studio's run
 * history). A connection that closes before the answer throws CozeApiError with `brokenHint`.
 */
export async function requestJson(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	method: IHttpRequestMethods,
	path: string,
	options: { qs?: IDataObject; body?: IDataObject; brokenHint?: string } = {},
): Promise<Envelope> {
	let response;
	let failure: Error | undefined;
	try {
		response = await cozeHttp.call(context, { method, path, qs: options.qs, body: options.body, encoding: 'text' });
	} catch (error) {
		failure = error as Error;
	}
	if (failure !== undefined || response === undefined) {
		if (isCanceled(context) || options.brokenHint === undefined) throw failure;
		throw new CozeApiError({ msg: failure?.message ?? 'no answer', hint: options.brokenHint });
	}
	const text = String(response.body ?? '');
	const logid = headerValue(response, 'x-tt-logid');
	const parsed = tryParseJsonExact(text) as IDataObject | undefined;
	const codeless = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && (parsed.code === undefined || parsed.code === null);
	if (codeless && response.statusCode < 400 && parsed.error_code === undefined) return { envelope: parsed, logid };
	return { envelope: parseEnvelope(response, text), logid };
}

/** `data` of a JSON call (pickers). */
export async function requestData<T>(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	method: IHttpRequestMethods,
	path: string,
	qs?: IDataObject,
): Promise<T> {
	return (await cozeApiRequest.call(context, method, path, { qs })) as T;
}

/** Uploads an input binary field to Coze; returns the file id. */
export async function uploadFile(context: IExecuteFunctions, itemIndex: number, binaryField: string): Promise<string> {
	return (await uploadBinary.call(context, itemIndex, binaryField)).id;
}

/** Whether the credential points at a custom base URL (Coze Studio, a proxy). */
export async function usesCustomBaseUrl(context: IExecuteFunctions | ILoadOptionsFunctions): Promise<boolean> {
	const credentials = await context.getCredentials('cozeApi');
	return credentials.region === 'custom';
}

export function executionCancelSignal(context: IExecuteFunctions): AbortSignal | undefined {
	return cancelSignal(context);
}

export function executionCanceled(context: IExecuteFunctions): Error {
	return canceledError(context);
}

/** Waits; a canceled execution ends the wait with an error. */
export async function pause(context: IExecuteFunctions, ms: number): Promise<void> {
	await sleepUnlessCanceled(context, ms);
}
