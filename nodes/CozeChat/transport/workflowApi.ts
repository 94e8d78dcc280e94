/**
 * Every call the Workflow resource and its picker make into the shared transport goes through this
 * file: event streams (stream.ts), JSON answers that keep Coze's whole envelope, uploads, and the
 * item's time budget.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, ILoadOptionsFunctions } from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import { uploadBinary } from './files';
import { ItemBudget, LIMITS, readText, TransportError } from './http';
import { cozeApiRequest, parseEnvelope, withRetries } from './request';
import { getSession } from './session';
import { streamCoze, type StreamHandler } from './stream';

export { ItemBudget, LIMITS, TransportError };

/**
 * POSTs `body` to a Coze SSE endpoint and feeds its events to `handler`. Resolves with undefined
 * when the stream ended or the handler had all it needed; resolves with the TransportError when
 * the connection broke off or ran out of time (the caller decides what that means for the run);
 * throws Coze's errors (HTTP/JSON refusals, and whatever the handler threw).
 */
export async function streamEvents(
	context: IExecuteFunctions,
	path: string,
	body: IDataObject,
	budget: ItemBudget,
	handler: StreamHandler,
): Promise<TransportError | undefined> {
	const outcome = await streamCoze.call(context, { path, body }, { budget, handler }).then(
		() => undefined,
		(error: unknown) => error,
	);
	if (outcome === undefined || (outcome instanceof TransportError && outcome.reason !== 'redirect')) return outcome;
	throw outcome;
}

/** A Coze JSON answer: the whole envelope (workflow answers keep debug_url, usage… beside `data`). */
export interface Envelope {
	envelope: IDataObject;
	logid: string | undefined;
}

/**
 * One JSON request that returns the whole envelope with its log id (parseEnvelope accepts answers
 * without `code`: Coze's documented async-run answer has none, nor has Coze Studio's run history).
 * A POST whose connection closes before the answer throws CozeApiError with `brokenHint`.
 */
export async function requestJson(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	method: IHttpRequestMethods,
	path: string,
	options: { qs?: IDataObject; body?: IDataObject; brokenHint?: string; budget?: ItemBudget } = {},
): Promise<Envelope> {
	const answer = await withRetries(
		context,
		{ method, path, qs: options.qs, body: options.body, accept: 'application/json', activity: `waiting for Coze to answer ${method} ${path}` },
		{ budget: options.budget },
		async (response, exchange) => {
			const text = await readText(response, exchange, LIMITS.maxJsonBytes);
			return { envelope: parseEnvelope(response, text, `${method} ${path}`), logid: response.logid };
		},
	).then(
		(envelope) => envelope,
		(error: unknown) => error as Error,
	);
	if (!(answer instanceof Error)) return answer;
	if (answer instanceof TransportError && answer.reason === 'network' && options.brokenHint !== undefined) {
		throw new CozeApiError({ msg: answer.msg, logid: answer.logid, hint: options.brokenHint });
	}
	throw answer;
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

/** Uploads an input binary field to Coze within the item's budget; returns the file id. */
export async function uploadFile(context: IExecuteFunctions, itemIndex: number, binaryField: string, budget?: ItemBudget): Promise<string> {
	return (await uploadBinary.call(context, itemIndex, binaryField, budget)).id;
}

/** Whether the credential points at a custom base URL (Coze Studio, a proxy). */
export async function usesCustomBaseUrl(context: IExecuteFunctions | ILoadOptionsFunctions): Promise<boolean> {
	return (await getSession(context)).credentials.data?.region === 'custom';
}
