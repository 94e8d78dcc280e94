import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { cozeApiRequest } from '../../transport/request';
import { botIdLocator, keyValueCollection, keyValueMap } from '../descriptions';
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
			{
				displayName: 'Initial Messages',
				name: 'messages',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description: 'Messages to seed the conversation with, in order (context for the first chat)',
				options: [
					{
						displayName: 'Message',
						name: 'message',
						values: [
							{
								displayName: 'Role',
								name: 'role',
								type: 'options',
								options: [
									{ name: 'User', value: 'user' },
									{ name: 'Assistant', value: 'assistant' },
								],
								default: 'user',
							},
							{ displayName: 'Content', name: 'content', type: 'string', default: '' },
						],
					},
				],
			},
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
	const messages = ((options.messages as IDataObject | undefined)?.message as IDataObject[] | undefined) ?? [];
	const seeded = messages.filter((m) => String(m.content ?? '') !== '');
	if (seeded.length > 0) {
		body.messages = seeded.map((m) => ({
			role: m.role === 'assistant' ? 'assistant' : 'user',
			type: m.role === 'assistant' ? 'answer' : 'question',
			content: String(m.content),
			content_type: 'text',
		}));
	}
	const conversation = (await cozeApiRequest.call(this, 'POST', '/v1/conversation/create', {
		body,
	})) as IDataObject;
	return [{ json: conversation, pairedItem: { item: itemIndex } }];
}
