import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { getCozeId } from '../validation';
import { fetchNodeOutputsOption, getWorkflowId, workflowLocator } from './common';
import { HistoryClient } from './runWorkflow';

const properties: INodeProperties[] = [
	workflowLocator('workflow'),
	{
		displayName: 'Execute ID',
		name: 'executeId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '7431040978805850000',
		description: 'The run\'s execute_id (in the output of Run, or the debug_url)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [fetchNodeOutputsOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['workflow'], operation: ['getRunHistory'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const workflowId = getWorkflowId(this, itemIndex);
	const executeId = getCozeId(this, 'executeId', 'Execute ID', itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const histories = new HistoryClient(this, workflowId, executeId);
	const history = await histories.get();
	if (history.status !== 'running' && (history.is_output_trimmed || options.fetchNodeOutputs === true)) {
		await histories.fetchNodeOutputs(history);
	}
	const json = { ...history } as Partial<typeof history>;
	delete json.outputReadable;
	return [{ json: json as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
