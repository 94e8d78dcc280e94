import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { concurrencyOption } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import { botJson, botLocator } from './common';

export const versionField: INodeProperties = {
	displayName: 'Version',
	name: 'version',
	type: 'options',
	options: [
		{ name: 'Published', value: 'published', description: 'The configuration users talk to' },
		{ name: 'Draft', value: 'draft', description: 'The current draft, with changes not yet published' },
	],
	default: 'published',
};

const properties: INodeProperties[] = [
	botLocator,
	versionField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [concurrencyOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['bot'], operation: ['get'] } }, properties);

/** Reading configurations is safe to do for several items at once. */
export const parallelism = itemsInParallel();

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const botId = parameters.botId();
	const version = parameters.choice('version', 'Version', ['published', 'draft'], 'published');
	if (version === 'draft' && (await coze.workspaces.dialect()) === 'studio') {
		// Studio's GET /v1/bots/:bot_id ignores is_published (OpenGetBotInfo reads the online agent):
		// its answer would be the published configuration labelled as the draft.
		parameters.fail('Version: Draft is not supported by this Coze server (self-hosted Coze Studio\'s API reads the published agent only); choose Published');
	}
	const bot = botJson(await coze.bots.get(botId, version === 'draft'));
	return [{ json: { bot_id: botId, ...bot, is_draft: version === 'draft' }, pairedItem: { item: itemIndex } }];
}
