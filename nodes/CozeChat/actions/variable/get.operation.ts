import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { ownerFields, ownerOf, sessionIdOf } from './common';

const properties: INodeProperties[] = [
	...ownerFields,
	{
		displayName: 'Variable Names',
		name: 'keywords',
		type: 'string',
		default: '',
		placeholder: 'e.g. city, membership',
		description: 'Comma-separated names of the user variables to read; empty reads all of them',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['variable'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const owner = ownerOf(parameters);
	const keywords = parameters.list('keywords', 'Variable Names');
	const items = await coze.variables.get(owner, keywords);
	const variables: IDataObject = {};
	for (const item of items) variables[item.keyword] = item.value;
	const json: IDataObject = {
		...(owner.bot_id ? { bot_id: owner.bot_id } : { app_id: owner.app_id }),
		user_id: owner.connector_uid,
		variables,
		items: items as unknown as IDataObject[],
		...sessionIdOf(this, itemIndex),
	};
	// Coze leaves out a name it does not know; say which, instead of a silent gap.
	const notFound = keywords.filter((keyword) => !(keyword in variables));
	if (notFound.length > 0) json.not_found = notFound;
	return [{ json, pairedItem: { item: itemIndex } }];
}
