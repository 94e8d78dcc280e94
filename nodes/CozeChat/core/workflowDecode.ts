/**
 * Decoding Coze workflow payloads: outputs that arrive as JSON inside JSON strings, interrupts,
 * run histories. Pure (no n8n imports).
 */
import { normalizeCode } from './errors';
import { tryParseJsonExact } from './json';

export interface WorkflowUsage {
	input_count: number;
	output_count: number;
	token_count: number;
}

/** What Output/Message nodes (and question nodes) emitted, one entry per node execution. */
export interface WorkflowMessage {
	node_title: string;
	node_id?: string;
	node_execute_uuid?: string;
	content: string;
	/** Only ever false: Coze said this node had not finished, so `content` is not its final output. */
	is_finish?: false;
}

/** An interrupted run, with everything Resume needs. */
export interface WorkflowInterrupt {
	event_id: string;
	/** 2 question node, 5 input node, 6 client-side plugin, 7 OAuth plugin. */
	type: number;
	node_title: string;
	/** Coze's `interrupt_data.data`, decoded when it is a JSON object. */
	data: unknown;
	required_parameters: Record<string, unknown>;
}

/** The aggregated result of one workflow run (stream, synchronous, async or resumed). */
export interface WorkflowRunResult {
	status: 'completed' | 'interrupted';
	/** The End node's result, decoded: an object for variable mode, a string for text mode, null when none. */
	output: unknown;
	messages: WorkflowMessage[];
	interrupt?: WorkflowInterrupt;
	usage: WorkflowUsage;
	execute_id?: string;
	debug_url?: string;
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes an End-node result. Coze sends it as a JSON string (inside a JSON `data`/`content`
 * field, hence "double-encoded"): a JSON object is returned as an object; anything else (a
 * text-mode End node's answer, which may itself look like a number) stays a string.
 * A text-mode answer wrapped as `{content_type, data, type_for_model}` (run histories, Coze
 * Studio's synchronous run) is unwrapped to its `data`.
 */
export function decodeOutput(text: unknown): unknown {
	if (text === undefined || text === null) return null;
	if (typeof text !== 'string') return unwrapAnswer(text);
	if (text === '' || text === 'null') return null;
	const trimmed = text.trim();
	if (!trimmed.startsWith('{')) return text;
	const parsed = tryParseJsonExact(trimmed);
	return isObject(parsed) ? unwrapAnswer(parsed) : text;
}

/** `{content_type, data, type_for_model}` is how Coze wraps a text answer; hand out the text. */
function unwrapAnswer(value: unknown): unknown {
	if (isObject(value) && 'content_type' in value && 'type_for_model' in value && typeof value.data === 'string') {
		return value.data;
	}
	return value;
}

export function emptyUsage(): WorkflowUsage {
	return { input_count: 0, output_count: 0, token_count: 0 };
}

/** A Coze usage object (or a legacy bare token count) as our usage. */
export function toUsage(usage: unknown, legacyToken?: unknown): WorkflowUsage | undefined {
	if (isObject(usage)) {
		return {
			input_count: toNumber(usage.input_count),
			output_count: toNumber(usage.output_count),
			token_count: toNumber(usage.token_count),
		};
	}
	const tokens = toNumber(legacyToken);
	return tokens > 0 ? { input_count: 0, output_count: 0, token_count: tokens } : undefined;
}

function toNumber(value: unknown): number {
	const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
	return Number.isFinite(n) ? n : 0;
}

/** Ids may arrive as numbers (Coze Studio) or strings; always hand out strings. */
export function toId(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '' && value !== '0') return value;
	if (typeof value === 'number' && value !== 0) return String(value);
	return undefined;
}

/** The execute_id query parameter of a debug_url (`…/work_flow?execute_id=…&space_id=…`). */
export function executeIdFromDebugUrl(debugUrl: string | undefined): string | undefined {
	if (!debugUrl) return undefined;
	const match = /[?&]execute_id=(\d+)/.exec(debugUrl);
	return match?.[1];
}

/**
 * The execute id an interrupt's event_id starts with: Coze writes `<execute_id>/<event>` (Coze
 * Studio's `convertStreamRunEvent`; the cloud's resume example shows the same prefix).
 */
export function executeIdFromEventId(eventId: string | undefined): string | undefined {
	const match = /^(\d+)\/\d+$/.exec(eventId ?? '');
	return match?.[1];
}

/** Coze's interrupt payload (`interrupt_data` plus the node title) as our interrupt. */
export function toInterrupt(interruptData: unknown, nodeTitle?: unknown): WorkflowInterrupt | undefined {
	if (!isObject(interruptData)) return undefined;
	const eventId = toId(interruptData.event_id);
	if (!eventId) return undefined;
	const data = interruptData.data;
	return {
		event_id: eventId,
		type: toNumber(interruptData.type),
		node_title: typeof nodeTitle === 'string' ? nodeTitle : '',
		data: typeof data === 'string' ? decodeOutput(data) ?? '' : data ?? '',
		required_parameters: isObject(interruptData.required_parameters) ? interruptData.required_parameters : {},
	};
}

/** Run-history statuses, and ours. */
export type HistoryStatus = 'running' | 'completed' | 'failed' | 'interrupted';

export interface NodeExecuteStatus {
	node_title: string;
	node_id?: string;
	node_execute_uuid?: string;
	is_finish?: boolean;
	loop_index?: number;
	batch_index?: number;
	sub_execute_id?: string;
	update_time?: number;
}

/** One run history entry, normalized across Coze (cloud) and Coze Studio. */
export interface WorkflowHistory {
	execute_id: string;
	/** Coze's own status: Running, Success, Fail (Studio also Cancel, and "<UNSET>" for an interrupted run). */
	execute_status: string;
	status: HistoryStatus;
	output: unknown;
	messages: WorkflowMessage[];
	error: { code: number | string | undefined; message: string } | null;
	interrupt?: WorkflowInterrupt;
	usage: WorkflowUsage;
	debug_url?: string;
	is_output_trimmed: boolean;
	node_execute_status: NodeExecuteStatus[];
	run_mode?: number;
	bot_id?: string;
	connector_id?: string;
	connector_uid?: string;
	logid?: string;
	create_time?: number;
	update_time?: number;
	/** False when the `output` text could not be decoded (cut off by Coze's trimming). */
	outputReadable: boolean;
	/** Output nodes whose execute_nodes answer said is_finish: false (their content is not final). */
	unfinished_nodes?: string[];
}

/**
 * Normalizes a run-history entry. The cloud's `output` is a JSON string of an object whose key
 * `Output` holds the End node's result (itself a JSON string) and whose other keys are the
 * Output nodes' contents by node title; Coze Studio (`/v1/workflow/get_run_history`) uses
 * `log_id`/`error_msg` and numeric ids.
 */
export function normalizeHistory(raw: Record<string, unknown>): WorkflowHistory {
	const executeStatus = String(raw.execute_status ?? '');
	const debugUrl = typeof raw.debug_url === 'string' && raw.debug_url !== '' ? raw.debug_url : undefined;
	const outputText = raw.output;
	let output: unknown = null;
	const messages: WorkflowMessage[] = [];
	let outputReadable = true;
	if (typeof outputText === 'string' && outputText !== '') {
		const parsed = tryParseJsonExact(outputText);
		if (isObject(parsed) && 'Output' in parsed) {
			output = decodeOutput(parsed.Output);
			for (const [title, content] of Object.entries(parsed)) {
				if (title === 'Output') continue;
				messages.push({ node_title: title, content: typeof content === 'string' ? content : JSON.stringify(content) });
			}
		} else if (parsed === undefined && outputText.trim().startsWith('{')) {
			outputReadable = false;
		} else {
			output = decodeOutput(outputText);
		}
	}
	const errorCode = normalizeCode(raw.error_code);
	const errorMessage = String(raw.error_message ?? raw.error_msg ?? '');
	const interrupt = toInterrupt(raw.interrupt_data);
	let status: HistoryStatus;
	switch (executeStatus.toLowerCase()) {
		case 'success':
			status = 'completed';
			break;
		case 'fail':
		case 'failed':
		case 'cancel':
			status = 'failed';
			break;
		case 'interrupt':
		case 'interrupted':
		case '<unset>':
			// Coze Studio stores an interrupted run as status 5, which its WorkflowExeStatus.String()
			// does not name: its history says "<UNSET>" (and carries no interrupt_data).
			status = 'interrupted';
			break;
		default:
			status = interrupt ? 'interrupted' : 'running';
	}
	const failed = status === 'failed';
	const history: WorkflowHistory = {
		execute_id: toId(raw.execute_id) ?? '',
		execute_status: executeStatus,
		status,
		output: failed ? null : output,
		messages,
		error: failed || (errorCode !== undefined && errorCode !== 0) ? { code: errorCode, message: errorMessage } : null,
		usage: toUsage(raw.usage, raw.token) ?? emptyUsage(),
		debug_url: debugUrl,
		is_output_trimmed: raw.is_output_trimmed === true,
		node_execute_status: nodeStatuses(raw.node_execute_status),
		outputReadable,
	};
	if (interrupt) history.interrupt = interrupt;
	if (typeof raw.run_mode === 'number') history.run_mode = raw.run_mode;
	const botId = toId(raw.bot_id);
	if (botId) history.bot_id = botId;
	const connectorId = toId(raw.connector_id);
	if (connectorId) history.connector_id = connectorId;
	if (typeof raw.connector_uid === 'string' && raw.connector_uid !== '') history.connector_uid = raw.connector_uid;
	const logid = raw.logid ?? raw.log_id;
	if (typeof logid === 'string' && logid !== '') history.logid = logid;
	if (typeof raw.create_time === 'number') history.create_time = raw.create_time;
	if (typeof raw.update_time === 'number') history.update_time = raw.update_time;
	return history;
}

/** `node_execute_status` is a map keyed by node title (a random key when a node ran more than once). */
function nodeStatuses(value: unknown): NodeExecuteStatus[] {
	if (!isObject(value)) return [];
	const out: NodeExecuteStatus[] = [];
	for (const [title, status] of Object.entries(value)) {
		if (!isObject(status)) continue;
		const entry: NodeExecuteStatus = { node_title: title };
		const nodeId = toId(status.node_id);
		if (nodeId) entry.node_id = nodeId;
		const uuid = toId(status.node_execute_uuid);
		if (uuid) entry.node_execute_uuid = uuid;
		if (typeof status.is_finish === 'boolean') entry.is_finish = status.is_finish;
		if (typeof status.loop_index === 'number') entry.loop_index = status.loop_index;
		if (typeof status.batch_index === 'number') entry.batch_index = status.batch_index;
		const sub = toId(status.sub_execute_id);
		if (sub) entry.sub_execute_id = sub;
		if (typeof status.update_time === 'number') entry.update_time = status.update_time;
		out.push(entry);
	}
	return out;
}
