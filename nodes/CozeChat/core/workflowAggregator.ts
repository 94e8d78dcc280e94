/**
 * Folds the events of one Coze workflow stream (`/v1/workflow/stream_run`, `/stream_resume`)
 * into one WorkflowRunResult. Pure and incremental, like chatAggregator.ts: `push` each event as
 * it arrives; an `Error` event or a lost packet throws a CozeApiError at once; `result()` refuses
 * to return anything until `Done` or `Interrupt` arrived, so a broken stream can never pass for a
 * complete run.
 *
 * Which packets are the End node's? Coze (cloud) does not say: its Message packets carry no
 * node type. The rule, in this order:
 *  1. `node_type` when present (Coze Studio sends it): `End` is the End node, anything else a message;
 *  2. a packet carrying the legacy `cost` or `token` fields: only the End node's packets have them
 *     (docs example, cozepy fixture);
 *  3. the node title `""`, `End` or `结束` (the End node's fixed titles: docs, coze-go).
 * A node counts as the End node as soon as one of its packets does (a streaming text-mode End
 * node sends `cost`/`token` only on its last packet). Everything else — Output/Message nodes,
 * a question node's question — is a message.
 *
 * Integrity: event ids must count up from 0 without a gap (events without an `id:` line, like
 * Coze Studio's plain-text `error`, are exempt). Within a node, `node_seq_id` must count up by
 * one until `node_is_finish`. Coze itself does not always number that way (coze-go's test stream
 * has a node that starts at 1 and one that never finishes): when the event ids are present and
 * unbroken they prove that every packet Coze sent arrived, so such node_seq_id irregularities are
 * accepted as Coze's numbering. Without event ids, node_seq_id is the only check and every gap,
 * or a node left unfinished at `Done`, is an error.
 *
 * Echoes: a workflow that embeds a chatflow and streams its answer from its own End node gets
 * the same text twice, once from the inner node and once from the outer (coze-studio #2281). A
 * node whose whole text repeats the node just before it, word for word, is counted once: its live
 * text is held back while it matches and released as soon as it differs; a repeated message is
 * left out of `messages`, and a message the End node repeats is left to the End node's `output`.
 */
import { CozeApiError, MalformedEventError, normalizeCode, unwrapServerError } from './errors';
import { parseJsonExact, tryParseJsonExact } from './json';
import type { SseEvent } from './types';
import {
	decodeOutput,
	emptyUsage,
	executeIdFromDebugUrl,
	executeIdFromEventId,
	isObject,
	toId,
	toInterrupt,
	toUsage,
	type WorkflowInterrupt,
	type WorkflowMessage,
	type WorkflowRunResult,
	type WorkflowUsage,
} from './workflowDecode';

const END_TITLES = ['', 'end', '结束'];

interface NodeBuffer {
	key: string;
	node_title: string;
	node_id?: string;
	node_execute_uuid?: string;
	parts: string[];
	isEnd: boolean;
	finished: boolean;
	/** node_seq_id of the last packet, or -1 before the first. */
	lastSeq: number;
	/** Packets so far, to tell a streaming End node from a one-packet one. */
	packets: number;
	/** The finished node just before this one, while this one's text so far repeats it. */
	echoOf?: NodeBuffer;
	/** Whole text repeats `echoOf`'s (set when the node finishes so). */
	echo?: boolean;
}

export class WorkflowAggregator {
	private readonly buffers: NodeBuffer[] = [];

	/** The open (or last) buffer per node key. */
	private readonly byKey = new Map<string, NodeBuffer>();

	private nextEventId: number | undefined;

	private sawEventIds = false;

	private terminal: 'completed' | 'interrupted' | undefined;

	private done = false;

	private interrupt: WorkflowInterrupt | undefined;

	private usage: WorkflowUsage | undefined;

	private debugUrl: string | undefined;

	private executeIdSeen: string | undefined;

	/** The last node that sent live text, to separate messages in the live stream. */
	private lastLive: NodeBuffer | undefined;

	/** The node whose live text is held back because, so far, it repeats the node before it. */
	private held: NodeBuffer | undefined;

	/** True when the End node's text went out as live text (a streaming text-mode End node). */
	endWasLive = false;

	/** True when a user already saw the End node's text: it streamed, or it repeated the node before it. */
	get endShown(): boolean {
		return this.endWasLive || this.buffers.some((b) => b.isEnd && b.echo === true);
	}

	/** Coze's log id of the request this run came from, attached to every error. */
	logid: string | undefined;

	/** Operation-specific advice for Coze's own Error events (Resume explains the 3-resume limit). */
	errorHint: string | undefined;

	/** True once `Done` or `Interrupt` arrived (an `Error` throws instead). */
	get isTerminal(): boolean {
		return this.terminal !== undefined;
	}

	get status(): 'completed' | 'interrupted' | undefined {
		return this.terminal;
	}

	/** True once the `Done` event arrived. */
	get isDone(): boolean {
		return this.done;
	}

	/** The run's execute id, when Coze gave it (debug_url, an `execute_id` field, an interrupt event id). */
	get executeId(): string | undefined {
		return this.executeIdSeen ?? executeIdFromDebugUrl(this.debugUrl) ?? executeIdFromEventId(this.interrupt?.event_id);
	}

	/**
	 * Applies one SSE event. Returns the text it adds to what the run shows a user (Output/Message
	 * node content, a streaming text End node's text), for live streaming; otherwise undefined.
	 */
	push(event: SseEvent): string | undefined {
		const name = event.event.toLowerCase();
		if (name === 'error') return this.fail(event);
		this.checkEventId(event);
		if (this.done) return undefined;
		switch (name) {
			case 'message':
				return this.applyMessage(this.parse(event));
			case 'interrupt': {
				const data = this.parse(event);
				this.noteRunInfo(data);
				const interrupt = toInterrupt(data.interrupt_data, data.node_title);
				if (!interrupt) {
					throw this.error(undefined, `Coze sent an Interrupt event without an event_id: ${event.data.slice(0, 200)}`);
				}
				this.interrupt = interrupt;
				this.terminal = 'interrupted';
				return this.releaseHeld() || undefined;
			}
			case 'done': {
				const data = tryParseJsonExact(event.data);
				if (isObject(data)) this.noteRunInfo(data);
				this.done = true;
				if (!this.terminal) this.terminal = 'completed';
				return this.releaseHeld() || undefined;
			}
			default:
				// PING heartbeats and events Coze may add later change nothing.
				return undefined;
		}
	}

	/** The final result; throws if the run reached neither `Done` nor `Interrupt`. */
	result(): WorkflowRunResult {
		if (!this.terminal) {
			throw this.error(undefined, 'The Coze workflow stream ended before the run finished (no Done, Interrupt or Error event)');
		}
		if (this.terminal === 'completed' && !this.sawEventIds) {
			const open = this.buffers.find((b) => !b.finished);
			if (open) {
				throw this.error(
					undefined,
					`Coze's stream lost packets: node '${open.node_title}' never sent its last packet (node_seq_id ${open.lastSeq} was not marked node_is_finish), so its output would be incomplete`,
				);
			}
		}
		let output: unknown = null;
		const messages: WorkflowMessage[] = [];
		const counted = this.buffers.filter((b) => !(b.echo && !b.isEnd));
		const endEchoes = new Set(counted.filter((b) => b.isEnd && b.echo && b.echoOf && !b.echoOf.isEnd).map((b) => b.echoOf));
		for (const buffer of counted) {
			const content = buffer.parts.join('');
			if (buffer.isEnd) {
				output = decodeOutput(content);
				continue;
			}
			if (endEchoes.has(buffer)) continue;
			const message: WorkflowMessage = { node_title: buffer.node_title, content };
			if (buffer.node_id) message.node_id = buffer.node_id;
			if (buffer.node_execute_uuid) message.node_execute_uuid = buffer.node_execute_uuid;
			messages.push(message);
		}
		const result: WorkflowRunResult = {
			status: this.terminal,
			output,
			messages,
			usage: this.usage ?? emptyUsage(),
		};
		if (this.interrupt) result.interrupt = this.interrupt;
		const executeId = this.executeId;
		if (executeId) result.execute_id = executeId;
		if (this.debugUrl) result.debug_url = this.debugUrl;
		return result;
	}

	private applyMessage(data: Record<string, unknown>): string | undefined {
		this.noteRunInfo(data);
		const title = typeof data.node_title === 'string' ? data.node_title : '';
		const nodeId = toId(data.node_id);
		const uuid = toId(data.node_execute_uuid);
		const key = uuid ? `uuid:${uuid}` : nodeId ? `id:${nodeId}` : `title:${title}`;
		const seq = Number.parseInt(String(data.node_seq_id ?? ''), 10);
		const content = typeof data.content === 'string' ? data.content : data.content === undefined || data.content === null ? '' : JSON.stringify(data.content);

		let buffer = this.byKey.get(key);
		const released = this.held && this.held !== buffer ? this.releaseHeld() : '';
		if (buffer && !buffer.finished) {
			if (!Number.isNaN(seq) && seq !== buffer.lastSeq + 1) this.seqIrregular(buffer.node_title, buffer.lastSeq + 1, seq);
		} else {
			// The node's first packet, or the node runs again (loops, batches): a new message. Coze
			// Studio keeps counting across runs of a node, so the previous count + 1 is fine too.
			const allowed = buffer ? [0, buffer.lastSeq + 1] : [0];
			if (!Number.isNaN(seq) && !allowed.includes(seq)) this.seqIrregular(title, allowed[0], seq);
			const before = this.buffers[this.buffers.length - 1];
			buffer = { key, node_title: title, parts: [], isEnd: false, finished: false, lastSeq: -1, packets: 0 };
			if (nodeId) buffer.node_id = nodeId;
			if (uuid) buffer.node_execute_uuid = uuid;
			if (before && before.finished && before.key !== key && before.parts.join('') !== '') buffer.echoOf = before;
			this.buffers.push(buffer);
			this.byKey.set(key, buffer);
		}
		if (!Number.isNaN(seq)) buffer.lastSeq = seq;
		buffer.packets++;
		buffer.parts.push(content);
		if (data.node_is_finish === true) buffer.finished = true;
		if (isEndPacket(data)) buffer.isEnd = true;

		const usage = toUsage(data.usage, data.token);
		if (usage && (!this.usage || usage.token_count >= this.usage.token_count)) this.usage = usage;

		// Live text: message nodes as they stream; an End node only when it streams text in
		// several packets (a one-packet End node is a variable-mode JSON result, not text to show).
		const oneShotEnd = buffer.isEnd && buffer.packets === 1 && buffer.finished;
		if (buffer.isEnd && !oneShotEnd) this.endWasLive = true;
		if (buffer.echoOf) {
			const sofar = buffer.parts.join('');
			const original = buffer.echoOf.parts.join('');
			if (original.startsWith(sofar)) {
				if (buffer.finished && sofar === original) {
					buffer.echo = true;
					this.held = undefined;
				} else {
					this.held = buffer;
				}
				return released || undefined;
			}
			// It says something else: no echo; what was held goes out now.
			buffer.echoOf = undefined;
			this.held = undefined;
			if (oneShotEnd) return released || undefined;
			return released + this.live(buffer, sofar);
		}
		if (content === '' || oneShotEnd) return released || undefined;
		return released + this.live(buffer, content);
	}

	/** `text` of `buffer` as live text, after a blank line when another node spoke last. */
	private live(buffer: NodeBuffer, text: string): string {
		if (text === '') return '';
		const separator = this.lastLive !== undefined && this.lastLive !== buffer ? '\n\n' : '';
		this.lastLive = buffer;
		return separator + text;
	}

	/** The held-back text of a node that stopped repeating the one before (or the run ended): no echo. */
	private releaseHeld(): string {
		const held = this.held;
		if (!held) return '';
		this.held = undefined;
		held.echoOf = undefined;
		const oneShotEnd = held.isEnd && held.packets === 1 && held.finished;
		return oneShotEnd ? '' : this.live(held, held.parts.join(''));
	}

	/** Records debug_url / execute_id from any payload that carries them. */
	private noteRunInfo(data: Record<string, unknown>): void {
		if (typeof data.debug_url === 'string' && data.debug_url !== '') this.debugUrl = data.debug_url;
		const executeId = toId(data.execute_id);
		if (executeId) this.executeIdSeen = executeId;
	}

	private checkEventId(event: SseEvent): void {
		if (event.id === undefined || event.id.trim() === '') return;
		const id = Number(event.id.trim());
		if (!Number.isInteger(id)) return;
		const expected = this.nextEventId ?? 0;
		if (id !== expected) {
			throw this.error(
				undefined,
				id > expected
					? `Coze's stream lost packets: event ${id} arrived after ${expected - 1 < 0 ? 'none' : expected - 1}, so ${id - expected === 1 ? `event ${expected} is` : `events ${expected}–${id - 1} are`} missing and the output would be incomplete`
					: `Coze's stream is out of order: event ${id} arrived where event ${expected} was expected, so the output cannot be trusted`,
			);
		}
		this.sawEventIds = true;
		this.nextEventId = id + 1;
	}

	private seqIrregular(title: string, expected: number, got: number): void {
		// With unbroken event ids every packet Coze sent arrived: this is how Coze numbered them.
		if (this.sawEventIds) return;
		throw this.error(
			undefined,
			`Coze's stream lost packets: node '${title}' sent node_seq_id ${got} where ${expected} was expected, so its output would be incomplete`,
		);
	}

	/** An `Error` event: JSON `{error_code, error_message}`, or plain text (Coze Studio). */
	private fail(event: SseEvent): never {
		const data = tryParseJsonExact(event.data);
		// Plain text (Coze Studio writes err.Error()): an errorx error gives its code and message,
		// without the Go stack that follows them.
		const plain = unwrapServerError(undefined, event.data);
		let code: unknown = plain.code;
		let message = plain.msg;
		if (isObject(data)) {
			this.noteRunInfo(data);
			code = data.error_code ?? data.code;
			const text = data.error_message ?? data.msg ?? data.message;
			message = typeof text === 'string' && text !== '' ? text : event.data;
		}
		throw this.error(code, `The Coze workflow failed: ${message || 'no details given'}`, this.errorHint);
	}

	private parse(event: SseEvent): Record<string, unknown> {
		try {
			const data = parseJsonExact(event.data);
			if (isObject(data)) return data;
		} catch {
			// reported below
		}
		throw new MalformedEventError(event.event, event.data, this.logid);
	}

	/** An error that carries what is known about the run. */
	error(code: unknown, msg: string, hint?: string): CozeApiError {
		return new CozeApiError({
			code: normalizeCode(code),
			msg,
			logid: this.logid,
			executeId: this.executeId,
			debugUrl: this.debugUrl,
			hint,
		});
	}
}

function isEndPacket(data: Record<string, unknown>): boolean {
	if (typeof data.node_type === 'string' && data.node_type !== '') return data.node_type.toLowerCase() === 'end';
	if ('cost' in data || 'token' in data) return true;
	const title = typeof data.node_title === 'string' ? data.node_title.trim().toLowerCase() : '';
	return END_TITLES.includes(title);
}
