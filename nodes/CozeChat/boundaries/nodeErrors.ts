import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { CozeApiError } from '../core/errors';

/** What to do about the Coze codes users actually hit. */
const HINTS: Record<number, string> = {
	4000: 'Coze rejected a request parameter; check the node fields named in the message.',
	4013: 'Coze rate limit reached; slow down (for example Loop Over Items with a Wait node) or raise your plan\'s QPS.',
	4016:
		'A chat is already running in this conversation, and Coze allows one at a time. Run these items one after another (Loop Over Items, batch size 1), or leave Conversation ID empty so each item starts its own conversation.',
	4100:
		'The access token is invalid or expired. Check that the credential\'s region matches the site where the token was created (coze.cn tokens do not work on coze.com and vice versa).',
	4101:
		'The token was refused or lacks a permission or workspace. Check the credential\'s region, then in Coze (API → Authorization) edit the token so it has the needed permissions (for example chat, getChat, listMessage, createConversation, listBot, listWorkspace) and the bot\'s workspace.',
	4028:
		'The Coze account\'s quota is used up (free quota or resource points). Upgrade the plan or buy resource points in Coze, then run again.',
	4104: 'The chat cannot be canceled in its current status.',
	4200: 'Not found: check the bot ID, and that the bot is published to the API channel (Publish → API) — or set the chat to talk to the unpublished draft.',
	5000: 'Coze had an internal error. It can also mean a wrong bot or conversation ID; check the IDs, then try again.',
	700012006:
		'The access token is invalid or expired; create a new one. On a self-hosted Coze Studio, use a personal access token created in that Studio.',
	103100002:
		'Coze Studio does not know this bot as a published agent: check the bot ID, and publish the bot with the API channel selected.',
};

/** Where the credential points, for hints that depend on it. */
export interface ErrorSetting {
	/** A custom base URL (Coze Studio, a proxy), not coze.cn / coze.com. */
	customBaseUrl?: boolean;
}

/** Hints for a custom base URL, where "the other region" is no explanation. */
const CUSTOM_BASE_URL_HINTS: Record<number, string> = {
	4100: 'The access token is invalid or expired. On a custom Base URL (a self-hosted Coze Studio, a proxy), use a token created on that server, and check that the Base URL points at it.',
	4101: 'The token was refused or lacks a permission or workspace. Check that it was created on the server the Base URL points at and has the permissions the node needs.',
};

/** The hint for a Coze code, fitting where the credential points. */
export function hintFor(code: number, setting: ErrorSetting = {}): string | undefined {
	return (setting.customBaseUrl ? CUSTOM_BASE_URL_HINTS[code] : undefined) ?? HINTS[code];
}

/**
 * The error's description as n8n shows it under the message: what to do (the hint) as prose, then
 * a sentence with the ids Coze support asks for ("For Coze support: logid: …, chat_id: …"). n8n's
 * error view renders the description as HTML (the line break reads as a space there); the error
 * item of Continue On Fail keeps it as text.
 */
export function errorDescription(hint: string | undefined, error: CozeApiError): string | undefined {
	const ids = [
		error.logid ? `logid: ${error.logid}` : undefined,
		error.chatId ? `chat_id: ${error.chatId}` : undefined,
		error.conversationId ? `conversation_id: ${error.conversationId}` : undefined,
		error.executeId ? `execute_id: ${error.executeId}` : undefined,
		error.debugUrl ? `debug_url: ${error.debugUrl}` : undefined,
	].filter((line): line is string => line !== undefined);
	const text = hint?.trim() ? hint.trim() : '';
	if (ids.length === 0) return text || undefined;
	return `${text}${text ? '\n' : ''}For Coze support: ${ids.join(', ')}`;
}

/**
 * How Coze failures read as n8n errors (used by the output boundary, output.ts, which also redacts
 * them). CozeApiError becomes a NodeApiError that
 * carries Coze's code, msg and logid plus a hint; n8n errors pass through; anything else becomes a
 * NodeOperationError. Tokens never get here: request options are not attached to any error.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
	setting: ErrorSetting = {},
): NodeApiError | NodeOperationError {
	if (error instanceof CozeApiError) {
		const code = error.code;
		const hint = error.hint ?? (typeof code === 'number' ? hintFor(code, setting) : undefined);
		// Never an empty message: say at least what kind of failure it was.
		const msg =
			error.msg.trim() ||
			`Coze reported a failure without a message${error.httpStatus !== undefined ? ` (HTTP ${error.httpStatus})` : ''}`;
		const message = code === undefined ? msg : `Coze error ${code}: ${msg}`;
		const response: JsonObject = { code: code ?? null, msg, logid: error.logid ?? null };
		const apiError = new NodeApiError(node, response, {
			message,
			description: errorDescription(hint, error),
			httpCode: error.httpStatus !== undefined ? String(error.httpStatus) : undefined,
			itemIndex,
		});
		// NodeApiError may swap the message for a generic one per HTTP status; Coze's is better.
		apiError.message = message;
		apiError.context = {
			...apiError.context,
			cozeCode: code ?? null,
			cozeMsg: msg,
			logid: error.logid ?? null,
			chatId: error.chatId ?? null,
			conversationId: error.conversationId ?? null,
			executeId: error.executeId ?? null,
			debugUrl: error.debugUrl ?? null,
		};
		return apiError;
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined) error.context = { ...error.context, itemIndex };
		return error;
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/** The JSON of an error item when Continue On Fail is on. */
export function errorItemJson(error: NodeApiError | NodeOperationError): JsonObject {
	const json: JsonObject = { error: error.message };
	if (error.description) json.description = error.description;
	const context = error.context ?? {};
	for (const [key, field] of [
		['cozeCode', 'code'],
		['logid', 'logid'],
		['chatId', 'chat_id'],
		['conversationId', 'conversation_id'],
		['executeId', 'execute_id'],
		['debugUrl', 'debug_url'],
	] as const) {
		const value = context[key];
		if (value !== undefined && value !== null) json[field] = value as string | number;
	}
	return json;
}
