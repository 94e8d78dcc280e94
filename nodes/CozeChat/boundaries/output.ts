/**
 * The output owner: every byte that leaves the node passes here — output items, error items,
 * thrown errors, live chunks to a Chat Trigger or streaming Webhook, execution hints and log lines — and is cleaned
 * of the credential's secrets by one redactor (redact.ts), in values and in object keys, even when
 * a server echoed them back. Nothing else in the node calls `sendChunk` or the logger.
 */
import * as n8nWorkflow from 'n8n-workflow';
import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { errorItemJson, toNodeError } from './nodeErrors';
import { redactDeep, redactExact, redactShapes, StreamRedactor } from './redact';
import { credentialFacts } from './secrets';

type OutputContext = IExecuteFunctions | ILoadOptionsFunctions;

/** The secrets of the execution's credential, read now (a JWT minted meanwhile is included). */
function secretsNow(context: object): string[] {
	return credentialFacts(context)?.secrets() ?? [];
}

/** Output items: the credential's own secrets replaced in every string and key. */
export function safeItems(context: OutputContext, items: INodeExecutionData[]): INodeExecutionData[] {
	const secrets = secretsNow(context);
	if (secrets.length === 0) return items;
	for (const item of items) redactDeep(item.json, (text) => redactExact(text, secrets));
	return items;
}

/**
 * The error the user sees for `error` (a Coze error gets its code, msg, logid and hint): its
 * message, description, stack, context and cause cleaned of secrets and of anything shaped like a
 * token or a private key.
 */
export function safeError(context: OutputContext, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	const nodeError = toNodeError(context.getNode(), error, itemIndex, { customBaseUrl: credentialFacts(context)?.customBaseUrl === true });
	const secrets = secretsNow(context);
	cleanError(nodeError, (text) => redactShapes(text, secrets));
	return nodeError;
}

/**
 * Cleans an error in place: its texts, its context and response data, and its cause (an Error's own
 * texts only: a cause may hold a request with sockets, which is not walked).
 */
function cleanError(error: Error, clean: (text: string) => string, depth = 0): void {
	const record = error as unknown as Record<string, unknown>;
	for (const key of ['message', 'description', 'stack']) {
		if (typeof record[key] === 'string') record[key] = clean(record[key] as string);
	}
	for (const key of ['messages', 'context', 'errorResponse']) {
		if (record[key] !== undefined && record[key] !== null) record[key] = redactDeep(record[key], clean);
	}
	const cause = record.cause;
	if (cause instanceof Error) {
		if (depth < 5) cleanError(cause, clean, depth + 1);
	} else if (cause !== undefined && cause !== null) {
		record.cause = redactDeep(cause, clean);
	}
}

/** The error item of an item that failed under Continue On Fail (built from the safe error). */
export function errorItem(error: NodeApiError | NodeOperationError, itemIndex: number): INodeExecutionData {
	return { json: errorItemJson(error), pairedItem: { item: itemIndex } };
}

/** A debug line in n8n's log, cleaned like an error. */
export function logDebug(context: OutputContext, message: string, meta: Record<string, unknown> = {}): void {
	const secrets = secretsNow(context);
	const clean = (text: string) => redactShapes(text, secrets);
	context.logger?.debug(clean(message), redactDeep({ ...meta, node: context.getNode().name }, clean) as Record<string, unknown>);
}

/** What the node reports to n8n's execution data about a run (built by actions/telemetry.ts). */
export interface ExecutionTelemetry {
	tokenUsage?: { inputTokens: number; outputTokens: number };
	tracing: Record<string, string | number | boolean>;
}

/**
 * Adds the run's token usage to n8n's per-execution total (`accumulateTokenUsage`, n8n-workflow 2.x)
 * and the ids to the node's execution span (`tracing`), cleaned like an error. n8n 1.x has neither
 * (its n8n-workflow has no accumulateTokenUsage and its task metadata no tracing): nothing is set.
 */
export function reportTelemetry(context: IExecuteFunctions, telemetry: ExecutionTelemetry | undefined): void {
	const accumulate = (n8nWorkflow as { accumulateTokenUsage?: typeof n8nWorkflow.accumulateTokenUsage }).accumulateTokenUsage;
	if (!telemetry || typeof accumulate !== 'function' || typeof context.setMetadata !== 'function') return;
	if (telemetry.tokenUsage) accumulate(context, telemetry.tokenUsage.inputTokens, telemetry.tokenUsage.outputTokens);
	const secrets = secretsNow(context);
	const tracing: Record<string, string | number | boolean> = {};
	for (const [key, value] of Object.entries(telemetry.tracing)) {
		tracing[redactShapes(key, secrets)] = typeof value === 'string' ? redactShapes(value, secrets) : value;
	}
	context.setMetadata({ tracing });
}

/** Hints already given in an execution: each is shown once, however many items ran into it. */
const hintsGiven = new WeakMap<object, Set<string>>();

/** A hint shown above the node's output in the editor (once per execution), cleaned like an error. */
export function executionHint(context: IExecuteFunctions, message: string): void {
	let given = hintsGiven.get(context);
	if (!given) hintsGiven.set(context, (given = new Set()));
	if (given.has(message)) return;
	given.add(message);
	// addExecutionHints exists since n8n 1.x's early releases; a context without it gets none.
	if (typeof context.addExecutionHints !== 'function') return;
	context.addExecutionHints({ message: redactShapes(message, secretsNow(context)), location: 'outputPane' });
}

/**
 * Text forwarded live to the caller of a streaming execution (begin / item… / end chunks, like n8n's
 * AI Agent), redacted across chunk borders. `streamed` is what was written, before redaction, so a
 * caller can end the stream consistent with the item it outputs.
 */
export class LiveText {
	private raw = '';

	private readonly redactor: StreamRedactor;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly itemIndex: number,
	) {
		this.redactor = new StreamRedactor(() => secretsNow(context));
	}

	/** Everything written so far, as written. */
	get streamed(): string {
		return this.raw;
	}

	write(text: string): void {
		if (text === '') return;
		this.raw += text;
		const safe = this.redactor.push(text);
		if (safe !== '') this.context.sendChunk('item', this.itemIndex, safe);
	}

	/** Sends what the redactor held back, then the end chunk. */
	end(): void {
		const rest = this.redactor.flush();
		if (rest !== '') this.context.sendChunk('item', this.itemIndex, rest);
		this.context.sendChunk('end', this.itemIndex);
	}
}

/**
 * Runs `turn` with a LiveText when n8n streams this execution to its caller and the user left live
 * streaming on (otherwise with none). `closing` may add a last piece once the turn's result is known
 * (the answer when nothing was streamed, a correction when Coze completed differently); the stream
 * always ends, also when the turn fails.
 */
/** Whether text would go out live: enabled, and this execution's caller takes a stream (Chat Trigger, Webhook). */
export function streamsLive(context: IExecuteFunctions, enabled: boolean): boolean {
	// isStreaming/sendChunk exist since n8n 1.102/1.103; older versions simply get the item.
	return enabled && typeof context.isStreaming === 'function' && context.isStreaming();
}

export async function withLiveText<R>(
	context: IExecuteFunctions,
	itemIndex: number,
	enabled: boolean,
	turn: (live: LiveText | undefined) => Promise<R>,
	closing?: (result: R, streamed: string) => string | undefined,
): Promise<R> {
	if (!streamsLive(context, enabled)) return await turn(undefined);
	const live = new LiveText(context, itemIndex);
	context.sendChunk('begin', itemIndex);
	try {
		const result = await turn(live);
		const last = closing?.(result, live.streamed);
		if (last) live.write(last);
		return result;
	} finally {
		live.end();
	}
}
