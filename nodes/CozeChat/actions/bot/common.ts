/** Fields and readers shared by the Agent (Bot) operations. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ItemParameters } from '../../boundaries/parameters';
import { botIdLocator } from '../descriptions';

/** The bot locator of this resource: its list holds drafts too (searchBotsWithDrafts). */
export const botLocator: INodeProperties = {
	...botIdLocator,
	description: 'The agent (bot): pick it, paste its editor URL (…/space/<space_id>/bot/<bot_id>) or enter its ID',
	builderHint: {
		propertyHint:
			"Which Coze agent (bot) to read, change or publish. Unless the user gave its ID or URL, leave it for them to pick from the list in the editor (drafts included); with an ID (19 digits, from the agent's URL …/bot/<id>) use { __rl: true, mode: 'id', value: '<id>' }.",
	},
	modes: (botIdLocator.modes ?? []).map((mode) =>
		mode.name === 'list'
			? { ...mode, placeholder: 'Select an agent (bot)...', typeOptions: { searchListMethod: 'searchBotsWithDrafts', searchable: true } }
			: mode,
	),
};

/** A channel (connector) id: 1024 the API, 999 the Chat SDK, or a custom channel's id. */
export const CHANNEL_DESCRIPTION = '1024 is the API, 999 the Chat SDK, or a custom channel\'s ID (Coze: avatar → Account Settings → Publish Channels)';

/** Coze's limits (create_bot.md / update_bot.md). */
const MAX_NAME = 20;
const MAX_DESCRIPTION = 500;
const MAX_PROMPT = 20_000;
const MAX_PROLOGUE = 300;
const MAX_QUESTION = 50;
/** update_bot.md: at most 150 knowledge bases. */
const MAX_KNOWLEDGE = 150;

function lengthOf(text: string): number {
	return [...text].length;
}

function limited(parameters: ItemParameters, name: string, label: string, max: number, options: { required?: boolean; keepSpaces?: boolean } = {}): string {
	const text = parameters.text(name, label, options);
	if (lengthOf(text) > max) parameters.fail(`${label} is ${lengthOf(text)} characters long; Coze allows at most ${max}`);
	return text;
}

export const nameField: INodeProperties = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. Support Agent',
	description: 'The agent\'s name (1 to 20 characters)',
};

export function nameOf(parameters: ItemParameters, name = 'name', label = 'Name'): string {
	return limited(parameters, name, label, MAX_NAME, { required: true });
}

const MODEL_SETTINGS: INodeProperties = {
	displayName: 'Model Settings',
	name: 'modelSettings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	description: 'Settings of the model; only those added are changed, the others keep their current values',
	options: [
		{ displayName: 'API Mode', name: 'api_mode', type: 'options', options: [{ name: 'Chat API', value: 'chat_api' }, { name: 'Responses API', value: 'responses_api' }], default: 'chat_api', description: 'The protocol the agent talks to the model with (responses_api only for models that support it)' },
		{ displayName: 'Context Rounds', name: 'context_round', type: 'number', typeOptions: { minValue: 0 }, default: 3, description: 'How many earlier rounds of the conversation the model sees' },
		{ displayName: 'Current Time in Prompt', name: 'sp_current_time', type: 'boolean', default: false, description: 'Whether the current time is added to the system prompt' },
		{ displayName: 'Frequency Penalty', name: 'frequency_penalty', type: 'number', typeOptions: { numberPrecision: 2 }, default: 0 },
		{ displayName: 'Max Tokens', name: 'max_tokens', type: 'number', typeOptions: { minValue: 1 }, default: 4096, description: 'Longest answer, in tokens' },
		{ displayName: 'Model Parameters (JSON)', name: 'parameters', type: 'json', default: '{}', description: 'Coze\'s model parameters map, e.g. {"thinking_type": "disabled"}' },
		{ displayName: 'Presence Penalty', name: 'presence_penalty', type: 'number', typeOptions: { numberPrecision: 2 }, default: 0 },
		{ displayName: 'Prompt Leak Protection', name: 'sp_anti_leak', type: 'boolean', default: false, description: 'Whether the agent politely refuses to reveal its prompt' },
		{ displayName: 'Response Format', name: 'response_format', type: 'options', options: [{ name: 'Text', value: 'text' }, { name: 'Markdown', value: 'markdown' }, { name: 'JSON', value: 'json' }], default: 'text' },
		{ displayName: 'Temperature', name: 'temperature', type: 'number', typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 }, default: 1 },
		{ displayName: 'Top K', name: 'top_k', type: 'number', typeOptions: { minValue: 0 }, default: 50 },
		{ displayName: 'Top P', name: 'top_p', type: 'number', typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 }, default: 1 },
	],
};

const listModeField: INodeProperties = {
	displayName: 'Lists Change By',
	name: 'listMode',
	type: 'options',
	options: [
		{ name: 'Replacing Them', value: 'replace', description: 'The plugin, workflow and knowledge lists given become the agent\'s lists' },
		{ name: 'Adding These', value: 'add', description: 'The entries given are added to the agent\'s current lists' },
		{ name: 'Removing These', value: 'remove', description: 'The entries given are removed from the agent\'s current lists' },
	],
	default: 'replace',
	description: 'How the Plugins, Workflows and Knowledge Bases given change the agent\'s lists (lists not given stay as they are)',
};

/** The configuration fields of Create and Update (Update also has Knowledge and list modes). */
export function configurationFields(forUpdate: boolean): INodeProperties[] {
	const fields: INodeProperties[] = [
		{ displayName: 'Description', name: 'description', type: 'string', typeOptions: { rows: 2 }, default: '', description: 'What the agent does (up to 500 characters)' },
		{ displayName: 'Icon File ID', name: 'iconFileId', type: 'string', default: '', description: 'An image uploaded with File → Upload (its ID), as the agent\'s avatar' },
		{ displayName: 'Model ID', name: 'modelId', type: 'string', default: '', placeholder: 'e.g. 1737521813', description: 'The model (the number after /model/ in the model\'s page URL in your workspace)' },
		MODEL_SETTINGS,
		{ displayName: 'Opening Message', name: 'prologue', type: 'string', typeOptions: { rows: 2 }, default: '', description: 'What the agent says first (up to 300 characters)' },
		{
			displayName: 'Plugins',
			name: 'plugins',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			placeholder: 'Add Plugin Tool',
			description: 'Plugin tools the agent can call',
			options: [
				{
					displayName: 'Plugin Tool',
					name: 'entries',
					values: [
						{ displayName: 'Plugin ID', name: 'plugin_id', type: 'string', default: '', description: 'The number after /plugin/ in the plugin\'s URL' },
						{ displayName: 'Tool ID', name: 'api_id', type: 'string', default: '', description: 'The number after /tool/ in the tool\'s URL' },
					],
				},
			],
		},
		{
			displayName: 'Prompt',
			name: 'prompt',
			type: 'string',
			typeOptions: { rows: 8 },
			default: '',
			description: 'The agent\'s persona and reply logic (up to 20,000 characters)',
		},
		{ displayName: 'Suggested Questions', name: 'suggestedQuestions', type: 'string', typeOptions: { rows: 3 }, default: '', description: 'Questions shown with the opening message, one per line (or an array from an expression); each up to 50 characters' },
		{
			displayName: 'Suggest Replies',
			name: 'replyMode',
			type: 'options',
			options: [
				{ name: 'On', value: 'enable', description: 'Up to 3 suggested questions after each answer' },
				{ name: 'Off', value: 'disable' },
				{ name: 'Custom', value: 'customized', description: 'Suggestions written by the Suggestion Prompt' },
			],
			default: 'enable',
			description: 'Whether the agent suggests follow-up questions after an answer',
		},
		{ displayName: 'Suggestion Prompt', name: 'suggestionPrompt', type: 'string', typeOptions: { rows: 2 }, default: '', description: 'How to write the suggestions, when Suggest Replies is Custom' },
		{ displayName: 'Workflow IDs', name: 'workflowIds', type: 'string', default: '', placeholder: 'e.g. 7460491086110370001', description: 'Comma-separated workflows the agent can run (the workflow_id in the workflow editor\'s URL)' },
	];
	if (forUpdate) {
		fields.push(
			{ displayName: 'Knowledge Base IDs', name: 'knowledgeIds', type: 'string', default: '', placeholder: 'e.g. 7420000000000000001', description: 'Comma-separated Coze knowledge bases the agent answers from (at most 150)' },
			{
				displayName: 'Knowledge Call',
				name: 'knowledgeAutoCall',
				type: 'options',
				options: [
					{ name: 'Every Turn', value: 'auto', description: 'Search the knowledge in every round' },
					{ name: 'On Demand', value: 'onDemand', description: 'Only when the prompt says to' },
				],
				default: 'auto',
				description: 'When the agent searches its knowledge bases. Sent only when added here.',
			},
			{
				displayName: 'Knowledge Search',
				name: 'knowledgeSearch',
				type: 'options',
				options: [
					{ name: 'Semantic', value: 0 },
					{ name: 'Hybrid', value: 1 },
					{ name: 'Full Text', value: 20 },
				],
				default: 0,
				description: 'How the agent searches its knowledge bases. Sent only when added here.',
			},
			listModeField,
			{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'A new name (1 to 20 characters)' },
		);
	}
	return fields.sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** Which fields of a collection the user added (n8n leaves the others out of its value). */
function added(parameters: ItemParameters, collection: string, label: string): Set<string> {
	const value = parameters.raw(collection, label, {});
	return new Set(typeof value === 'object' && value !== null ? Object.keys(value) : []);
}

export type ListMode = 'replace' | 'add' | 'remove';

/** The configuration the user gave, in Coze's request shape, plus what needs the current draft. */
export interface ConfigurationChange {
	body: IDataObject;
	/** Model settings to lay over the current ones (model_info_config). */
	model?: IDataObject;
	/** Onboarding fields to lay over the current ones. */
	onboarding?: IDataObject;
	/** Suggest-reply fields to lay over the current ones. */
	suggestions?: IDataObject;
	plugins?: Array<{ plugin_id: string; api_id: string }>;
	workflows?: string[];
	knowledge?: { dataset_ids?: string[]; auto_call?: boolean; search_strategy?: number };
	listMode: ListMode;
}

/** Reads Create's or Update's configuration fields under `collection`, checking Coze's limits. */
export function configurationOf(parameters: ItemParameters, collection: string, label: string, options: { update: boolean }): ConfigurationChange {
	const given = added(parameters, collection, label);
	const at = (name: string) => `${collection}.${name}`;
	const named = (field: string) => `${label} → ${field}`;
	const change: ConfigurationChange = { body: {}, listMode: 'replace' };
	const { body } = change;
	if (given.has('name')) body.name = nameOf(parameters, at('name'), named('Name'));
	if (given.has('description')) body.description = limited(parameters, at('description'), named('Description'), MAX_DESCRIPTION);
	if (given.has('iconFileId')) {
		const icon = parameters.cozeId(at('iconFileId'), named('Icon File ID'), { required: false });
		if (icon) body.icon_file_id = icon;
	}
	if (given.has('prompt')) {
		// An empty prompt (an expression that found nothing) would wipe the agent's prompt: refused on
		// Update; on Create it is the same as none.
		const prompt = limited(parameters, at('prompt'), named('Prompt'), MAX_PROMPT, { keepSpaces: true, required: options.update });
		if (prompt.trim() !== '') body.prompt_info = { prompt };
	}
	if (given.has('modelId') || given.has('modelSettings')) {
		const model: IDataObject = {};
		if (given.has('modelId')) model.model_id = parameters.cozeId(at('modelId'), named('Model ID'));
		const settings = added(parameters, at('modelSettings'), named('Model Settings'));
		const setting = (name: string) => `${at('modelSettings')}.${name}`;
		const settingLabel = (field: string) => named(`Model Settings → ${field}`);
		for (const [name, field, rule] of [
			['temperature', 'Temperature', { min: 0, max: 2 }],
			['top_p', 'Top P', { min: 0, max: 1 }],
			['top_k', 'Top K', { min: 0, integer: true }],
			['max_tokens', 'Max Tokens', { min: 1, integer: true }],
			['context_round', 'Context Rounds', { min: 0, integer: true }],
			['presence_penalty', 'Presence Penalty', {}],
			['frequency_penalty', 'Frequency Penalty', {}],
		] as const) {
			if (settings.has(name)) model[name] = parameters.number(setting(name), settingLabel(field), { default: 0, ...rule });
		}
		if (settings.has('response_format')) model.response_format = parameters.choice(setting('response_format'), settingLabel('Response Format'), ['text', 'markdown', 'json'], 'text');
		if (settings.has('api_mode')) model.api_mode = parameters.choice(setting('api_mode'), settingLabel('API Mode'), ['chat_api', 'responses_api'], 'chat_api');
		if (settings.has('sp_anti_leak')) model.sp_anti_leak = parameters.boolean(setting('sp_anti_leak'), settingLabel('Prompt Leak Protection'), false);
		if (settings.has('sp_current_time')) model.sp_current_time = parameters.boolean(setting('sp_current_time'), settingLabel('Current Time in Prompt'), false);
		if (settings.has('parameters')) {
			const map = parameters.jsonObject(setting('parameters'), settingLabel('Model Parameters (JSON)'), '{"thinking_type": "disabled"}');
			if (map) model.parameters = map;
		}
		change.model = model;
	}
	if (given.has('prologue') || given.has('suggestedQuestions')) {
		const onboarding: IDataObject = {};
		if (given.has('prologue')) onboarding.prologue = limited(parameters, at('prologue'), named('Opening Message'), MAX_PROLOGUE, { keepSpaces: true });
		if (given.has('suggestedQuestions')) {
			const raw = parameters.raw(at('suggestedQuestions'), named('Suggested Questions'), '');
			const lines = (Array.isArray(raw) ? raw.map((q) => String(q)) : String(raw ?? '').split('\n')).map((q) => q.trim()).filter(Boolean);
			const long = lines.find((q) => lengthOf(q) > MAX_QUESTION);
			if (long) parameters.fail(`${named('Suggested Questions')}: '${long}' is ${lengthOf(long)} characters long; Coze allows at most ${MAX_QUESTION} per question`);
			onboarding.suggested_questions = lines;
		}
		change.onboarding = onboarding;
	}
	if (given.has('replyMode') || given.has('suggestionPrompt')) {
		const suggestions: IDataObject = {};
		if (given.has('replyMode')) suggestions.reply_mode = parameters.choice(at('replyMode'), named('Suggest Replies'), ['enable', 'disable', 'customized'], 'enable');
		if (given.has('suggestionPrompt')) suggestions.customized_prompt = parameters.text(at('suggestionPrompt'), named('Suggestion Prompt'), { keepSpaces: true });
		change.suggestions = suggestions;
	}
	if (given.has('plugins')) {
		change.plugins = parameters.entries(at('plugins'), named('Plugins')).map((entry, index) => {
			const pluginId = String(entry.plugin_id ?? '').trim();
			const apiId = String(entry.api_id ?? '').trim();
			if (!/^\d+$/.test(pluginId)) parameters.fail(`${named('Plugins')} #${index + 1}: Plugin ID '${pluginId}' is not a Coze ID (digits only)`);
			if (!/^\d+$/.test(apiId)) parameters.fail(`${named('Plugins')} #${index + 1}: Tool ID '${apiId}' is not a Coze ID (digits only)`);
			return { plugin_id: pluginId, api_id: apiId };
		});
	}
	if (given.has('workflowIds')) change.workflows = idList(parameters, at('workflowIds'), named('Workflow IDs'));
	if (given.has('knowledgeIds') || given.has('knowledgeAutoCall') || given.has('knowledgeSearch')) {
		const knowledge: ConfigurationChange['knowledge'] = {};
		if (given.has('knowledgeIds')) {
			knowledge.dataset_ids = idList(parameters, at('knowledgeIds'), named('Knowledge Base IDs'));
			if (knowledge.dataset_ids.length > MAX_KNOWLEDGE) parameters.fail(`${named('Knowledge Base IDs')}: ${knowledge.dataset_ids.length} knowledge bases; Coze allows at most ${MAX_KNOWLEDGE}`);
		}
		if (given.has('knowledgeAutoCall')) knowledge.auto_call = parameters.choice(at('knowledgeAutoCall'), named('Knowledge Call'), ['auto', 'onDemand'], 'auto') === 'auto';
		if (given.has('knowledgeSearch')) {
			const strategy = parameters.raw(at('knowledgeSearch'), named('Knowledge Search'), 0);
			if (![0, 1, 20].includes(Number(strategy)) || String(strategy).trim() === '') {
				parameters.fail(`${named('Knowledge Search')}: '${String(strategy)}' is not one of 0 (semantic), 1 (hybrid), 20 (full text)`);
			}
			knowledge.search_strategy = Number(strategy);
		}
		change.knowledge = knowledge;
	}
	if (given.has('listMode')) change.listMode = parameters.choice(at('listMode'), named('Lists Change By'), ['replace', 'add', 'remove'], 'replace');
	return change;
}

/** Comma-separated ids (or an array from an expression); empty is an empty list. */
function idList(parameters: ItemParameters, name: string, label: string): string[] {
	return parameters.list(name, label).map((id) => {
		if (!/^\d+$/.test(id)) parameters.fail(`${label}: '${id}' is not a Coze ID (digits only, e.g. 7420000000000000001)`);
		return id;
	});
}

/**
 * A configuration as Coze reads it back, with the onboarding in its documented keys: Coze's own
 * sample answer (get_metadata_draft_published.md) spells them Prologue / SuggestedQuestions.
 */
export function botJson(bot: IDataObject): IDataObject {
	const onboarding = bot.onboarding_info as IDataObject | undefined;
	if (!onboarding || typeof onboarding !== 'object') return bot;
	const { Prologue, SuggestedQuestions, ...rest } = onboarding;
	const normalized: IDataObject = { ...rest };
	normalized.prologue = onboarding.prologue ?? Prologue ?? '';
	normalized.suggested_questions = onboarding.suggested_questions ?? SuggestedQuestions ?? [];
	return { ...bot, onboarding_info: normalized };
}

/** The object without one key. */
export function without(object: IDataObject, key: string): IDataObject {
	const copy = { ...object };
	delete copy[key];
	return copy;
}
