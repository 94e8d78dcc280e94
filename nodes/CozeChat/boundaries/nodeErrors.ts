import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import { hintFor, type ErrorSetting } from './hints';

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
