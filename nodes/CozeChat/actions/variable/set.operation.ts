import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { keyValueCollection } from '../descriptions';
import { ownerFields, ownerOf, sessionIdOf } from './common';

const properties: INodeProperties[] = [
	...ownerFields,
	{
		...keyValueCollection(
			'Values',
			'values',
			'The user variables to set (Key: the variable\'s name, which must exist and be enabled in the bot or app; not a system variable). An object from an expression is sent as its JSON text.',
		),
		required: true,
	},
];

export const description = updateDisplayOptions({ show: { resource: ['variable'], operation: ['set'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const owner = ownerOf(parameters);
	const values = parameters.keyValues('values', 'Values') ?? parameters.fail('Values: add at least one variable to set (its name and value)');
	await coze.variables.set(owner, values);
	return [
		{
			json: { ...(owner.bot_id ? { bot_id: owner.bot_id } : { app_id: owner.app_id }), user_id: owner.connector_uid, set: values, ...sessionIdOf(this, itemIndex) },
			pairedItem: { item: itemIndex },
		},
	];
}
