import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { resultLimitOf, returnAllFields } from '../descriptions';
import { documentJson, KNOWLEDGE_BASE_FIELD, knowledgeBaseLocator } from './common';

const properties: INodeProperties[] = [knowledgeBaseLocator, ...returnAllFields];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['getManyDocuments'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const datasetId = parameters.locatorId(KNOWLEDGE_BASE_FIELD);
	const limit = resultLimitOf(parameters, 'documents');
	const documents = await coze.knowledge.listAllDocuments(datasetId, limit);
	return documents.map((document) => ({ json: documentJson(datasetId, document), pairedItem: { item: itemIndex } }));
}
