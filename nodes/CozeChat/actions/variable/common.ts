import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { VariableOwner } from '../../api/variable';
import type { ItemParameters } from '../../boundaries/parameters';
import { botIdLocator, userIdField } from '../descriptions';

/** Whose variables (shared by Get and Set). */
export const ownerFields: INodeProperties[] = [
	{
		displayName: 'Variables Of',
		name: 'owner',
		type: 'options',
		options: [
			{ name: 'Bot', value: 'bot', description: 'The user variables of a bot (agent)' },
			{ name: 'App', value: 'app', description: 'The user variables of a Coze app (its workflows and chatflows)' },
		],
		default: 'bot',
	},
	{
		...botIdLocator,
		description: 'The bot whose user variables to read or set',
		displayOptions: { show: { owner: ['bot'] } },
	},
	{
		displayName: 'App ID',
		name: 'appId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 7439000000000000001',
		description: 'The app, from its editor URL (the number after project-ide/)',
		displayOptions: { show: { owner: ['app'] } },
	},
	userIdField,
	{
		displayName: 'Channel ID',
		name: 'connectorId',
		type: 'string',
		default: '1024',
		description: 'The channel the values belong to: 1024 is the API, 999 the Chat SDK, or a custom channel\'s ID (then use a token of the channel\'s creator)',
	},
];

export function ownerOf(parameters: ItemParameters): VariableOwner {
	const owner = parameters.choice('owner', 'Variables Of', ['bot', 'app'], 'bot');
	const common = {
		connector_id: parameters.cozeId('connectorId', 'Channel ID'),
		connector_uid: parameters.text('userId', 'User ID', { required: true }),
	};
	return owner === 'app' ? { app_id: parameters.cozeId('appId', 'App ID'), ...common } : { bot_id: parameters.botId(), ...common };
}

/**
 * The input item's Chat Trigger sessionId, kept on the output: the default User ID reads it, so a
 * Send Message (or another Variable node) after this one with the default is the same user.
 */
export function sessionIdOf(context: IExecuteFunctions, itemIndex: number): { sessionId?: string } {
	const sessionId = context.getInputData()[itemIndex]?.json?.sessionId;
	return typeof sessionId === 'string' && sessionId !== '' ? { sessionId } : {};
}
