/**
 * Coze's plugin store (2025-09; coze-sdk-gen docs/api-markdown list_plugin.md, list_plugin_category.md,
 * get_plugin.md, call_plugin_tool.md): search the store, its categories, one plugin with its tools
 * and their JSON-Schema arguments, and a call of one tool. Not on self-hosted Coze Studio.
 */
import type { IDataObject } from 'n8n-workflow';

import { CozeApiError, unsupportedByServer } from '../core/errors';
import type { CozeHttp } from './http';

export const STORE_PLUGINS_PATH = '/v1/stores/plugins';
export const STORE_CATEGORIES_PATH = '/v1/stores/categories';
export const pluginPath = (pluginId: string) => `/v1/plugins/${pluginId}`;
export const callToolPath = (pluginId: string) => `/v1/plugins/${pluginId}/tools/call`;

export interface StoreSearch {
	keyword?: string;
	categoryId?: string;
	/** true: Coze's own plugins only; undefined: all. */
	official?: boolean;
	sort?: 'heat' | 'newest' | 'relative';
	pageNum: number;
	pageSize: number;
}

export interface PluginTool {
	name: string;
	description: string;
	inputSchema: unknown;
	outputSchema?: unknown;
	tool_id?: string;
}

export interface PluginDetail extends IDataObject {
	plugin_id: string;
	name: string;
	description: string;
	is_call_available?: boolean;
	tools: PluginTool[];
}

const onStudio = (error: unknown) => {
	throw unsupportedByServer(error, { what: 'Plugins are', path: '/v1/plugins', why: 'the plugin store is a feature of Coze\'s cloud; self-hosted Coze Studio does not offer it' });
};

/** What a failed tool call may mean: Coze names none of these by code in its docs. */
const CALL_HINT =
	'Calling a plugin tool needs a paid Coze plan, a token with the Plugin.callTool permission (not a channel token), and a paid plugin of Coze\'s store (official or third-party; a workspace\'s own plugins cannot be called through the API). Check those, and the tool\'s arguments (Plugin → Get shows its schema).';

function withCallHint(error: unknown): never {
	if (error instanceof CozeApiError && error.hint === undefined && error.httpStatus !== 429 && error.code !== 4013) {
		throw new CozeApiError({ code: error.code, msg: error.msg, logid: error.logid, httpStatus: error.httpStatus, retryAfterMs: error.retryAfterMs, hint: CALL_HINT });
	}
	throw error;
}

export class PluginsApi {
	constructor(private readonly http: CozeHttp) {}

	/** One page of the store: `{items: [{metainfo, plugin_info}], has_more}`. */
	async search(search: StoreSearch): Promise<{ items: IDataObject[]; hasMore: boolean }> {
		const qs: IDataObject = { page_num: search.pageNum, page_size: search.pageSize };
		if (search.keyword) qs.keyword = search.keyword;
		if (search.categoryId) qs.category_ids = search.categoryId;
		if (search.official !== undefined) qs.is_official = search.official;
		if (search.sort) qs.sort_type = search.sort;
		const data = await this.http.data<IDataObject | undefined>('GET', STORE_PLUGINS_PATH, { qs }).catch(onStudio);
		const items = Array.isArray(data?.items) ? (data.items as IDataObject[]) : [];
		return { items, hasMore: data?.has_more === true };
	}

	/** One page of the store's categories (`entity_type=plugin` is required). */
	async categories(pageNum = 1, pageSize = 100): Promise<{ items: Array<{ id: string; name: string }>; hasMore: boolean }> {
		const qs: IDataObject = { entity_type: 'plugin', page_num: pageNum, page_size: pageSize };
		const data = await this.http.data<IDataObject | undefined>('GET', STORE_CATEGORIES_PATH, { qs }).catch(onStudio);
		const items = (Array.isArray(data?.items) ? (data.items as IDataObject[]) : [])
			.filter((c) => typeof c.id === 'string' || typeof c.id === 'number')
			.map((c) => ({ id: String(c.id), name: typeof c.name === 'string' ? c.name : String(c.id) }));
		return { items, hasMore: data?.has_more === true };
	}

	/** A plugin with its tools and their schemas (store plugins and a workspace's own). */
	async get(pluginId: string): Promise<PluginDetail> {
		const data = await this.http.data<IDataObject | undefined>('GET', pluginPath(pluginId)).catch(onStudio);
		const raw = data ?? {};
		const tools = (Array.isArray(raw.tools) ? (raw.tools as IDataObject[]) : [])
			.filter((t) => typeof t.name === 'string' && t.name !== '')
			.map((t) => {
				const tool: PluginTool = { name: t.name as string, description: typeof t.description === 'string' ? t.description : '', inputSchema: t.inputSchema ?? {} };
				if (t.outputSchema !== undefined) tool.outputSchema = t.outputSchema;
				if (t.tool_id !== undefined) tool.tool_id = String(t.tool_id);
				return tool;
			});
		// mcp_json carries a short-lived access token: never passed on.
		const rest: IDataObject = { ...raw };
		delete rest.mcp_json;
		return {
			...rest,
			plugin_id: typeof raw.plugin_id === 'string' && raw.plugin_id !== '' ? raw.plugin_id : pluginId,
			name: typeof raw.name === 'string' ? raw.name : '',
			description: typeof raw.description === 'string' ? raw.description : '',
			tools,
		} as PluginDetail;
	}

	/** Calls one tool: its `data.result`. */
	async call(pluginId: string, toolName: string, args: IDataObject): Promise<unknown> {
		const data = await this.http
			.data<IDataObject | undefined>('POST', callToolPath(pluginId), { body: { tool_name: toolName, arguments: args } })
			.catch(onStudio)
			.catch(withCallHint);
		return data?.result;
	}
}
