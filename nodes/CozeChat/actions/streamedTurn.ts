import { TransportError } from '../core/errors';
import type { SseEvent } from '../core/types';
import type { StreamHandler, StreamOutcome } from '../transport/stream';

/** What a streamed turn folds its events into: the chat aggregator or the workflow aggregator. */
export interface TurnAggregator {
	/** Coze's log id of the request, attached to the aggregator's errors. */
	logid: string | undefined;
	/** Applies one event; returns the text it adds to what a user sees (for live streaming). */
	push(event: SseEvent): string | undefined;
	/** The answer is complete (a terminal chat status, Done or Interrupt); only `done` may follow. */
	readonly isTerminal: boolean;
	/** `done` arrived. */
	readonly isDone: boolean;
}

/** Sends the turn's request (an api/ resource's stream method) and feeds its events to `handler`. */
export type OpenStream = (handler: StreamHandler) => Promise<StreamOutcome>;

export interface StreamedTurnOptions {
	/** Where answer text goes as it arrives, when the execution streams to its caller (a LiveText). */
	live?: { write(text: string): void };
	/** How long `done` may take after the answer is complete, whatever heartbeats arrive meanwhile. */
	tailMs: number;
	/** True once nothing more is needed; default: `done` arrived. */
	finished?: () => boolean;
	/** Sees each event before the aggregator (e.g. a chatflow's interrupt verbose). */
	onEvent?: (event: SseEvent) => void;
}

/**
 * How a streamed turn ended: complete (the aggregator reached a terminal state; whatever happened
 * to the connection after that does not matter), or incomplete — `broken` says why the stream
 * stopped early (undefined when Coze simply closed it).
 */
export type TurnOutcome = { complete: true } | { complete: false; broken: TransportError | undefined };

/**
 * One streamed turn, shared by Send Message, Submit Tool Outputs, Chat With Chatflow and Workflow
 * Run/Resume: POSTs the request, feeds every event to the aggregator (and its text to `live`),
 * ends the read at `done` or after the tail allowance, and says whether the answer is complete.
 * Coze's own errors (a refused request, an error event, a failed chat) and a refused redirect are
 * thrown; what to do with an incomplete turn (recover, cancel, report) is the caller's decision.
 */
export async function streamTurn(
	open: OpenStream,
	aggregator: TurnAggregator,
	options: StreamedTurnOptions,
): Promise<TurnOutcome> {
	const finished = options.finished ?? (() => aggregator.isDone);
	const failure = await open({
		onOpen: (logid) => (aggregator.logid = logid),
		onEvent: (event) => {
			options.onEvent?.(event);
			const text = aggregator.push(event);
			if (text !== undefined) options.live?.write(text);
		},
		finished,
		tailMs: () => (aggregator.isTerminal ? options.tailMs : undefined),
	}).then(
			() => undefined,
			(error: unknown) => error,
		);
	if (aggregator.isTerminal) return { complete: true };
	if (failure === undefined) return { complete: false, broken: undefined };
	if (failure instanceof TransportError && failure.reason !== 'redirect') return { complete: false, broken: failure };
	throw failure;
}
