import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { cozeApiRequest } from '../../transport/request';
import { botIdLocator } from '../descriptions';
import { getBotId } from '../validation';

/** Coze's maximum page size for /v1/conversations. */
const PAGE_SIZE = 50;

const properties: INodeProperties[] = [
	{ ...botIdLocator, description: 'The bot whose conversations to list (those created through the API)' },
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Sort Order',
				name: 'sortOrder',
				type: 'options',
				options: [
					{ name: 'Newest First', value: 'DESC' },
					{ name: 'Oldest First', value: 'ASC' },
				],
				default: 'DESC',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['list'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const botId = getBotId(this, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const conversations: IDataObject[] = [];
	for (let page = 1; conversations.length < limit; page++) {
		const data = (await cozeApiRequest.call(this, 'GET', '/v1/conversations', {
			qs: {
				bot_id: botId,
				page_num: page,
				page_size: PAGE_SIZE,
				sort_order: (options.sortOrder as string | undefined) ?? 'DESC',
			},
		})) as IDataObject;
		const list = (data?.conversations as IDataObject[] | undefined) ?? [];
		conversations.push(...list);
		if (!data?.has_more || list.length === 0) break;
	}
	return conversations
		.slice(0, limit)
		.map((conversation) => ({ json: conversation, pairedItem: { item: itemIndex } }));
}
