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
		displayName: 'Channel ID',
		name: 'connectorId',
		type: 'string',
		default: API_CHANNEL,
		required: true,
		description: `The channel to take the agent off: ${CHANNEL_DESCRIPTION}. Only the agent's owner can unpublish.`,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [{ displayName: 'Reason', name: 'reason', type: 'string', default: '', description: 'Why the agent is taken off the channel (kept by Coze)' }],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['bot'], operation: ['unpublish'] } }, properties);

/** Takes the agent off a channel; its draft and versions stay. */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const botId = parameters.botId();
	const connectorId = parameters.cozeId('connectorId', 'Channel ID');
	const reason = parameters.text('options.reason', 'Options → Reason');
	await coze.bots.unpublish(botId, connectorId, reason || undefined);
	return [{ json: { bot_id: botId, connector_id: connectorId, unpublished: true }, pairedItem: { item: itemIndex } }];
}
