/**
 * A run's parameters checked against the workflow's own schema before anything is sent: a run can
 * have side effects, and Coze answers a missing or mistyped parameter only after starting one (4000).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import type { SchemaAnswer } from '../../api/workflow';
import { executionHint, logDebug } from '../../boundaries/output';
import type { ItemParameters } from '../../boundaries/parameters';
import { checkParameters, describeProblems, type WorkflowSchema } from '../../core/workflowSchema';
import { PerRun } from '../../core/perRun';

/** A chatflow's system inputs: the node fills them from the message and the conversation. */
export const CHATFLOW_SYSTEM_INPUTS = ['USER_INPUT', 'CONVERSATION_NAME'];

/** One schema request per workflow per execution, whatever the number of items. */
const schemas = new PerRun<SchemaAnswer>();

export async function schemaOf(coze: CozeClient, workflowId: string): Promise<SchemaAnswer> {
	// A failure to reach the server is this item's error; the next item asks again.
	return await schemas.get(coze.http.context, workflowId, () => coze.workflows.schema(workflowId));
}

/** The schema without the inputs the node fills itself. */
export function withoutSystemInputs(schema: WorkflowSchema, system: readonly string[]): WorkflowSchema {
	return { ...schema, inputs: schema.inputs.filter((input) => !system.includes(input.name)) };
}

/**
 * The parameters to send, checked against the workflow's schema when the server has one: a
 * missing required input, a value of the wrong type or a name the workflow lacks fails the item
 * naming each, and no run starts. `files` are the names filled by uploads afterwards (they count
 * as given). Without a schema (Coze Studio, older workflows, a token without getMetaData) the
 * values go as they are. A pinned Workflow Version is not checked: the schema describes the latest.
 */
export async function checkedParameters(
	parameters: ItemParameters,
	request: { workflowId: string; values: Record<string, unknown>; files: string[]; system?: readonly string[]; version?: string },
	coze: CozeClient,
): Promise<Record<string, unknown>> {
	if (request.version) return request.values;
	const answer = await schemaOf(coze, request.workflowId);
	if (!answer.schema) {
		logDebug(parameters.context, `Workflow parameters not checked before the run: ${answer.unavailable}`, { workflowId: request.workflowId });
		return request.values;
	}
	const schema = withoutSystemInputs(answer.schema, request.system ?? []);
	const given: Record<string, unknown> = { ...request.values };
	for (const name of request.files) given[name] = '{"file_id":"uploaded next"}';
	const { values, problems } = checkParameters(schema, given);
	if (problems.length > 0) {
		parameters.fail(
			`Workflow parameters: ${describeProblems(schema, problems)}`,
			'Nothing was sent to Coze, so no run was started. Fix the parameters (Specify Parameters), or set them with an expression from the input item.',
		);
	}
	for (const name of request.files) delete values[name];
	return values;
}

/**
 * Stream mode streams only text: an End node set to return variables sends its result in one piece
 * at the end, whatever the mode (coze-studio #826). Said once per execution when the schema, read
 * already for the check, shows such an End node — and only when the run streams to a Chat Trigger
 * or Webhook (the caller checks), where the missing stream is noticed; nothing is asked of Coze for it.
 */
export async function adviseOnStreamMode(context: IExecuteFunctions, coze: CozeClient, workflowId: string): Promise<void> {
	const answer = await schemaOf(coze, workflowId).catch(() => undefined);
	if (answer?.schema?.terminatePlan !== 'return_variables') return;
	executionHint(
		context,
		`Workflow ${workflowId} returns variables from its End node, so Coze sends its result in one piece when the run ends, also in Stream mode (only Output nodes stream their text as it comes). To stream the answer, set the End node to "Return text" with streaming output on.`,
	);
}
