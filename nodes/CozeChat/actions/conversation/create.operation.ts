import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { cozeApiRequest } from '../../transport/request';
import { botIdLocator, enterMessages, keyValueCollection, keyValueMap, messageListCollection } from '../descriptions';
import { getBotId } from '../validation';

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

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const botId = getBotId(this, itemIndex, false);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body: IDataObject = {};
	if (botId) body.bot_id = botId;
	if (typeof options.name === 'string' && options.name.trim() !== '') body.name = options.name.trim();
	const metaData = keyValueMap(options.metaData as IDataObject | undefined);
	if (metaData) body.meta_data = metaData;
	const seeded = enterMessages(options.messages as IDataObject | undefined);
	if (seeded.length > 0) body.messages = seeded;
	const conversation = (await cozeApiRequest.call(this, 'POST', '/v1/conversation/create', {
		body,
	})) as IDataObject;
	return [{ json: conversation, pairedItem: { item: itemIndex } }];
}
