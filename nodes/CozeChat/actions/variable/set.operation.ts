import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { setVariables } from '../../api/variable';
import { parametersOf } from '../../boundaries/parameters';
import { keyValueCollection } from '../descriptions';
import { ownerFields, ownerOf, sessionIdOf, unsupportedOnThisServer } from './common';

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

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const owner = ownerOf(parameters);
	const values = parameters.keyValues('values', 'Values') ?? parameters.fail('Values: add at least one variable to set (its name and value)');
	await setVariables(this, owner, values).catch((error: unknown) => {
		throw unsupportedOnThisServer(error);
	});
	return [
		{
			json: { ...(owner.bot_id ? { bot_id: owner.bot_id } : { app_id: owner.app_id }), user_id: owner.connector_uid, set: values, ...sessionIdOf(this, itemIndex) },
			pairedItem: { item: itemIndex },
		},
	];
}
