import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { listDocuments } from '../../api/knowledge';
import { ItemBudget } from '../../boundaries/budget';
import { parametersOf } from '../../boundaries/parameters';
import { hasMorePages } from '../../core/paging';
import { resultLimitOf, returnAllFields } from '../descriptions';
import { documentJson, KNOWLEDGE_BASE_FIELD, knowledgeBaseLocator } from './common';

/** Documents per request. */
const PAGE_SIZE = 100;
/** A bound on pages, so a server that never ends its list cannot hold the item for ever. */
const MAX_PAGES = 200;

const properties: INodeProperties[] = [knowledgeBaseLocator, ...returnAllFields];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['getManyDocuments'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const datasetId = parameters.locatorId(KNOWLEDGE_BASE_FIELD);
	const limit = resultLimitOf(parameters, 'documents');
	const budget = ItemBudget.of(this);
	const found: INodeExecutionData[] = [];
	for (let page = 1; page <= MAX_PAGES && found.length < limit; page++) {
		const answer = await listDocuments(this, { datasetId, page, size: PAGE_SIZE }, budget);
		for (const document of answer.documents) found.push({ json: documentJson(datasetId, document), pairedItem: { item: itemIndex } });
		if (!hasMorePages({ received: answer.documents.length, seen: found.length, total: answer.total })) break;
	}
	return found.slice(0, limit);
}
