import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf, toText } from '../../boundaries/parameters';
import { resultLimitOf, returnAllFields } from '../descriptions';

/** Coze's largest page (list_plugin.md: page_size ≤ 100). */
const MAX_PAGE = 100;
/** Pages Return All reads at most, so a server that always says has_more cannot loop. */
const MAX_PAGES = 50;

const properties: INodeProperties[] = [
	{
		displayName: 'Keyword',
		name: 'keyword',
		type: 'string',
		default: '',
		placeholder: 'e.g. news',
		description: 'Words to search the store for (fuzzy); empty lists the whole store',
	},
	...returnAllFields,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Category',
				name: 'category',
				type: 'resourceLocator',
				default: { mode: 'list', value: '' },
				description: 'Only plugins of this store category',
				modes: [
					{ displayName: 'From List', name: 'list', type: 'list', placeholder: 'Select a category...', typeOptions: { searchListMethod: 'searchPluginCategories', searchable: true } },
					{ displayName: 'ID', name: 'id', type: 'string', placeholder: 'e.g. 7327137275714732069' },
				],
			},
			{
				displayName: 'Official Only',
				name: 'officialOnly',
				type: 'boolean',
				default: false,
				description: 'Whether to list only Coze\'s own plugins (otherwise third-party ones too)',
			},
			{
				displayName: 'Sort By',
				name: 'sort',
				type: 'options',
				options: [
					{ name: 'Most Popular', value: 'heat' },
					{ name: 'Newest', value: 'newest' },
					{ name: 'Relevance (With a Keyword)', value: 'relative' },
				],
				default: 'heat',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['plugin'], operation: ['search'] } }, properties);

/** One item per plugin: its ID (`entity_id`, for Get and Call Tool), name, category, and Coze's listing. */
function pluginItem(item: IDataObject): IDataObject {
	const meta = (item.metainfo ?? {}) as IDataObject;
	const info = (item.plugin_info ?? {}) as IDataObject;
	const category = (meta.category ?? {}) as IDataObject;
	return {
		plugin_id: toText(meta.entity_id),
		name: meta.name,
		description: meta.description ?? info.description,
		category_id: category.id,
		category_name: category.name,
		is_official: meta.is_official,
		is_call_available: info.is_call_available,
		tools_count: info.total_tools_count,
		metainfo: meta,
		plugin_info: info,
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const keyword = parameters.text('keyword', 'Keyword');
	const limit = resultLimitOf(parameters, 'plugins');
	const categoryId = toText(parameters.raw('filters.category', 'Filters → Category', '', { extractValue: true })).trim();
	if (categoryId !== '' && !/^\d+$/.test(categoryId)) parameters.fail(`Filters → Category: '${categoryId}' is not a category ID (digits only)`);
	const official = parameters.boolean('filters.officialOnly', 'Filters → Official Only', false) ? true : undefined;
	const sort = parameters.choice('filters.sort', 'Filters → Sort By', ['heat', 'newest', 'relative'], keyword ? 'relative' : 'heat');
	if (sort === 'relative' && keyword === '') parameters.fail('Filters → Sort By: Relevance needs a Keyword', 'Coze sorts by relevance only when searching; choose Most Popular or Newest, or enter a keyword.');
	const out: INodeExecutionData[] = [];
	// One page size throughout: Coze pages by number, so a changing size would skip or repeat plugins.
	const pageSize = Math.min(MAX_PAGE, limit);
	for (let pageNum = 1; pageNum <= MAX_PAGES && out.length < limit; pageNum++) {
		const page = await coze.plugins.search({ keyword: keyword || undefined, categoryId: categoryId || undefined, official, sort, pageNum, pageSize });
		for (const item of page.items) if (out.length < limit) out.push({ json: pluginItem(item), pairedItem: { item: itemIndex } });
		if (!page.hasMore || page.items.length === 0) break;
	}
	return out;
}
