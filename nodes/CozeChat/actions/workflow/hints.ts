import { CozeApiError } from '../../core/errors';

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
