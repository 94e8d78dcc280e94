/** Fields and readers shared by the Plugin resource's operations. */
import type { INodeProperties } from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import type { PluginDetail } from '../../api/plugin';
import type { ItemParameters, LocatorField } from '../../boundaries/parameters';
import { toText } from '../../boundaries/parameters';
import { PerRun } from '../../core/perRun';

/** A store page's URL: `https://www.coze.cn/store/plugin/<id>`; a library plugin's: `…/space/<space>/plugin/<id>`. */
export const PLUGIN_URL_REGEX = 'https?://\\S+?/plugin/(\\d+)';

export const pluginLocator: INodeProperties = {
	displayName: 'Plugin',
	name: 'pluginId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'A plugin of Coze\'s store, or one of your workspace\'s own (by ID or its editor URL)',
	modes: [
		{
			displayName: 'From Store',
			name: 'list',
			type: 'list',
			placeholder: 'Search Coze\'s plugin store...',
			typeOptions: { searchListMethod: 'searchPlugins', searchable: true },
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://www.coze.cn/space/7498.../plugin/7533...',
			validation: [{ type: 'regex', properties: { regex: `${PLUGIN_URL_REGEX}.*`, errorMessage: 'Not a Coze plugin URL: it has /plugin/<plugin ID> in it' } }],
			extractValue: { type: 'regex', regex: PLUGIN_URL_REGEX },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 7506818401994735616',
			validation: [{ type: 'regex', properties: { regex: '\\s*\\d+\\s*', errorMessage: 'A Coze plugin ID contains digits only' } }],
		},
	],
};

const PLUGIN_FIELD: LocatorField = { name: 'pluginId', label: 'Plugin', kind: 'plugin', example: '7506818401994735616' };

export function getPluginId(parameters: ItemParameters): string {
	return parameters.locatorId(PLUGIN_FIELD);
}

export const toolLocator: INodeProperties = {
	displayName: 'Tool',
	name: 'toolName',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The plugin\'s tool to call',
	typeOptions: { loadOptionsDependsOn: ['pluginId.value'] },
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a tool...',
			typeOptions: { searchListMethod: 'searchPluginTools', searchable: true },
		},
		{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. getToutiaoNews' },
	],
};

export function getToolName(parameters: ItemParameters): string {
	const name = toText(parameters.raw('toolName', 'Tool', '', { extractValue: true })).trim();
	if (name === '') parameters.fail('Tool: choose one of the plugin\'s tools from the list, or enter its name');
	return name;
}

/** One plugin request per plugin per execution, whatever the number of items. */
const plugins = new PerRun<PluginDetail>();

export async function pluginOf(coze: CozeClient, pluginId: string): Promise<PluginDetail> {
	return await plugins.get(coze.http.context, pluginId, () => coze.plugins.get(pluginId));
}
