import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { botIdLocator, enterMessages, keyValueCollection, messageListCollection } from '../descriptions';

const properties: INodeProperties[] = [
	{
		...botIdLocator,
		required: false,
		description:
			'The bot the conversation belongs to. Optional, but needed to list the bot\'s conversations later.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			messageListCollection(
				'Initial Messages',
				'messages',
				'Messages to seed the conversation with, in order (context for the first chat)',
			),
			keyValueCollection('Metadata', 'metaData', 'Up to 16 key/value pairs stored with the conversation'),
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: 'A name for the conversation (up to 100 characters)',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['create'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const botId = parameters.botId(false);
	const body: IDataObject = {};
	if (botId) body.bot_id = botId;
	const name = parameters.text('options.name', 'Options → Name');
	if (name !== '') body.name = name;
	const metaData = parameters.keyValues('options.metaData', 'Options → Metadata');
	if (metaData) body.meta_data = metaData;
	const seeded = enterMessages(parameters.entries('options.messages', 'Options → Initial Messages'));
	if (seeded.length > 0) body.messages = seeded;
	const conversation = await coze.conversations.create(body);
	return [{ json: conversation, pairedItem: { item: itemIndex } }];
}
