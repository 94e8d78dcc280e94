import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { resultLimitOf, returnAllFields } from '../descriptions';

/** Coze's largest page of voices (coze-js ListVoicesReq). */
const PAGE_SIZE = 100;
/** A bound on pages, so a server that always says has_more cannot hold the item for ever. */
const MAX_PAGES = 100;

const properties: INodeProperties[] = [
	...returnAllFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Only Cloned Voices',
				name: 'filterSystemVoice',
				type: 'boolean',
				default: false,
				description: "Whether to leave out Coze's system voices and list only the account's cloned ones",
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['audio'], operation: ['getVoices'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const limit = resultLimitOf(parameters, 'voices');
	const filterSystemVoice = parameters.boolean('options.filterSystemVoice', 'Options → Only Cloned Voices', false);
	const voices: IDataObject[] = [];
	for (let pageNum = 1; pageNum <= MAX_PAGES && voices.length < limit; pageNum++) {
		const page = await coze.audio.voices({ pageNum, pageSize: PAGE_SIZE, filterSystemVoice });
		voices.push(...(page.voices as IDataObject[]));
		if (!page.hasMore || page.voices.length === 0) break;
	}
	return voices.slice(0, limit).map((voice) => ({ json: voice, pairedItem: { item: itemIndex } }));
}
