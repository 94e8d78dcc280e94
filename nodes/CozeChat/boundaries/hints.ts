/**
 * Every hint the node gives for a Coze error, in one place: what to do about a code, fitting where
 * the credential points (a custom base URL) and what the item was doing (a workflow run has its own
 * advice for some codes, added by withHint). The output boundary (nodeErrors.ts) adds hintFor's to
 * errors that have none; the credential test and the workflow operations read them here.
 */
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

/** What to do about the codes a workflow run hits (these replace the bot-oriented hints). */
const WORKFLOW_HINTS: Record<number, string> = {
	4000: 'Coze rejected a request parameter: check the workflow parameters (names and types of the Start node inputs), and that Bot ID and App ID are not both set.',
	4200: 'Not found: check the workflow ID, and that the workflow is published (Coze runs only published workflows; an app\'s workflows need the app published as an API service and its App ID).',
	6003: 'Async runs need a paid Coze plan. Use Mode: Stream instead, which has no 90 s limit.',
};

export const SYNC_HINT =
	'Synchronous mode: Coze refuses workflows with Output nodes or a streaming End node, and ends the connection after 90 s even if the workflow still runs. Use Mode: Stream (the default) or Async.';

/** Coze's own limit, explained with every failure of a resumed run. */
export const RESUME_LIMIT_HINT =
	'Coze resumes a run at most 3 times: a question node that still has no valid answer after the third resume fails the run. Start it again with Workflow → Run.';

/**
 * Adds workflow advice to a Coze error that has none yet: the code's own hint, else `fallback`;
 * with `always`, both.
 */
export function withHint(error: unknown, fallback: string | undefined, always: boolean): unknown {
	if (!(error instanceof CozeApiError) || error.hint) return error;
	const specific = typeof error.code === 'number' ? WORKFLOW_HINTS[error.code] : undefined;
	const hint = specific && always && fallback ? `${specific} ${fallback}` : specific ?? fallback;
	if (!hint) return error;
	return new CozeApiError({
		code: error.code,
		msg: error.msg,
		logid: error.logid,
		httpStatus: error.httpStatus,
		executeId: error.executeId,
		debugUrl: error.debugUrl,
		hint,
	});
}
