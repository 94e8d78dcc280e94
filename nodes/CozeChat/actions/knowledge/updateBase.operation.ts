import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { updateDataset } from '../../api/knowledge';
import { ItemBudget } from '../../boundaries/budget';
import { parametersOf } from '../../boundaries/parameters';
import { KNOWLEDGE_BASE_FIELD, knowledgeBaseLocator } from './common';
import { nameOf } from './createBase.operation';

const properties: INodeProperties[] = [
	knowledgeBaseLocator,
	{
		displayName: 'Coze replaces the name, description and icon together: enter all three as they should be (an empty description or icon is cleared)',
		name: 'replaceNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Product Handbook',
		description: 'The knowledge base\'s name (at most 100 characters)',
	},
	{ displayName: 'Description', name: 'description', type: 'string', typeOptions: { rows: 2 }, default: '' },
	{
		displayName: 'Icon File ID',
		name: 'iconFileId',
		type: 'string',
		default: '',
		description: 'An image uploaded with File → Upload (its ID); empty resets the icon',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['updateBase'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const datasetId = parameters.locatorId(KNOWLEDGE_BASE_FIELD);
	const name = nameOf(parameters.text('name', 'Name', { required: true }), parameters.fail.bind(parameters));
	const description = parameters.text('description', 'Description');
	const iconFileId = parameters.cozeId('iconFileId', 'Icon File ID', { required: false });
	await updateDataset(this, datasetId, { name, description, ...(iconFileId ? { file_id: iconFileId } : {}) }, ItemBudget.of(this));
	return [{ json: { dataset_id: datasetId, name, description, ...(iconFileId ? { icon_file_id: iconFileId } : {}), updated: true }, pairedItem: { item: itemIndex } }];
}
