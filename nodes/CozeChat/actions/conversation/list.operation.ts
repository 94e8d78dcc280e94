import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { botIdLocator, resultLimitOf, returnAllFields } from '../descriptions';

const properties: INodeProperties[] = [
	{ ...botIdLocator, description: 'The bot whose conversations to list (those created through the API)' },
	...returnAllFields,
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

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const botId = parameters.botId();
	const limit = resultLimitOf(parameters);
	const sortOrder = parameters.choice('options.sortOrder', 'Options → Sort Order', ['DESC', 'ASC'], 'DESC');
	const conversations: IDataObject[] = [];
	for (let page = 1; conversations.length < limit; page++) {
		const { conversations: list, hasMore } = await coze.conversations.list({ botId, page, sortOrder });
		conversations.push(...list);
		if (!hasMore || list.length === 0) break;
	}
	return conversations
		.slice(0, limit)
		.map((conversation) => ({ json: conversation, pairedItem: { item: itemIndex } }));
}
