import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { hasMorePages } from '../../core/paging';
import { resultLimitOf, returnAllFields } from '../descriptions';
import { botLocator, CHANNEL_DESCRIPTION } from './common';

/** A bound on pages, so a server that never ends its list cannot hold the item for ever. */
const MAX_PAGES = 100;

const properties: INodeProperties[] = [
	botLocator,
	{
		displayName: 'Versions Of',
		name: 'publishStatus',
		type: 'options',
		options: [
			{ name: 'Published', value: 'published_online', description: 'The versions published so far, newest first' },
			{ name: 'Draft', value: 'unpublished_draft', description: 'The draft\'s version' },
		],
		default: 'published_online',
	},
	...returnAllFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Channel ID',
				name: 'connectorId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 1024',
				description: `Only versions published to this channel (${CHANNEL_DESCRIPTION}); empty means every channel`,
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['bot'], operation: ['getVersions'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const botId = parameters.botId();
	const status = parameters.choice('publishStatus', 'Versions Of', ['published_online', 'unpublished_draft'], 'published_online');
	const limit = resultLimitOf(parameters, 'versions');
	const connectorId = parameters.cozeId('options.connectorId', 'Options → Channel ID', { required: false });
	const found: INodeExecutionData[] = [];
	for (let page = 1; page <= MAX_PAGES && found.length < limit; page++) {
		const { items, total, hasMore } = await coze.bots.versions({ botId, status, connectorId: connectorId || undefined, page });
		for (const version of items) found.push({ json: { bot_id: botId, ...version }, pairedItem: { item: itemIndex } });
		if (!hasMorePages({ received: items.length, seen: found.length, hasMore, total })) break;
	}
	return found.slice(0, limit);
}
