import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { API_CHANNEL } from '../../api/bot';
import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { botLocator, CHANNEL_DESCRIPTION } from './common';

const properties: INodeProperties[] = [
	botLocator,
	{
		displayName: 'Channels',
		name: 'channels',
		type: 'multiOptions',
		options: [
			{ name: 'API', value: '1024', description: 'The Open API (what this node and other API clients talk to)' },
			{ name: 'Chat SDK', value: '999', description: 'Coze\'s web chat SDK' },
		],
		default: [API_CHANNEL],
		description: 'Where to publish the current draft',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Custom Channel IDs',
				name: 'customChannelIds',
				type: 'string',
				default: '',
				placeholder: 'e.g. 7470849514748000001',
				description: `Comma-separated custom channels to publish to as well (${CHANNEL_DESCRIPTION}); Coze requires the API channel with them`,
			},
			{
				displayName: 'Custom Channel Parameters (JSON)',
				name: 'connectors',
				type: 'json',
				default: '{}',
				description: 'Parameters for custom channels, by channel ID, e.g. {"7470849514748000001": {"device_id": "[\\"51237825\\"]"}}',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['bot'], operation: ['publish'] } }, properties);

/** Publishes the agent's current draft as a new version to the chosen channels. */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const botId = parameters.botId();
	const chosen = parameters.list('channels', 'Channels');
	for (const channel of chosen) if (!/^\d+$/.test(channel)) parameters.fail(`Channels: '${channel}' is not a channel ID (digits only: ${CHANNEL_DESCRIPTION})`);
	const custom = parameters.list('options.customChannelIds', 'Options → Custom Channel IDs');
	for (const channel of custom) if (!/^\d+$/.test(channel)) parameters.fail(`Options → Custom Channel IDs: '${channel}' is not a channel ID (digits only)`);
	const connectorIds = [...new Set([...chosen, ...custom])];
	if (connectorIds.length === 0) parameters.fail('Channels: choose at least one channel to publish to (API is the one this node talks to)');
	const connectors = parameters.jsonObject('options.connectors', 'Options → Custom Channel Parameters (JSON)', '{"<channel id>": {"key": "value"}}');
	const published = await coze.bots.publish(botId, connectorIds, connectors);
	return [{ json: { bot_id: botId, ...published, connector_ids: connectorIds }, pairedItem: { item: itemIndex } }];
}
