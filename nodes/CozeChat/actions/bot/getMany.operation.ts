import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { BotListStatus } from '../../api/bot';
import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { hasMorePages } from '../../core/paging';
import { resultLimitOf, returnAllFields } from '../descriptions';
import { WORKSPACE_FIELD, workspaceLocator } from '../knowledge/common';
import { CHANNEL_DESCRIPTION } from './common';

/** A bound on pages, so a server that never ends its list cannot hold the item for ever. */
const MAX_PAGES = 100;

const STATUSES: BotListStatus[] = ['all', 'published_online', 'published_draft', 'unpublished_draft'];

const properties: INodeProperties[] = [
	{ ...workspaceLocator, description: 'The workspace (space) whose agents to list' },
	{
		displayName: 'Publish Status',
		name: 'publishStatus',
		type: 'options',
		options: [
			{ name: 'All (Drafts and Published)', value: 'all', description: 'Every agent, as its latest draft' },
			{ name: 'Published', value: 'published_online', description: 'Published agents, as published on the channel' },
			{ name: 'Published, as Their Drafts', value: 'published_draft', description: 'Published agents, as their current draft' },
			{ name: 'Never Published', value: 'unpublished_draft', description: 'Drafts that were never published' },
		],
		default: 'all',
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
				default: '1024',
				description: `For the published statuses: the channel whose published version to list; ${CHANNEL_DESCRIPTION}`,
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['bot'], operation: ['getMany'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const workspaceId = parameters.locatorId(WORKSPACE_FIELD);
	const status = parameters.choice('publishStatus', 'Publish Status', STATUSES, 'all');
	const limit = resultLimitOf(parameters, 'agents');
	const connectorId = parameters.cozeId('options.connectorId', 'Options → Channel ID', { required: false });
	const found: INodeExecutionData[] = [];
	for (let page = 1; page <= MAX_PAGES && found.length < limit; page++) {
		const { items, total, hasMore } = await coze.bots.list({ workspaceId, status, connectorId: connectorId || undefined, page });
		for (const bot of items) found.push({ json: { ...bot, workspace_id: workspaceId }, pairedItem: { item: itemIndex } });
		if (!hasMorePages({ received: items.length, seen: found.length, hasMore, total })) break;
	}
	return found.slice(0, limit);
}
