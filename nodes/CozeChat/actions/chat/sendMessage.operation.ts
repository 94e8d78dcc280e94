import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import {
	botIdLocator,
	chatRunOptions,
	enterMessages,
	keyValueCollection,
	keyValueMap,
	messageListCollection,
	sortedOptions,
	userIdField,
} from '../descriptions';
import { assertCozeId, getBotId, getRequiredString } from '../validation';
import { attachmentType, userMessageContent, type Attachment } from '../../core/content';
import { uploadBinary } from '../../transport/files';
import { ItemBudget } from '../../transport/http';
import { byConversationId, conversationIdOf, itemsInParallel } from '../parallelism';
import { findConversation, getConversationKey, rememberConversation } from './conversationKeys';
import { runChatForItem, runOptionsFrom } from './runChat';

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
			...sortedOptions([
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
				keyValueCollection('Metadata', 'metaData', 'Up to 16 key/value pairs stored with the chat'),
				messageListCollection(
					'Previous Messages',
					'additionalMessages',
					'Earlier turns to give the bot as context, oldest first (sent before Message)',
				),
				{
					displayName: 'Binary Fields (Images and Files)',
					name: 'binaryProperties',
					type: 'string',
					default: '',
					placeholder: 'data, attachment',
					description:
						'Comma-separated names of input binary fields to send with the message; each is uploaded to Coze first',
				},
				{
					displayName: 'File URLs',
					name: 'fileUrls',
					type: 'string',
					default: '',
					placeholder: 'https://example.com/photo.png',
					description:
						'Comma-separated public URLs of images or files to send with the message (images are recognised by their extension)',
				},
				{
					displayName: 'Chatflow Parameters',
					name: 'parameters',
					type: 'json',
					default: '{}',
					description: 'Inputs for the start node of a chatflow-mode bot, as a JSON object',
				},
				{
					displayName: 'Talk To',
					name: 'publishStatus',
					type: 'options',
					options: [
						{ name: 'Published Bot', value: 'published_online' },
						{ name: 'Unpublished Draft', value: 'unpublished_draft' },
					],
					default: 'published_online',
					description: 'Whether to talk to the published bot or to its unpublished draft',
				},
				{
					displayName: 'Bot Version',
					name: 'botVersion',
					type: 'string',
					default: '',
					placeholder: '1734067826123',
					description: 'A specific published version of the bot (latest when empty)',
				},
				{
					displayName: 'Shortcut Command',
					name: 'shortcutCommand',
					type: 'fixedCollection',
					default: {},
					description: 'Run one of the bot\'s shortcut commands; it generates the user question',
					options: [
						{
							displayName: 'Command',
							name: 'command',
							values: [
								{ displayName: 'Command ID', name: 'commandId', type: 'string', default: '' },
								keyValueCollection('Parameters', 'parameters', 'Values of the command\'s parameters'),
							],
						},
					],
				},
				{
					displayName: 'Conversation Key',
					name: 'conversationKey',
					type: 'string',
					default: '',
					placeholder: '={{ $json.sessionId }}',
					description:
						'Keep one Coze conversation per key, e.g. the Chat Trigger\'s session ID: the first message with a key starts a conversation, later ones continue it. Used when Conversation ID is empty. Remembered (last 1000 keys) in the workflow\'s static data, which n8n saves only for production executions of an active workflow, not for manual test runs. In queue mode n8n 2.x does not hand static data to its workers, so every message starts a new conversation there: send the Conversation ID instead.',
				},
				{
					displayName: 'Items in Parallel',
					name: 'concurrency',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: 20 },
					default: 1,
					description:
						'How many items to send at once. Items with the same Conversation ID or Conversation Key still go one after another, because Coze runs one chat per conversation at a time.',
				},
				...chatRunOptions,
			]),
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['sendMessage'] } },
	properties,
);

/** Items may run in parallel, except several items in one conversation. */
export const parallelism = itemsInParallel((context, itemIndex) => {
	const byId = byConversationId(context, itemIndex);
	if (byId) return byId;
	const key = getConversationKey(context, itemIndex);
	return key === '' ? undefined : `key:${key}`;
});

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const botId = getBotId(this, itemIndex);
	const userId = getRequiredString(this, 'userId', 'User ID', itemIndex);
	const message = getRequiredString(this, 'message', 'Message', itemIndex);
	const conversationIdRaw = conversationIdOf(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const stream = options.stream !== false;
	// One conversation per Conversation Key (only when no Conversation ID is given).
	const conversationKey = conversationIdRaw === '' ? getConversationKey(this, itemIndex) : '';
	const keyStore = conversationKey === '' ? undefined : this.getWorkflowStaticData('node');

	// conversation_id is a query parameter of /v3/chat, not a body field.
	const qs: IDataObject = {};
	if (conversationIdRaw !== '') {
		qs.conversation_id = assertCozeId(this, conversationIdRaw, 'Conversation ID', itemIndex);
	} else if (keyStore) {
		const known = findConversation(keyStore, botId, conversationKey);
		if (known !== undefined) qs.conversation_id = known;
	}
	const parameters = parseJsonObject(this, options.parameters, 'Chatflow Parameters', itemIndex);
	const runOptions = runOptionsFrom(options, { recoverable: !stream || options.autoSaveHistory !== false });
	// One time budget for the whole item: uploads and the chat.
	runOptions.budget = ItemBudget.of(this, runOptions.timeoutSeconds);
	// Uploads come last: nothing is sent to Coze before every field checked out.
	const attachments = await collectAttachments.call(this, itemIndex, options, runOptions.budget);
	const body: IDataObject = {
		bot_id: botId,
		user_id: userId,
		// Non-stream results are read back from Coze's history, so it must be saved.
		auto_save_history: stream ? options.autoSaveHistory !== false : true,
		additional_messages: [
			...enterMessages(options.additionalMessages as IDataObject | undefined),
			{ role: 'user', type: 'question', ...userMessageContent(message, attachments) },
		],
	};
	if (parameters && Object.keys(parameters).length > 0) body.parameters = parameters;
	if (options.publishStatus === 'unpublished_draft') body.publish_status = 'unpublished_draft';
	if (typeof options.botVersion === 'string' && options.botVersion.trim() !== '') {
		body.bot_version = options.botVersion.trim();
	}
	const shortcut = shortcutCommand(options);
	if (shortcut) body.shortcut_command = shortcut;
	const customVariables = keyValueMap(options.customVariables as IDataObject | undefined);
	if (customVariables) body.custom_variables = customVariables;
	const metaData = keyValueMap(options.metaData as IDataObject | undefined);
	if (metaData) body.meta_data = metaData;

	const result = await runChatForItem.call(this, itemIndex, { path: '/v3/chat', qs, body }, runOptions);
	if (keyStore && result.conversation_id) {
		rememberConversation(keyStore, botId, conversationKey, result.conversation_id);
	}
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}

/** Uploads the chosen binary fields and adds the file URLs, in that order. */
async function collectAttachments(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	budget: ItemBudget,
): Promise<Attachment[]> {
	const urls = splitList(options.fileUrls);
	const badUrl = urls.find((url) => !/^https?:\/\//i.test(url));
	if (badUrl !== undefined) {
		throw new NodeOperationError(this.getNode(), `File URLs: '${badUrl}' is not an http(s) URL`, { itemIndex });
	}
	const attachments: Attachment[] = [];
	for (const name of splitList(options.binaryProperties)) {
		const file = await uploadBinary.call(this, itemIndex, name, budget);
		attachments.push({ type: attachmentType({ mimeType: file.mime_type }), file_id: file.id });
	}
	for (const url of urls) attachments.push({ type: attachmentType({ url }), file_url: url });
	return attachments;
}

function splitList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
	return String(value ?? '')
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
}

function parseJsonObject(
	context: IExecuteFunctions,
	value: unknown,
	label: string,
	itemIndex: number,
): IDataObject | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw new NodeOperationError(context.getNode(), `${label} is not valid JSON`, { itemIndex });
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new NodeOperationError(context.getNode(), `${label} must be a JSON object, like {"city": "Hangzhou"}`, {
			itemIndex,
		});
	}
	return parsed as IDataObject;
}

/** Coze wants each shortcut parameter as a JSON string of an object_string array. */
function shortcutCommand(options: IDataObject): IDataObject | undefined {
	const command = (options.shortcutCommand as IDataObject | undefined)?.command as IDataObject | undefined;
	const commandId = String(command?.commandId ?? '').trim();
	if (!commandId) return undefined;
	const parameters = keyValueMap(command?.parameters as IDataObject | undefined) ?? {};
	const wire: Record<string, string> = {};
	for (const [key, text] of Object.entries(parameters)) wire[key] = JSON.stringify([{ type: 'text', text }]);
	return Object.keys(wire).length > 0 ? { command_id: commandId, parameters: wire } : { command_id: commandId };
}
