import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { attachFiles, downloadFilesOptions, filesSettingsOf } from '../filesOut';
import { workflowFileSources } from '../../core/fileRefs';
import { concurrencyOption, sortedOptions, timeoutSecondsOf } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import {
	enableStreamingOption,
	fetchNodeOutputsOption,
	getWorkflowId,
	modeField,
	pollIntervalOption,
	runModeOf,
	timeoutOption,
	workflowLocator,
	workflowRunOptionsOf,
} from './common';
import { RESUME_LIMIT_HINT } from '../../boundaries/hints';
import { runWorkflowForItem } from './runWorkflow';

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
		placeholder: 'e.g. 7404830425073352713/2769808280134765896',
		description: 'The interrupt.event_id of the interrupted run (the default reads it from the input item)',
	},
	{
		displayName: 'Interrupt Type',
		name: 'interruptType',
		type: 'string',
		default: '={{ $json.interrupt?.type }}',
		required: true,
		placeholder: 'e.g. 2',
		description: 'The interrupt.type of the interrupted run: 2 question node, 5 input node, 6 client-side plugin, 7 OAuth plugin',
	},
	{
		displayName: 'Resume Data',
		name: 'resumeData',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. Hangzhou, 2024-08-20',
		description:
			'The answer: text for a question node, a JSON object of the required parameters for an input node (e.g. {"name": "Ada"}), {"file_id": "…"} for a file',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([concurrencyOption, enableStreamingOption, fetchNodeOutputsOption, pollIntervalOption, timeoutOption, ...downloadFilesOptions]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflow'], operation: ['resume'] } }, properties);

export const parallelism = itemsInParallel();

/** The item's time: Options → Timeout (Seconds); the schema check and uploads count too. */
export const timeoutSeconds = timeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const workflowId = getWorkflowId(parameters);
	const mode = runModeOf(parameters);
	const eventId = parameters.text('eventId', 'Event ID', { required: true });
	const interruptType = parameters.number('interruptType', 'Interrupt Type', { default: NaN, integer: true, min: 0, minNote: '2, 5, 6 or 7' });
	if (Number.isNaN(interruptType)) parameters.fail('Interrupt Type is empty: enter the interrupt.type of the interrupted run (2, 5, 6 or 7)');
	// An object from an expression (an input node's parameters) is sent as its JSON text.
	const resumeData = parameters.text('resumeData', 'Resume Data', { keepSpaces: true });
	const options = workflowRunOptionsOf(parameters, mode, { errorHint: RESUME_LIMIT_HINT });
	const files = filesSettingsOf(parameters);
	const body: IDataObject = { workflow_id: workflowId, event_id: eventId, resume_data: resumeData, interrupt_type: interruptType };
	const result = await runWorkflowForItem(this, coze, { workflowId, body, resume: true }, options);
	const item: INodeExecutionData = { json: result as unknown as IDataObject, pairedItem: { item: itemIndex } };
	return [files ? await attachFiles(this, coze, item, workflowFileSources(result), files, { anyUrl: true }) : item];
}
