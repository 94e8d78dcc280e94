/**
 * An error reported by Coze (or a broken exchange with it), with everything a user needs to act on
 * it. Pure: the n8n side turns it into a NodeApiError in one place (transport/errors.ts).
 */
export class CozeApiError extends Error {
	readonly code: number | string | undefined;

	readonly msg: string;

	readonly logid: string | undefined;

	readonly httpStatus: number | undefined;

	readonly chatId: string | undefined;

	readonly conversationId: string | undefined;

	/** How long the server asked to wait before trying again (Retry-After), in ms. */
	readonly retryAfterMs: number | undefined;

	/** The workflow run this error belongs to, when known (workflow operations). */
	readonly executeId: string | undefined;

	/** Coze's debug page of that run, when known. */
	readonly debugUrl: string | undefined;

	/** What to do about it, when the caller knows better than the per-code hints. */
	readonly hint: string | undefined;

	constructor(details: {
		code?: number | string;
		msg: string;
		logid?: string;
		httpStatus?: number;
		chatId?: string;
		conversationId?: string;
		retryAfterMs?: number;
		executeId?: string;
		debugUrl?: string;
		hint?: string;
	}) {
		super(details.msg);
		this.name = 'CozeApiError';
		this.code = normalizeCode(details.code);
		this.msg = details.msg;
		this.logid = details.logid;
		this.httpStatus = details.httpStatus;
		this.chatId = details.chatId;
		this.conversationId = details.conversationId;
		this.retryAfterMs = details.retryAfterMs;
		this.executeId = details.executeId;
		this.debugUrl = details.debugUrl;
		this.hint = details.hint;
	}
}

/** Codes arrive as numbers, or as strings in some chatflow payloads: normalise digits to a number. */
export function normalizeCode(code: unknown): number | string | undefined {
	if (typeof code === 'number') return code;
	if (typeof code === 'string' && code !== '') return /^-?\d+$/.test(code) ? Number(code) : code;
	return undefined;
}

/**
 * Self-hosted Coze Studio puts its real error code inside the message and appends a Go stack trace
 * (`code=103200005 message=in progress can not be cancelled\nstack=goroutine …`), under an outer
 * code that only says "bad request" (400) or "agent run error" (103100001). Returns the inner code
 * and message without the stack; anything else comes back trimmed but unchanged.
 */
export function unwrapServerError(code: unknown, msg: string): { code: number | string | undefined; msg: string } {
	let text = msg;
	const stack = text.search(/(^|\n)stack=/);
	if (stack >= 0) text = text.slice(0, stack);
	text = text.trim();
	const inner = /^code=(-?\d+) message=([\s\S]*)$/.exec(text);
	if (!inner) return { code: normalizeCode(code), msg: text };
	const [message, cause] = inner[2].split(/\ncause=/, 2);
	return {
		code: Number(inner[1]),
		msg: cause ? `${message.trim()} (cause: ${cause.trim()})` : message.trim(),
	};
}

/**
 * True when the server has no such endpoint: HTTP 404, or Coze Studio's answer for any path outside
 * its Open API list (its web-session check: HTTP 401 "missing session_key in cookie"; older builds
 * said so with code 700012006).
 */
export function isMissingEndpoint(error: unknown): boolean {
	if (!(error instanceof CozeApiError)) return false;
	return error.httpStatus === 404 || /missing session_key in cookie/i.test(error.msg);
}

/**
 * A missing endpoint said in words: "<feature> is/are not supported by this Coze server: it has no
 * <path> endpoint (<why>). It answered: …", keeping Coze's code, status, logid and the ids given.
 * Any other error is returned as it is.
 */
export function unsupportedByServer(
	error: unknown,
	feature: { /** With its verb: "Variables are". */ what: string; path: string; why: string; ids?: { chatId?: string; conversationId?: string } },
): unknown {
	if (!isMissingEndpoint(error)) return error;
	const original = error as CozeApiError;
	return new CozeApiError({
		code: original.code,
		msg: `${feature.what} not supported by this Coze server: it has no ${feature.path} endpoint (${feature.why}). It answered: ${original.msg}`,
		httpStatus: original.httpStatus,
		logid: original.logid,
		chatId: feature.ids?.chatId,
		conversationId: feature.ids?.conversationId,
	});
}

/**
 * Why an exchange with Coze ended early: the item's deadline, its idle rule, a cancel, one of the
 * node's own limits, a broken connection, or a redirect the node refuses to follow.
 */
export type StopReason = 'timeout' | 'idle' | 'canceled' | 'limit' | 'network' | 'redirect';

/** The exchange with Coze broke off, ran out of time, or was refused by the node's own rules. */
export class TransportError extends CozeApiError {
	constructor(
		readonly reason: StopReason,
		msg: string,
		extra: { logid?: string; httpStatus?: number } = {},
	) {
		super({ msg, ...extra });
		this.name = 'TransportError';
	}
}

/**
 * An event whose payload cannot be read. Distinguished from Coze's own errors because at the end
 * of a stream it means the connection closed in the middle of that event (see transport/stream.ts).
 */
export class MalformedEventError extends CozeApiError {
	constructor(eventName: string, data: string, logid?: string) {
		super({ msg: `Coze sent a malformed '${eventName}' event: ${data.slice(0, 200)}`, logid });
		this.name = 'MalformedEventError';
	}
}
