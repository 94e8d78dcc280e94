import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { KNOWLEDGE_BASE_FIELD, knowledgeBaseLocator } from './common';

const properties: INodeProperties[] = [
	{
		displayName: 'Deleting a knowledge base deletes all its documents and unbinds it from every bot that uses it',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
	},
	knowledgeBaseLocator,
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['deleteBase'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const datasetId = parameters.locatorId(KNOWLEDGE_BASE_FIELD);
	await coze.knowledge.deleteDataset(datasetId);
	return [{ json: { dataset_id: datasetId, deleted: true }, pairedItem: { item: itemIndex } }];
}
