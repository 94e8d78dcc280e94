import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { getPluginId, pluginLocator } from './common';

const properties: INodeProperties[] = [pluginLocator];

export const description = updateDisplayOptions({ show: { resource: ['plugin'], operation: ['get'] } }, properties);

/**
 * The plugin with its tools, each with its `inputSchema` and `outputSchema` (store plugins and a
 * workspace's own). Coze's `mcp_json` is left out: it carries an access token.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const plugin = await coze.plugins.get(getPluginId(parameters));
	return [{ json: plugin as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
