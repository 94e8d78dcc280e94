import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { chatFileSources } from '../../core/fileRefs';
import { attachmentType, userMessageContent, type Attachment } from '../../core/content';
import { startChatRequest } from '../../api/chat';
import type { CozeClient } from '../../api/client';
import { assertCozeId, parametersOf, type ItemParameters } from '../../boundaries/parameters';
import {
	botIdLocator,
	chatRunOptions,
	concurrencyOption,
	enterMessages,
	keyValueCollection,
	messageListCollection,
	sortedOptions,
	timeoutSecondsOf,
	userIdField,
} from '../descriptions';
import { attachFiles, downloadFilesOptions, filesSettingsOf } from '../filesOut';
import { byConversationId, conversationIdOf, itemsInParallel } from '../parallelism';
import { forTheModel, simplifyForToolField } from '../toolOutput';
import { conversationForKey, getConversationKey, keyScopeOf, rememberConversation } from './conversationKeys';
import { chatRunOptionsOf } from './runChat';
import { runChatWithTools, toolLoopOptions, toolLoopOptionsOf } from './toolLoop';

/**
 * Where a newcomer stumbles: n8n's node panel searches AI sub-nodes (tools) only when a node whose
 * type name holds "langchain" is in the workflow (editor-ui useViewStacks → filterOutAiNodes,
 * n8n 1.123 and 2.41; n8n issue #20458), which a community node cannot declare itself to be. The
 * Tools panel lists them all the same: the notice says to pick from the list.
 */
export const TOOLS_NOTICE =
	"Tools: n8n tools connected below (Code Tool, Call n8n Workflow Tool, HTTP Request Tool, MCP Client Tool, …) answer the bot's client-side plugins of the same name. To add one, click + on the Tools connector and pick it from the list (scroll to it): n8n's search there finds tools only once an AI node (a Chat Trigger, an AI Agent, any tool) is in the workflow.";

const properties: INodeProperties[] = [
	simplifyForToolField,
	{
		displayName: TOOLS_NOTICE,
		name: 'toolsNotice',
		type: 'notice',
		default: '',
		// Not in the AI-tool variant, which has no Tools input.
		displayOptions: { hide: { '@tool': [true] } },
	},
	botIdLocator,
	userIdField,
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. What is the weather in Hangzhou today?',
		description: 'The user\'s message to the bot',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 7381473525342978089',
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
						'Whether Coze saves this turn in the conversation. Always on when Receive Answer as Stream is off; off, a broken stream cannot be recovered.',
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
					placeholder: 'e.g. data, attachment',
					description:
						'Comma-separated names of input binary fields to send with the message; each is uploaded to Coze first',
				},
				{
					displayName: 'File URLs',
					name: 'fileUrls',
					type: 'string',
					default: '',
					placeholder: 'e.g. https://example.com/photo.png',
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
					displayName: 'Enable Cards',
					name: 'enableCard',
					type: 'boolean',
					default: false,
					description:
						"Whether Coze may answer with cards (a question node's options, a card plugin's output): each card is parsed into the item's cards list instead of being flattened into the answer text",
				},
				{
					displayName: 'Bot Version',
					name: 'botVersion',
					type: 'string',
					default: '',
					placeholder: 'e.g. 1734067826123',
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
					placeholder: 'e.g. {{ $json.sessionId }}',
					builderHint: {
						propertyHint:
							"One Coze conversation per chat session: with a Chat Trigger set it to the expression {{ $json.sessionId }} (leave Conversation ID empty). Keys never mix conversations, also across workers.",
					},
					description:
						'One Coze conversation per key, e.g. the Chat Trigger\'s session ID: the first message with a key starts a conversation, later ones continue it. Found again on any worker (the conversation carries a digest of the key).',
				},
				{
					...concurrencyOption,
					description:
						'How many items to send at once. Items with the same Conversation ID or Conversation Key still go one after another, because Coze runs one chat per conversation at a time.',
				},
				...chatRunOptions,
				...toolLoopOptions,
				...downloadFilesOptions,
			]),
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['sendMessage'] } },
	properties,
);

/** Items may run in parallel, except several items in one conversation. */
export const parallelism = itemsInParallel((parameters) => {
	const byId = byConversationId(parameters);
	if (byId) return byId;
	const key = getConversationKey(parameters);
	return key === '' ? undefined : `key:${key}`;
});

/** The item's time: Options → Timeout (Seconds); uploads and the Conversation Key lookup count too. */
export const timeoutSeconds = timeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const botId = parameters.botId();
	const userId = parameters.text('userId', 'User ID', { required: true });
	const message = parameters.text('message', 'Message', { required: true });
	const conversationIdRaw = conversationIdOf(parameters);
	const runOptions = chatRunOptionsOf(parameters, {
		recoverable: (stream) => !stream || parameters.boolean('options.autoSaveHistory', 'Options → Auto Save History', true),
	});
	// One conversation per Conversation Key (only when no Conversation ID is given).
	const conversationKey = conversationIdRaw === '' ? getConversationKey(parameters) : '';
	const keyStore = conversationKey === '' ? undefined : this.getWorkflowStaticData('node');

	let conversationId: string | undefined;
	if (conversationIdRaw !== '') conversationId = assertCozeId(parameters, conversationIdRaw, 'Conversation ID');
	const chatflowParameters = parameters.jsonObject('options.parameters', 'Options → Chatflow Parameters');
	const body: IDataObject = {
		bot_id: botId,
		user_id: userId,
		// Non-stream results are read back from Coze's history, so it must be saved.
		auto_save_history: runOptions.stream ? parameters.boolean('options.autoSaveHistory', 'Options → Auto Save History', true) : true,
	};
	if (chatflowParameters && Object.keys(chatflowParameters).length > 0) body.parameters = chatflowParameters;
	const publishStatus = parameters.choice('options.publishStatus', 'Options → Talk To', ['published_online', 'unpublished_draft'], 'published_online');
	if (publishStatus === 'unpublished_draft') body.publish_status = 'unpublished_draft';
	if (parameters.boolean('options.enableCard', 'Options → Enable Cards', false)) body.enable_card = true;
	const botVersion = parameters.text('options.botVersion', 'Options → Bot Version');
	if (botVersion !== '') body.bot_version = botVersion;
	const shortcut = shortcutCommand(parameters);
	if (shortcut) body.shortcut_command = shortcut;
	const customVariables = parameters.keyValues('options.customVariables', 'Options → Custom Variables');
	if (customVariables) body.custom_variables = customVariables;
	const metaData = parameters.keyValues('options.metaData', 'Options → Metadata');
	if (metaData) body.meta_data = metaData;
	const toolOptions = toolLoopOptionsOf(parameters);
	const files = filesSettingsOf(parameters);
	const previous = enterMessages(parameters.entries('options.additionalMessages', 'Options → Previous Messages'));
	// Uploads come last: nothing is sent to Coze before every field checked out. They count
	// against the item's Timeout like the chat.
	const attachments = await collectAttachments(parameters, coze);
	body.additional_messages = [...previous, { role: 'user', type: 'question', ...userMessageContent(message, attachments) }];
	if (keyStore) conversationId = (await conversationForKey(this, keyStore, { botId, key: conversationKey }, coze.conversations)).conversationId;

	const result = await runChatWithTools(this, coze, startChatRequest(body, conversationId), runOptions, toolOptions);
	if (keyStore && result.conversation_id) {
		rememberConversation(keyStore, keyScopeOf(this), botId, conversationKey, result.conversation_id);
	}
	const json = forTheModel(parameters, result as unknown as IDataObject, ['answer', 'status', 'required_action', 'unanswered', 'follow_ups', 'conversation_id', 'chat_id']);
	const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
	// The answer's files, after the answer (a live stream to a Chat Trigger already carried its text).
	return [files ? await attachFiles(this, coze, item, chatFileSources(result), files) : item];
}

/** Uploads the chosen binary fields and adds the file URLs, in that order. */
async function collectAttachments(parameters: ItemParameters, coze: CozeClient): Promise<Attachment[]> {
	const urls = parameters.list('options.fileUrls', 'Options → File URLs');
	const badUrl = urls.find((url) => !/^https?:\/\//i.test(url));
	if (badUrl !== undefined) parameters.fail(`Options → File URLs: '${badUrl}' is not an http(s) URL`);
	const fields = parameters.list('options.binaryProperties', 'Options → Binary Fields (Images and Files)');
	const attachments: Attachment[] = [];
	for (const name of fields) {
		const file = await coze.files.uploadBinary(name);
		attachments.push({ type: attachmentType({ mimeType: file.mime_type }), file_id: file.id });
	}
	for (const url of urls) attachments.push({ type: attachmentType({ url }), file_url: url });
	return attachments;
}

/** Coze wants each shortcut parameter as a JSON string of an object_string array. */
function shortcutCommand(parameters: ItemParameters): IDataObject | undefined {
	const commandId = parameters.text('options.shortcutCommand.command.commandId', 'Options → Shortcut Command → Command ID');
	if (!commandId) return undefined;
	const values = parameters.keyValues('options.shortcutCommand.command.parameters', 'Options → Shortcut Command → Parameters') ?? {};
	const wire: Record<string, string> = {};
	for (const [key, text] of Object.entries(values)) wire[key] = JSON.stringify([{ type: 'text', text }]);
	return Object.keys(wire).length > 0 ? { command_id: commandId, parameters: wire } : { command_id: commandId };
}
