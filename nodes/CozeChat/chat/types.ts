/** Wire types of the Coze Open API (v3 chat), as far as this package reads them. */

export interface CozeUsage {
	token_count?: number;
	output_count?: number;
	input_count?: number;
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
	/** The event's `id:` line, when it had one (Coze workflow streams number their events). */
	id?: string;
}

/** Chat statuses after which polling stops. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'requires_action', 'canceled', 'cancelled'];

export function isTerminalStatus(status: string | undefined): boolean {
	return status !== undefined && TERMINAL_STATUSES.includes(status);
}
