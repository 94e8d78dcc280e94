import type { ItemParameters } from '../boundaries/parameters';
import { CONCURRENCY_RULE } from './descriptions';

/** An operation may run items in parallel: how many at once, and which items must queue up. */
export interface Parallelism {
	/** Items in Parallel, read from the first item (it is one setting for the node). */
	limit(parameters: ItemParameters): number;
	/** Items with the same key run one after another (Coze allows one chat per conversation). */
	queueKey(parameters: ItemParameters): string;
}

/** The Conversation ID field of an item, trimmed ('' when empty). */
export function conversationIdOf(parameters: ItemParameters): string {
	return parameters.text('conversationId', 'Conversation ID');
}

/**
 * Up to *Items in Parallel* (options.concurrency) items at once. By default every item is on its
 * own; `queueKey` puts items that must not overlap (one conversation) in one queue.
 */
export function itemsInParallel(queueKey?: (parameters: ItemParameters) => string | undefined): Parallelism {
	return {
		limit: (parameters) => parameters.number('options.concurrency', 'Options → Items in Parallel', CONCURRENCY_RULE),
		queueKey: (parameters) => queueKey?.(parameters) ?? `item:${parameters.itemIndex}`,
	};
}

/** Items of one conversation (same Conversation ID) go one after another. */
export function byConversationId(parameters: ItemParameters): string | undefined {
	const conversationId = conversationIdOf(parameters);
	return conversationId === '' ? undefined : `conversation:${conversationId}`;
}
