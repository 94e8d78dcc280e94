import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { botIdLocator, keyValueCollection, keyValueMap, userIdField } from '../descriptions';
import { assertCozeId, getBotId, getRequiredString } from '../validation';
import { runChat } from './runChat';

const properties: INodeProperties[] = [
	botIdLocator,
	userIdField,
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'What is the weather in Hangzhou today?',
		description: 'The user\'s message to the bot',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		placeholder: '7381473525342978089',
		description:
			'Continue this conversation (the bot sees its earlier messages). Leave empty to start a new conversation; its ID is in the output.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Auto Save History',
				name: 'autoSaveHistory',
				type: 'boolean',
				default: true,
				description:
					'Whether Coze saves this turn in the conversation. Always on when Stream is off; when off, a broken stream cannot be recovered.',
			},
			keyValueCollection(
				'Custom Variables',
				'customVariables',
				'Values for {{variable}} placeholders in the bot\'s prompt',
			),
			{
				displayName: 'Include Raw Messages',
				name: 'includeMessages',
				type: 'boolean',
				default: false,
				description: 'Whether to add the raw Coze messages (answers, tool calls, follow-ups, verbose) to the output',
			},
			keyValueCollection('Metadata', 'metaData', 'Up to 16 key/value pairs stored with the chat'),
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: 0.1, numberPrecision: 1 },
				default: 1,
				description: 'How often to ask Coze whether the chat finished, when Stream is off',
			},
			{
				displayName: 'Stream',
				name: 'stream',
				type: 'boolean',
				default: true,
				description:
					'Whether to receive the answer as a stream (fast, the default). When off, the node creates the chat, polls until it finishes, then reads its messages.',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 600,
				description:
					'Longest time the whole chat may take; 0 means no limit. When it runs out, the chat is canceled and the item fails.',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['sendMessage'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const botId = getBotId(this, itemIndex);
	const userId = getRequiredString(this, 'userId', 'User ID', itemIndex);
	const message = getRequiredString(this, 'message', 'Message', itemIndex);
	const conversationIdRaw = String(this.getNodeParameter('conversationId', itemIndex, '') ?? '').trim();
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const stream = options.stream !== false;

	const body: IDataObject = {
		bot_id: botId,
		user_id: userId,
		// Non-stream results are read back from Coze's history, so it must be saved.
		auto_save_history: stream ? options.autoSaveHistory !== false : true,
		additional_messages: [{ role: 'user', type: 'question', content: message, content_type: 'text' }],
	};
	const customVariables = keyValueMap(options.customVariables as IDataObject | undefined);
	if (customVariables) body.custom_variables = customVariables;
	const metaData = keyValueMap(options.metaData as IDataObject | undefined);
	if (metaData) body.meta_data = metaData;

	// conversation_id is a query parameter of /v3/chat, not a body field.
	const qs: IDataObject = {};
	if (conversationIdRaw !== '') {
		qs.conversation_id = assertCozeId(this, conversationIdRaw, 'Conversation ID', itemIndex);
	}

	const result = await runChat.call(
		this,
		{ path: '/v3/chat', qs, body },
		{
			stream,
			timeoutSeconds: Number(options.timeout ?? 600),
			pollIntervalSeconds: Number(options.pollInterval ?? 1),
			includeMessages: options.includeMessages === true,
			recoverable: body.auto_save_history === true,
		},
	);
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
