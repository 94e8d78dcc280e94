/**
 * The Plugin resource's pickers and form: plugins of Coze's store, its categories, a plugin's tools,
 * and the Arguments form built from the chosen tool's JSON-Schema `inputSchema`.
 */
import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
	type ResourceMapperFields,
} from 'n8n-workflow';

import { CozeClient } from '../api/client';
import { safeError } from '../boundaries/output';
import { pluginFormContextOf, toText } from '../boundaries/parameters';
import { toolInputs } from '../core/pluginSchema';
import { formFields } from './workflowInputs';

const PAGE_SIZE = 50;

function pickerError(context: ILoadOptionsFunctions, error: unknown): never {
	if (error instanceof Error && /not supported by this Coze server/.test(error.message)) {
		throw new NodeOperationError(context.getNode(), 'This Coze server has no plugin store (self-hosted Coze Studio lacks it): choose By ID and enter the plugin ID.');
	}
	throw safeError(context, error);
}

/** Plugin picker: the store, searched by Coze with the filter as keyword, one Coze page at a time. */
export async function searchPlugins(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const pageNum = Number(paginationToken) > 0 ? Number(paginationToken) : 1;
		const keyword = (filter ?? '').trim();
		const page = await CozeClient.forPicker(this).plugins.search({ keyword: keyword || undefined, pageNum, pageSize: PAGE_SIZE, sort: keyword ? 'relative' : 'heat' });
		const results = page.items.flatMap((item) => {
			const meta = (item.metainfo ?? {}) as Record<string, unknown>;
			const id = toText(meta.entity_id);
			if (!/^\d+$/.test(id)) return [];
			return [{ name: toText(meta.name) || id, value: id, description: toText(meta.description) || undefined }];
		});
		return { results, paginationToken: page.hasMore && page.items.length > 0 ? String(pageNum + 1) : undefined };
	} catch (error) {
		return pickerError(this, error);
	}
}

/** Category picker (GET /v1/stores/categories), filtered by name. */
export async function searchPluginCategories(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const pageNum = Number(paginationToken) > 0 ? Number(paginationToken) : 1;
		const page = await CozeClient.forPicker(this).plugins.categories(pageNum);
		const needle = (filter ?? '').trim().toLowerCase();
		const results = page.items
			.filter((c) => needle === '' || c.name.toLowerCase().includes(needle) || c.id.includes(needle))
			.map((c) => ({ name: c.name, value: c.id }));
		return { results, paginationToken: page.hasMore && page.items.length > 0 ? String(pageNum + 1) : undefined };
	} catch (error) {
		return pickerError(this, error);
	}
}

/** Tool picker: the chosen plugin's tools, filtered by name or description. */
export async function searchPluginTools(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const { pluginId } = pluginFormContextOf(this);
	if (pluginId === '') throw new NodeOperationError(this.getNode(), 'Choose a plugin first: its tools are read from Coze.');
	try {
		const plugin = await CozeClient.forPicker(this).plugins.get(pluginId);
		const needle = (filter ?? '').trim().toLowerCase();
		const results = plugin.tools
			.filter((t) => needle === '' || t.name.toLowerCase().includes(needle) || t.description.toLowerCase().includes(needle))
			.map((t) => ({ name: t.name, value: t.name, description: t.description || undefined }));
		return { results };
	} catch (error) {
		return pickerError(this, error);
	}
}

/** The Arguments form: one field per argument of the chosen tool, typed, required ones marked. */
export async function getPluginToolInputs(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const { pluginId, toolName } = pluginFormContextOf(this);
	if (pluginId === '' || toolName === '') return { fields: [], emptyFieldsNotice: 'Choose a plugin and one of its tools above first: its arguments are read from Coze.' };
	let plugin;
	try {
		plugin = await CozeClient.forPicker(this).plugins.get(pluginId);
	} catch (error) {
		return pickerError(this, error);
	}
	const tool = plugin.tools.find((t) => t.name === toolName);
	if (!tool) return { fields: [], emptyFieldsNotice: `The plugin has no tool '${toolName}'. Its tools: ${plugin.tools.map((t) => t.name).join(', ') || 'none'}.` };
	const inputs = toolInputs(tool.inputSchema);
	if (inputs.length === 0) return { fields: [], emptyFieldsNotice: 'This tool takes no arguments.' };
	return { fields: formFields(inputs, this.getNode().type.endsWith('Tool'), 'Tool') };
}
