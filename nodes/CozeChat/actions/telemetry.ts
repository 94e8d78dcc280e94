import type { IDataObject, NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ExecutionTelemetry } from '../boundaries/output';

/**
 * What one run of the node tells n8n besides its items (reported through the output boundary's
 * `reportTelemetry`): the tokens Coze counted, which n8n 2.x adds up per execution, and the ids a
 * trace or Coze support needs — chat, conversation and execute ids of the items, Coze's logid of
 * the failures — for the node's execution span.
 *
 * Only operations that make Coze spend tokens count them; Retrieve, List Messages and Get Run
 * History read the usage of a turn that was already run (and counted, when this node ran it).
 */
const SPENDS_TOKENS = new Set(['chat.sendMessage', 'chat.submitToolOutputs', 'workflow.run', 'workflow.resume', 'workflow.chat']);

/** At most this many ids of one kind on a span: a batch of 500 items must not make a 10 kB attribute. */
const MAX_IDS = 10;

const ID_FIELDS = ['chat_id', 'conversation_id', 'execute_id'] as const;

/** The full result behind an output the AI Agent's model gets simplified (toolOutput.ts). */
const fullResults = new WeakMap<IDataObject, IDataObject>();

/** Remembers `full` as the result behind `simple`, so its usage still counts. */
export function keepFullResult(simple: IDataObject, full: IDataObject): void {
	if (simple !== full) fullResults.set(simple, full);
}

export class RunTelemetry {
	private inputTokens = 0;

	private outputTokens = 0;

	private counted = false;

	private items = 0;

	private failed = 0;

	private readonly ids = new Map<string, Set<string>>();

	constructor(private readonly operation: string) {}

	/** An item the operation produced (before it leaves the node). */
	noteItem(json: IDataObject): void {
		this.items++;
		const result = fullResults.get(json) ?? json;
		for (const field of ID_FIELDS) this.noteId(field, result[field]);
		const usage = result.usage as IDataObject | undefined;
		if (!SPENDS_TOKENS.has(this.operation) || !usage || typeof usage !== 'object') return;
		const input = count(usage.input_count ?? usage.input_tokens);
		const output = count(usage.output_count ?? usage.output_tokens);
		if (input === undefined && output === undefined) return;
		this.inputTokens += input ?? 0;
		this.outputTokens += output ?? 0;
		this.counted = true;
	}

	/** An item that failed (its safe error). */
	noteFailure(error: NodeApiError | NodeOperationError): void {
		this.failed++;
		const context = error.context ?? {};
		this.noteId('logid', context.logid);
		this.noteId('chat_id', context.chatId);
		this.noteId('conversation_id', context.conversationId);
		this.noteId('execute_id', context.executeId);
	}

	/** What goes to n8n; undefined when nothing ran. */
	summary(): ExecutionTelemetry | undefined {
		if (this.items === 0 && this.failed === 0) return undefined;
		const tracing: Record<string, string | number | boolean> = {
			'coze.operation': this.operation,
			'coze.items': this.items,
			'coze.items_failed': this.failed,
		};
		for (const [field, values] of this.ids) tracing[`coze.${field}`] = [...values].join(',');
		if (this.counted) {
			tracing['coze.input_tokens'] = this.inputTokens;
			tracing['coze.output_tokens'] = this.outputTokens;
		}
		return { tokenUsage: this.counted ? { inputTokens: this.inputTokens, outputTokens: this.outputTokens } : undefined, tracing };
	}

	private noteId(field: string, value: unknown): void {
		if ((typeof value !== 'string' && typeof value !== 'number') || value === '') return;
		let values = this.ids.get(field);
		if (!values) this.ids.set(field, (values = new Set()));
		if (values.size < MAX_IDS) values.add(String(value));
	}
}

function count(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
