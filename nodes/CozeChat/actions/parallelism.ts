import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** An operation may run items in parallel: how many at once, and which items must queue up. */
export interface Parallelism {
	limit(context: IExecuteFunctions): number;
	/** Items with the same key run one after another (Coze allows one chat per conversation). */
	queueKey(context: IExecuteFunctions, itemIndex: number): string;
}

/** The Conversation ID field of an item, trimmed ('' when empty). */
export function conversationIdOf(context: IExecuteFunctions, itemIndex: number): string {
	return String(context.getNodeParameter('conversationId', itemIndex, '') ?? '').trim();
}

/**
 * Up to *Items in Parallel* (options.concurrency) items at once. By default every item is on its
 * own; `queueKey` puts items that must not overlap (one conversation) in one queue.
 */
export function itemsInParallel(queueKey?: (context: IExecuteFunctions, itemIndex: number) => string | undefined): Parallelism {
	return {
		limit: (context) => Number((context.getNodeParameter('options', 0, {}) as IDataObject).concurrency ?? 1),
		queueKey: (context, itemIndex) => queueKey?.(context, itemIndex) ?? `item:${itemIndex}`,
	};
}

/** Items of one conversation (same Conversation ID) go one after another. */
export function byConversationId(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const conversationId = conversationIdOf(context, itemIndex);
	return conversationId === '' ? undefined : `conversation:${conversationId}`;
}
