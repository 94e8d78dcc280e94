import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { baseDescriptionField, baseNameField, baseNameOf, iconFileIdField, KNOWLEDGE_BASE_FIELD, knowledgeBaseLocator } from './common';

const properties: INodeProperties[] = [
	knowledgeBaseLocator,
	{
		displayName: 'Coze replaces the name, description and icon together: enter all three as they should be (an empty description or icon is cleared)',
		name: 'replaceNotice',
		type: 'notice',
		default: '',
	},
	baseNameField,
	baseDescriptionField,
	iconFileIdField('An image uploaded with File → Upload (its ID); empty resets the icon'),
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['updateBase'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const datasetId = parameters.locatorId(KNOWLEDGE_BASE_FIELD);
	const name = baseNameOf(parameters);
	const description = parameters.text('description', 'Description');
	const iconFileId = parameters.cozeId('iconFileId', 'Icon File ID', { required: false });
	await coze.knowledge.updateDataset(datasetId, { name, description, ...(iconFileId ? { file_id: iconFileId } : {}) });
	return [{ json: { dataset_id: datasetId, name, description, ...(iconFileId ? { icon_file_id: iconFileId } : {}), updated: true }, pairedItem: { item: itemIndex } }];
}
