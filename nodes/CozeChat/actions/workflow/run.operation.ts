import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { streamsLive } from '../../boundaries/output';
import { parametersOf } from '../../boundaries/parameters';
import { attachFiles, downloadFilesOptions, filesSettingsOf } from '../filesOut';
import { workflowFileSources } from '../../core/fileRefs';
import { concurrencyOption, sortedOptions, timeoutSecondsOf } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import {
	associationFields,
	binaryFileOption,
	collectParameters,
	enableStreamingOption,
	extFrom,
	extOption,
	fetchNodeOutputsOption,
	getAssociation,
	getWorkflowId,
	modeField,
	parameterFields,
	pollIntervalOption,
	runModeOf,
	timeoutOption,
	workflowLocator,
	workflowRunOptionsOf,
	workflowVersionOption,
} from './common';
import { forTheModel, simplifyForToolField } from '../toolOutput';
import { runWorkflowForItem } from './runWorkflow';
import { adviseOnStreamMode } from './schemaCheck';

const properties: INodeProperties[] = [
	simplifyForToolField,
	workflowLocator('workflow'),
	modeField,
	...parameterFields,
	...associationFields(false),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([
			binaryFileOption,
			enableStreamingOption,
			extOption,
			fetchNodeOutputsOption,
			concurrencyOption,
			pollIntervalOption,
			timeoutOption,
			workflowVersionOption,
			...downloadFilesOptions,
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflow'], operation: ['run'] } }, properties);

/** Runs are independent: any number may go at once. */
export const parallelism = itemsInParallel();

/** The item's time: Options → Timeout (Seconds); the schema check and uploads count too. */
export const timeoutSeconds = timeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const workflowId = getWorkflowId(parameters);
	const mode = runModeOf(parameters);
	const options = workflowRunOptionsOf(parameters, mode);
	const files = filesSettingsOf(parameters);
	const body: IDataObject = { workflow_id: workflowId, ...getAssociation(parameters) };
	const ext = extFrom(parameters);
	if (ext) body.ext = ext;
	const version = parameters.text('options.workflowVersion', 'Options → Workflow Version');
	if (version !== '') {
		body.workflow_version = version;
		// Coze Studio names the field `version` (idl/workflow/workflow.thrift).
		if (await coze.http.customBaseUrl()) body.version = version;
	}
	// Uploads come last: nothing is sent to Coze before every field checked out. One budget for
	// the uploads and the run: the Timeout covers both.
	body.parameters = await collectParameters(parameters, coze, { workflowId, version });
	// The tip matters only where text would stream to a Chat Trigger or Webhook, not on every run.
	if (mode === 'stream' && version === '' && streamsLive(this, options.liveStream)) await adviseOnStreamMode(this, coze, workflowId);
	const result = await runWorkflowForItem(this, coze, { workflowId, body, resume: false }, options);
	const json = forTheModel(parameters, result as unknown as IDataObject, ['status', 'output', 'messages', 'interrupt', 'execute_id']);
	const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
	return [files ? await attachFiles(this, coze, item, workflowFileSources(result), files, { anyUrl: true }) : item];
}
