import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { botJson, botLocator, configurationFields, configurationOf, without, type ConfigurationChange, type ListMode } from './common';

const properties: INodeProperties[] = [
	botLocator,
	{
		displayName: 'Only the fields added below are sent; everything else in the agent stays as it is. Changes go to the draft: test it with Chat → Send Message (Options → Talk To: Unpublished Draft), then Publish.',
		name: 'draftNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: configurationFields(true),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['bot'], operation: ['update'] } }, properties);

/**
 * Changes the agent's draft. Coze's update takes whole objects (the model's settings, the opening
 * message with its questions, the suggestion settings, the knowledge with its search settings):
 * where the user changes part of one, the rest is read from the current draft first and sent as it
 * was, so nothing the user did not touch is reset.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const botId = parameters.botId();
	const change = configurationOf(parameters, 'updateFields', 'Update Fields', { update: true });
	const touchesLists = change.plugins !== undefined || change.workflows !== undefined || change.knowledge?.dataset_ids !== undefined;
	const empty = Object.keys(change.body).length === 0 && !change.model && !change.onboarding && !change.suggestions && !touchesLists && !change.knowledge;
	if (empty) parameters.fail('Update Fields: add at least one field to change');

	const needsDraft = change.model || change.onboarding || change.suggestions || (change.knowledge && !change.knowledge.dataset_ids) || (touchesLists && change.listMode !== 'replace');
	const draft = needsDraft ? botJson(await coze.bots.get(botId, true)) : {};
	const body: IDataObject = { bot_id: botId, ...change.body };
	if (change.model) {
		const current = without((draft.model_info as IDataObject | undefined) ?? {}, 'model_name');
		const model = { ...current, ...change.model };
		if (!model.model_id) parameters.fail('Update Fields → Model Settings: the draft has no model yet; add Model ID too');
		body.model_info_config = model;
	}
	if (change.onboarding) {
		const current = (draft.onboarding_info as IDataObject | undefined) ?? {};
		body.onboarding_info = { prologue: current.prologue ?? '', suggested_questions: current.suggested_questions ?? [], ...change.onboarding };
	}
	if (change.suggestions) {
		const current = (draft.suggest_reply_info as IDataObject | undefined) ?? {};
		body.suggest_reply_info = { ...pick(current, ['reply_mode', 'customized_prompt']), ...change.suggestions };
	}
	if (change.plugins) {
		const current = ((draft.plugin_info_list as IDataObject[] | undefined) ?? []).flatMap((plugin) =>
			((plugin.api_info_list as IDataObject[] | undefined) ?? []).map((api) => ({ plugin_id: String(plugin.plugin_id), api_id: String(api.api_id) })),
		);
		const key = (p: { plugin_id: string; api_id: string }) => `${p.plugin_id}/${p.api_id}`;
		body.plugin_id_list = { id_list: merged(current, change.plugins, change.listMode, key) };
	}
	if (change.workflows) {
		const current = ((draft.workflow_info_list as IDataObject[] | undefined) ?? []).map((workflow) => String(workflow.id));
		body.workflow_id_list = { ids: merged(current, change.workflows, change.listMode, (id) => id).map((id) => ({ id })) };
	}
	if (change.knowledge) body.knowledge = knowledgeBody(change, draft);
	await coze.bots.update(body);
	const sent = without(body, 'bot_id');
	return [{ json: { bot_id: botId, changed: Object.keys(sent), ...sent }, pairedItem: { item: itemIndex } }];
}

function knowledgeBody(change: ConfigurationChange, draft: IDataObject): IDataObject {
	const knowledge = change.knowledge!;
	const current = (((draft.knowledge as IDataObject | undefined)?.knowledge_infos as IDataObject[] | undefined) ?? []).map((info) => String(info.id));
	const ids = knowledge.dataset_ids === undefined ? current : merged(current, knowledge.dataset_ids, change.listMode, (id) => id);
	const body: IDataObject = { dataset_ids: ids };
	if (knowledge.auto_call !== undefined) body.auto_call = knowledge.auto_call;
	if (knowledge.search_strategy !== undefined) body.search_strategy = knowledge.search_strategy;
	return body;
}

function merged<T>(current: T[], given: T[], mode: ListMode, key: (entry: T) => string): T[] {
	if (mode === 'replace') return given;
	const givenKeys = new Set(given.map(key));
	if (mode === 'remove') return current.filter((entry) => !givenKeys.has(key(entry)));
	const currentKeys = new Set(current.map(key));
	return [...current, ...given.filter((entry) => !currentKeys.has(key(entry)))];
}

function pick(object: IDataObject, keys: string[]): IDataObject {
	const out: IDataObject = {};
	for (const key of keys) if (object[key] !== undefined) out[key] = object[key];
	return out;
}
