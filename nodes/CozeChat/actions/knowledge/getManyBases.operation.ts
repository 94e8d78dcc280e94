import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { FORMAT_TYPES, type FormatName } from '../../api/knowledge';
import { parametersOf } from '../../boundaries/parameters';
import { hasMorePages } from '../../core/paging';
import { resultLimitOf, returnAllFields } from '../descriptions';
import { formatOptions, WORKSPACE_FIELD, workspaceLocator } from './common';

/** Knowledge bases per request (Coze allows 1–300). */
const PAGE_SIZE = 100;
/** A bound on pages, so a server that never ends its list cannot hold the item for ever. */
const MAX_PAGES = 100;

const properties: INodeProperties[] = [
	workspaceLocator,
	...returnAllFields,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Format',
				name: 'formatType',
				type: 'options',
				options: [{ name: 'Any', value: 'any' }, ...formatOptions],
				default: 'any',
			},
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: 'Only knowledge bases whose name contains this text',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['getManyBases'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const spaceId = parameters.locatorId(WORKSPACE_FIELD);
	const limit = resultLimitOf(parameters, 'knowledge bases');
	const name = parameters.text('filters.name', 'Filters → Name');
	const format = parameters.choice<FormatName | 'any'>('filters.formatType', 'Filters → Format', ['any', 'text', 'table', 'image'], 'any');
	const found: INodeExecutionData[] = [];
	for (let pageNum = 1; pageNum <= MAX_PAGES && found.length < limit; pageNum++) {
		const page = await coze.knowledge.listDatasets({
			spaceId,
			pageNum,
			pageSize: PAGE_SIZE,
			...(name ? { name } : {}),
			...(format === 'any' ? {} : { formatType: FORMAT_TYPES[format] }),
		});
		for (const dataset of page.datasets) found.push({ json: dataset, pairedItem: { item: itemIndex } });
		if (!hasMorePages({ received: page.datasets.length, seen: found.length, total: page.total })) break;
	}
	return found.slice(0, limit);
}
