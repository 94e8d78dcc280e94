import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { sortedOptions } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import {
	associationFields,
	binaryFileOption,
	collectParameters,
	concurrencyOption,
	enableStreamingOption,
	extFrom,
	extOption,
	fetchNodeOutputsOption,
	getAssociation,
	getWorkflowId,
	modeField,
	parameterFields,
	pollIntervalOption,
	runOptionsFrom,
	timeoutOption,
	workflowLocator,
	workflowVersionOption,
} from './common';
import { runWorkflowForItem, type RunMode } from './runWorkflow';
import { ItemBudget, usesCustomBaseUrl } from '../../transport/workflowApi';

const properties: INodeProperties[] = [
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
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflow'], operation: ['run'] } }, properties);

/** Runs are independent: any number may go at once. */
export const parallelism = itemsInParallel();

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const workflowId = getWorkflowId(this, itemIndex);
	const mode = this.getNodeParameter('mode', itemIndex, 'stream') as RunMode;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const association = getAssociation(this, itemIndex);
	const body: IDataObject = { workflow_id: workflowId, ...association };
	const ext = extFrom(options);
	if (ext) body.ext = ext;
	const version = String(options.workflowVersion ?? '').trim();
	if (version !== '') {
		body.workflow_version = version;
		// Coze Studio names the field `version` (idl/workflow/workflow.thrift).
		if (await usesCustomBaseUrl(this)) body.version = version;
	}
	// Uploads come last: nothing is sent to Coze before every field checked out.
	// One budget for the uploads and the run: the Timeout covers both.
	const budget = ItemBudget.of(this, Number(options.timeout ?? 600));
	body.parameters = await collectParameters(this, itemIndex, options, budget);
	const result = await runWorkflowForItem.call(this, itemIndex, { workflowId, body, resume: false }, runOptionsFrom(options, mode, { budget }));
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
