import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ItemParameters, NumberRule } from '../boundaries/parameters';

/**
 * Bot editor URLs look like https://www.coze.cn/space/<space_id>/bot/<bot_id>; a self-hosted Coze
 * Studio uses the same path on its own host (http://localhost:8888/space/<space_id>/bot/<bot_id>).
 */
export const BOT_URL_REGEX = 'https?://[^/\\s]+/space/\\d+/bot/(\\d+)';

export const botIdLocator: INodeProperties = {
	displayName: 'Bot',
	name: 'botId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Coze bot (agent) to talk to. It must be published to the API channel.',
	builderHint: {
		propertyHint:
			"Which Coze bot answers. Unless the user gave its ID or URL, leave it for them to pick from the list in the editor; with an ID (19 digits, from the bot's URL …/bot/<id>) use { __rl: true, mode: 'id', value: '<id>' }.",
	},
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a published bot...',
			typeOptions: { searchListMethod: 'searchBots', searchable: true },
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://www.coze.cn/space/7349.../bot/7348...',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: `${BOT_URL_REGEX}.*`,
						errorMessage:
							'Not a Coze bot URL: copy it from the bot editor, e.g. https://www.coze.cn/space/<space_id>/bot/<bot_id>',
					},
				},
			],
			extractValue: { type: 'regex', regex: BOT_URL_REGEX },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 7348293334459318306',
			validation: [
				{
					type: 'regex',
					properties: { regex: '\\s*\\d+\\s*', errorMessage: 'A Coze bot ID contains digits only' },
				},
			],
		},
	],
};

/**
 * Coze keeps a bot's memory and variables per user ID. The default gives each chat session of a
 * Chat Trigger its own user, and every other run one user per workflow — what a first run needs.
 * Every operation that names a user (Chat → Send Message, Variable → Get / Set, a workflow run's
 * Extra Fields → User ID) uses this one default, so the same user is meant without typing it.
 */
export const USER_ID_DEFAULT = '={{ $json.sessionId || "n8n-workflow-" + ($workflow.id || "new") }}';

export const USER_ID_PLACEHOLDER = 'e.g. customer-42';

export const USER_ID_DESCRIPTION =
	'Who is talking to the bot: Coze keeps a bot\'s memory and user variables per user ID. The default is the Chat Trigger\'s session ID, else n8n-workflow-<workflow ID>: the same in Send Message and Variable → Get / Set, so values set for the default user are what a chat with the default user reads. Avoid real personal identifiers.';

export const userIdField: INodeProperties = {
	displayName: 'User ID',
	name: 'userId',
	type: 'string',
	default: USER_ID_DEFAULT,
	required: true,
	placeholder: USER_ID_PLACEHOLDER,
	description: USER_ID_DESCRIPTION,
};

export const conversationIdField: INodeProperties = {
	displayName: 'Conversation ID',
	name: 'conversationId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 7381473525342978089',
	description: 'The conversation the chat belongs to (conversation_id in Send Message\'s output)',
};

export const chatIdField: INodeProperties = {
	displayName: 'Chat ID',
	name: 'chatId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 7382159487131697202',
	description: 'The chat (chat_id in Send Message\'s output)',
};

/** A repeatable fixedCollection whose entries land in `{ entries: [...] }`. */
function entriesCollection(
	displayName: string,
	name: string,
	description: string,
	entry: { displayName: string; values: INodeProperties[] },
): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		description,
		options: [{ displayName: entry.displayName, name: 'entries', values: entry.values }],
	};
}

export function keyValueCollection(displayName: string, name: string, description: string): INodeProperties {
	return entriesCollection(displayName, name, description, {
		displayName: 'Entry',
		values: [
			{ displayName: 'Key', name: 'key', type: 'string', default: '' },
			{ displayName: 'Value', name: 'value', type: 'string', default: '' },
		],
	});
}

/** A list of user/assistant turns `{ entries: [{ role, content }] }` (conversation context). */
export function messageListCollection(displayName: string, name: string, description: string): INodeProperties {
	return entriesCollection(displayName, name, description, {
		displayName: 'Message',
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
	});
}

/** The turns of a messageListCollection as Coze EnterMessages (empty ones dropped; objects as JSON). */
export function enterMessages(entries: IDataObject[]): IDataObject[] {
	return entries
		.map((m) => ({ role: m.role, content: typeof m.content === 'object' && m.content !== null ? JSON.stringify(m.content) : String(m.content ?? '') }))
		.filter((m) => m.content !== '')
		.map((m) => ({
			role: m.role === 'assistant' ? 'assistant' : 'user',
			type: m.role === 'assistant' ? 'answer' : 'question',
			content: m.content,
			content_type: 'text',
		}));
}

/** Options → Timeout (Seconds) of every operation that has one. */
export const TIMEOUT_RULE: NumberRule = { default: 600, min: 0, unit: 'seconds', minNote: '0 means no limit' };

/** Options → Poll Interval (Seconds) of a chat (non-stream mode). */
export const POLL_INTERVAL_RULE: NumberRule = { default: 1, min: 0.1, unit: 'seconds' };

/** Options → Timeout (Seconds) (TIMEOUT_RULE), saying what it bounds and what happens then. */
export function timeoutOption(description: string): INodeProperties {
	return {
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 600, // TIMEOUT_RULE.default (n8n's lint wants a literal)
		description,
	};
}

/** The item's Options → Timeout (Seconds), by TIMEOUT_RULE. */
export function timeoutSecondsOf(parameters: ItemParameters): number {
	return parameters.number('options.timeout', 'Options → Timeout (Seconds)', TIMEOUT_RULE);
}

/** Options → Poll Interval (Seconds) of the operations that poll Coze until work is done (workflow runs, knowledge processing). */
export const WORK_POLL_RULE: NumberRule = { default: 2, min: 0.1, unit: 'seconds' };

export function pollIntervalOption(description: string): INodeProperties {
	return {
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: 2, // WORK_POLL_RULE.default
		description,
	};
}

export function pollIntervalSecondsOf(parameters: ItemParameters): number {
	return parameters.number('options.pollInterval', 'Options → Poll Interval (Seconds)', WORK_POLL_RULE);
}

/** Return All and Limit, as n8n's Get Many operations name them. */
export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** How many results returnAllFields ask for: Infinity with Return All. */
export function resultLimitOf(parameters: ItemParameters, unit?: string): number {
	if (parameters.boolean('returnAll', 'Return All', false)) return Infinity;
	return parameters.number('limit', 'Limit', { default: 50, min: 1, integer: true, ...(unit ? { unit } : {}) });
}

/** Input Binary Field of the operations that send an input item's file (`hint` says what the file is for). */
export function inputBinaryField(hint: string): INodeProperties {
	return { displayName: 'Input Binary Field', name: 'binaryPropertyName', type: 'string', default: 'data', required: true, placeholder: 'data', hint };
}

export function inputBinaryFieldOf(parameters: ItemParameters): string {
	return parameters.text('binaryPropertyName', 'Input Binary Field', { required: true });
}

/** Options → Items in Parallel. */
export const CONCURRENCY_RULE: NumberRule = { default: 1, min: 1, max: 20, integer: true };

export const concurrencyOption: INodeProperties = {
	displayName: 'Items in Parallel',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 20 },
	default: 1,
	description: 'How many items to run at once',
};

/** Options shared by every operation that runs a chat turn (Send Message, Submit Tool Outputs). */
export const chatRunOptions: INodeProperties[] = [
	{
		displayName: 'Stream to Chat Trigger or Webhook',
		name: 'enableStreaming',
		type: 'boolean',
		default: true,
		description:
			'Whether to pass the answer on as it arrives to a Chat Trigger or a Webhook that responds with Streaming. The full answer is in the output either way.',
	},
	{
		displayName: 'Include Raw Messages',
		name: 'includeMessages',
		type: 'boolean',
		default: false,
		description: 'Whether to add the raw Coze messages (answers, tool calls, follow-ups, verbose) to the output',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0.1, numberPrecision: 1 },
		default: 1,
		description: 'How often to ask Coze whether the chat finished, when Receive Answer as Stream is off',
	},
	{
		displayName: 'Retry When Rate Limited',
		name: 'retryRateLimit',
		type: 'boolean',
		default: true,
		description:
			'Whether to send the request again after a pause when Coze answers "too many requests" (nothing was created, so nothing is duplicated). The pause follows Coze\'s Retry-After, within the Timeout.',
	},
	{
		displayName: 'Receive Answer as Stream',
		name: 'stream',
		type: 'boolean',
		default: true,
		description:
			'Whether Coze sends the answer as it is written (faster, the default). Off: the node starts the chat and polls until it is done. Not related to streaming to a Chat Trigger.',
	},
	timeoutOption('Longest time the whole chat may take; 0 means no limit. When it runs out, the chat is canceled and the item fails.'),
];

/** Sorts collection options by display name, as n8n's UI guidelines (and lint) want. */
export function sortedOptions(options: INodeProperties[]): INodeProperties[] {
	return [...options].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
