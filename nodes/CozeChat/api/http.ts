/**
 * One item's door to Coze: every request an api/ resource sends goes through here, under the
 * item's budget (boundaries/budget.ts), so no resource method takes a budget and none can forget it.
 * The router builds it for each item (api/client.ts CozeClient); pickers get one bounded by the
 * picker time limit. The transport (retries, body reading, the socket watchdog) is transport/.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';

import { ItemBudget } from '../boundaries/budget';
import { cozeApiCall, withRetries, type CallOptions } from '../transport/request';
import { usesCustomBaseUrl, type CozeContext } from '../transport/session';
import { streamCoze, type StreamHandler, type StreamOutcome } from '../transport/stream';
import type { Exchange } from '../transport/exchange';
import type { HttpRequest, HttpResponse, RawBody } from '../transport/wire';

/** A JSON request's options; the budget is the door's own. */
export type RequestOptions = Omit<CallOptions, 'budget'> & { rawBody?: RawBody };

/** A Coze JSON answer: the whole envelope and the answer's log id (from its header). */
export interface Envelope {
	envelope: IDataObject;
	logid: string | undefined;
}

export class CozeHttp {
	constructor(
		readonly context: CozeContext,
		/** The item's time: its deadline, the execution's cancel signal, its rate-limit count. */
		readonly budget: ItemBudget,
	) {}

	/** A door bounded by the picker time limit (load options, list search, resource mapping). */
	static forPicker(context: CozeContext): CozeHttp {
		return new CozeHttp(context, ItemBudget.of(context));
	}

	/** The same door under another budget: a cleanup allowance, or a poll several items share. */
	withBudget(budget: ItemBudget): CozeHttp {
		return budget === this.budget ? this : new CozeHttp(this.context, budget);
	}

	/**
	 * The door for work several items share (a listing done once per run, the server probe): it runs
	 * under the limit of operations without a Timeout, not under any one item's Timeout; each item
	 * waits for it within its own budget (ItemBudget.waitFor).
	 */
	shared(): CozeHttp {
		return new CozeHttp(this.context, ItemBudget.of(this.context));
	}

	/** For canceling a chat once the item ran out of time or was canceled (ItemBudget.cleanup). */
	cleanup(): CozeHttp {
		return this.withBudget(this.budget.cleanup());
	}

	/** A JSON call's envelope and log id (transport/request.ts cozeApiCall). */
	async call(method: IHttpRequestMethods, path: string, options: RequestOptions = {}): Promise<Envelope> {
		return await cozeApiCall(this.context, method, path, { ...options, budget: this.budget });
	}

	/** A JSON call's whole envelope (for answers with fields beside `data`). */
	async envelope(method: IHttpRequestMethods, path: string, options: RequestOptions = {}): Promise<IDataObject> {
		return (await this.call(method, path, options)).envelope;
	}

	/** A JSON call's `data`. */
	async data<T = IDataObject>(method: IHttpRequestMethods, path: string, options: RequestOptions = {}): Promise<T> {
		return (await this.call(method, path, options)).envelope.data as T;
	}

	/** A request whose answer is not JSON (audio): `handle` reads it, retries as for JSON calls. */
	async send<T>(
		request: HttpRequest,
		handle: (response: HttpResponse, exchange: Exchange) => Promise<T>,
		options: Pick<CallOptions, 'retryRateLimit'> = {},
	): Promise<T> {
		return await withRetries(this.context, request, { ...options, budget: this.budget }, handle);
	}

	/** A request Coze answers with server-sent events (transport/stream.ts streamCoze). */
	async stream(
		request: { path: string; qs?: IDataObject; body: IDataObject },
		handler: StreamHandler,
		options: { retryRateLimit?: boolean } = {},
	): Promise<StreamOutcome> {
		return await streamCoze.call(this.context, request, { budget: this.budget, retryRateLimit: options.retryRateLimit, handler });
	}

	/** Whether the credential points at a custom base URL (Coze Studio, a proxy). */
	async customBaseUrl(): Promise<boolean> {
		return await usesCustomBaseUrl(this.context);
	}

	/** The execution context, for what only an execution has (binary data, static data). */
	get execution(): IExecuteFunctions {
		return this.context as IExecuteFunctions;
	}
}
