import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { fetchNodeOutputsOption, getWorkflowId, workflowLocator } from './common';
import { withHint } from '../../boundaries/hints';
import { workflowFileSources } from '../../core/fileRefs';
import type { WorkflowHistory } from '../../core/workflowDecode';
import { sortedOptions } from '../descriptions';
import { attachFiles, downloadFilesOptions, filesSettingsOf } from '../filesOut';

const properties: INodeProperties[] = [
	workflowLocator('workflow'),
	{
		displayName: 'Execute ID',
		name: 'executeId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 7431040978805850000',
		description: 'The run\'s execute_id (in the output of Run, or the debug_url)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([fetchNodeOutputsOption, ...downloadFilesOptions]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflow'], operation: ['getRunHistory'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const workflowId = getWorkflowId(parameters);
	const executeId = parameters.cozeId('executeId', 'Execute ID');
	const fetchNodeOutputs = parameters.boolean('options.fetchNodeOutputs', 'Options → Fetch Output Nodes One by One', false);
	const files = filesSettingsOf(parameters);
	const histories = coze.workflows.history(workflowId, executeId);
	let json: Partial<WorkflowHistory>;
	try {
		const history = await histories.get();
		if (history.status !== 'running' && (history.is_output_trimmed || fetchNodeOutputs)) {
			await histories.fetchNodeOutputs(history);
		}
		json = { ...history };
		delete json.outputReadable;
	} catch (error) {
		throw withHint(error, undefined, false);
	}
	const item: INodeExecutionData = { json: json as unknown as IDataObject, pairedItem: { item: itemIndex } };
	return [files ? await attachFiles(this, coze, item, workflowFileSources(json), files, { anyUrl: true }) : item];
}
