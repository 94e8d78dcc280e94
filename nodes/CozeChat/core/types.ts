/** Wire types of the Coze Open API (v3 chat), as far as this package reads them. */

/**
 * Token usage. Real chats report `*_count`; Coze's schematic docs (and the submit_tool_outputs
 * example) use `output_tokens` / `input_tokens`, so both families are read.
 */
export interface CozeUsage {
	token_count?: number;
	output_count?: number;
	input_count?: number;
	output_tokens?: number;
	input_tokens?: number;
}

export interface CozeToolCallWire {
	id: string;
	type?: string;
	function?: { name?: string; arguments?: string };
}

export interface CozeChat {
	id: string;
	conversation_id: string;
	bot_id?: string;
	section_id?: string;
	created_at?: number;
	completed_at?: number;
	failed_at?: number;
	meta_data?: Record<string, string>;
	last_error?: { code: number | string; msg: string } | null;
	status?: string;
	required_action?: {
		type?: string;
		submit_tool_outputs?: { tool_calls?: CozeToolCallWire[] };
	};
	usage?: CozeUsage;
	[key: string]: unknown;
}

export interface CozeMessage {
	id: string;
	conversation_id?: string;
	bot_id?: string;
	chat_id?: string;
	section_id?: string;
	role?: string;
	type?: string;
	content?: string;
	content_type?: string;
	reasoning_content?: string;
	meta_data?: Record<string, string>;
	created_at?: number | string;
	updated_at?: number | string;
	[key: string]: unknown;
}

/** One server-sent event as it came off the wire. */
export interface SseEvent {
	event: string;
	data: string;
	/** The `id:` field, where the server sends one (workflow streams count their events). */
	id?: string;
}

/**
 * Chat statuses after which polling stops, in every spelling seen: the cloud's `requires_action` and
 * `canceled`, and `required_action` / `cancelled` (Coze's own stream docs and self-hosted Coze
 * Studio), plus Studio's `expired` and `deleted`.
 */
export const TERMINAL_STATUSES = [
	'completed',
	'requires_action',
	'required_action',
	'failed',
	'canceled',
	'cancelled',
	'expired',
	'deleted',
];

/** Terminal statuses that end a chat without an answer to read. */
export const UNANSWERED_STATUSES = ['failed', 'canceled', 'cancelled', 'expired', 'deleted'];

export function isTerminalStatus(status: string | undefined): boolean {
	return status !== undefined && TERMINAL_STATUSES.includes(status);
}
