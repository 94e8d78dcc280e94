import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { WORKSPACE_FIELD, workspaceLocator } from '../knowledge/common';
import { configurationFields, configurationOf, nameField, nameOf, without } from './common';

const properties: INodeProperties[] = [
	{ ...workspaceLocator, description: 'The workspace (space) to create the agent in' },
	nameField,
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: configurationFields(false),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['bot'], operation: ['create'] } }, properties);

/** Creates an unpublished draft agent; Publish makes it answer on a channel. */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const spaceId = parameters.locatorId(WORKSPACE_FIELD);
	const name = nameOf(parameters);
	const change = configurationOf(parameters, 'additionalFields', 'Additional Fields', { update: false });
	const body: IDataObject = { space_id: spaceId, name, ...change.body };
	if (change.model) {
		if (!change.model.model_id) parameters.fail('Additional Fields → Model Settings: add Model ID too (Coze needs the model the settings are for)');
		body.model_info_config = change.model;
	}
	if (change.onboarding) body.onboarding_info = { prologue: '', suggested_questions: [], ...change.onboarding };
	if (change.suggestions) body.suggest_reply_info = { reply_mode: 'enable', ...change.suggestions };
	if (change.plugins) body.plugin_id_list = { id_list: change.plugins };
	if (change.workflows) body.workflow_id_list = { ids: change.workflows.map((id) => ({ id })) };
	const botId = await coze.bots.create(body);
	return [{ json: { bot_id: botId, workspace_id: spaceId, ...without(body, 'space_id'), is_published: false }, pairedItem: { item: itemIndex } }];
}
