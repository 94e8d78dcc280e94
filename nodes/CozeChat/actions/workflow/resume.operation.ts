import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { sortedOptions } from '../descriptions';
import { getRequiredString } from '../validation';
import { itemsInParallel } from '../parallelism';
import {
	concurrencyOption,
	enableStreamingOption,
	fetchNodeOutputsOption,
	getWorkflowId,
	modeField,
	pollIntervalOption,
	runOptionsFrom,
	timeoutOption,
	workflowLocator,
} from './common';
import { runWorkflowForItem, type RunMode } from './runWorkflow';

/** Coze's own limit, explained with every failure of a resumed run. */
export const RESUME_LIMIT_HINT =
	'Coze resumes a run at most 3 times: a question node that still has no valid answer after the third resume fails the run. Start it again with Workflow → Run.';

const properties: INodeProperties[] = [
	workflowLocator('workflow'),
	{
		...modeField,
		description: 'Use the mode the run was started with: Stream for Stream, Synchronous or Async for those',
	},
	{
		displayName: 'Event ID',
		name: 'eventId',
		type: 'string',
		default: '={{ $json.interrupt?.event_id }}',
		required: true,
		placeholder: '7404830425073352713/2769808280134765896',
		description: 'The interrupt.event_id of the interrupted run (the default reads it from the input item)',
	},
	{
		displayName: 'Interrupt Type',
		name: 'interruptType',
		type: 'string',
		default: '={{ $json.interrupt?.type }}',
		required: true,
		placeholder: '2',
		description: 'The interrupt.type of the interrupted run: 2 question node, 5 input node, 6 client-side plugin, 7 OAuth plugin',
	},
	{
		displayName: 'Resume Data',
		name: 'resumeData',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'Hangzhou, 2024-08-20',
		description:
			'The answer: text for a question node, a JSON object of the required parameters for an input node (e.g. {"name": "Ada"}), {"file_id": "…"} for a file',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([concurrencyOption, enableStreamingOption, fetchNodeOutputsOption, pollIntervalOption, timeoutOption]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflow'], operation: ['resume'] } }, properties);

export const parallelism = itemsInParallel();

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const workflowId = getWorkflowId(this, itemIndex);
	const mode = this.getNodeParameter('mode', itemIndex, 'stream') as RunMode;
	const eventId = getRequiredString(this, 'eventId', 'Event ID', itemIndex);
	const typeText = getRequiredString(this, 'interruptType', 'Interrupt Type', itemIndex);
	const interruptType = Number(typeText);
	if (!Number.isInteger(interruptType)) {
		throw new NodeOperationError(this.getNode(), `Interrupt Type: '${typeText}' is not a number (2, 5, 6 or 7)`, { itemIndex });
	}
	const resumeDataRaw = this.getNodeParameter('resumeData', itemIndex, '') as unknown;
	const resumeData = typeof resumeDataRaw === 'string' ? resumeDataRaw : JSON.stringify(resumeDataRaw ?? '');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body: IDataObject = { workflow_id: workflowId, event_id: eventId, resume_data: resumeData, interrupt_type: interruptType };
	const result = await runWorkflowForItem.call(
		this,
		itemIndex,
		{ workflowId, body, resume: true },
		runOptionsFrom(options, mode, { errorHint: RESUME_LIMIT_HINT }),
	);
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
