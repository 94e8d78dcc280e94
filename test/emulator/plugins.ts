/**
 * Coze's plugin store (2025-09), in the shapes of Coze's docs (coze-sdk-gen docs/api-markdown
 * list_plugin.md, list_plugin_category.md, get_plugin.md, call_plugin_tool.md):
 * GET /v1/stores/categories?entity_type=plugin, GET /v1/stores/plugins (keyword, category_ids,
 * is_official, sort_type, page_num, page_size ≤ 100), GET /v1/plugins/:id (tools with JSON-Schema
 * inputSchema / outputSchema, mcp_json with a token), POST /v1/plugins/:id/tools/call
 * {tool_name, arguments} → data.result.
 *
 * Assumed, not sourced (Coze's docs name no code for them): the codes and texts of the refusals —
 * an unknown plugin, a call on a free plan, a call of a plugin that is not a paid store plugin, an
 * unknown tool, a tool that fails. The emulator does
 * not check arguments against the schema: the node must (a refused call is still billed on Coze).
 */
import type { CozeEmulator, EmulatorRoute } from './server';

export const PLUGIN_CATEGORIES = [
	{ id: '7327137275714732069', name: 'News' },
	{ id: '7327137275714748453', name: 'Images' },
	{ id: '7327137275714764837', name: 'Utilities' },
];

/** Codes the emulator answers refusals with (assumed, see above). */
export const PLUGIN_CODES = { notFound: 4200, freePlan: 4101, notPaidPlugin: 4000, unknownTool: 4000, toolFailed: 720702002 };

interface EmulatedPlugin {
	plugin_id: string;
	name: string;
	name_for_model: string;
	description: string;
	category: { id: string; name: string };
	is_official: boolean;
	is_call_available: boolean;
	/** Listed in the store (a workspace's own plugin is not). */
	listed: boolean;
	heat: number;
	listed_at: number;
	tools: Array<{ name: string; description: string; inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown>; tool_id: string }>;
}

export const NEWS_PLUGIN = '7506818401994735616';
export const IMAGE_PLUGIN = '7426655854067351562';
export const UNSIGNED_PLUGIN = '7426655854067351999';
/** A third-party paid plugin whose results carry 19-digit ids. */
export const CRM_PLUGIN = '7533148958613400001';
/**
 * A workspace's own plugin: Get works by ID (get_plugin.md), the store does not list it, and its
 * tools cannot be called through the Open API (call_plugin_tool.md: paid store plugins only).
 */
export const OWN_PLUGIN = '7533148958613400101';

export const PLUGINS: EmulatedPlugin[] = [
	{
		plugin_id: NEWS_PLUGIN,
		name: 'Toutiao News',
		name_for_model: 'toutiao_news',
		description: 'Search the latest news articles from Toutiao.',
		category: PLUGIN_CATEGORIES[0],
		is_official: true,
		is_call_available: true,
		listed: true,
		heat: 1500,
		listed_at: 1757474787,
		tools: [
			{
				name: 'getToutiaoNews',
				description: 'Search news articles by keyword.',
				tool_id: '7506818401994735617',
				inputSchema: {
					type: 'object',
					required: ['q'],
					properties: {
						q: { type: 'string', description: 'Search keyword' },
						count: { type: 'integer', description: 'How many articles (1-10)' },
						filter: {
							type: 'object',
							description: 'Narrow the search',
							required: ['since'],
							properties: {
								since: { type: 'string', description: 'Earliest date, YYYY-MM-DD' },
								sources: { type: 'array', items: { type: 'string' }, description: 'Media names to keep' },
							},
						},
					},
				},
				outputSchema: { type: 'object', properties: { news: { type: 'array', items: { type: 'object', properties: { title: { type: 'string' }, url: { type: 'string' } } } } } },
			},
			{
				name: 'getHotTopics',
				description: 'Today\'s trending topics.',
				tool_id: '7506818401994735618',
				inputSchema: { type: 'object', properties: {} },
				outputSchema: { type: 'object', properties: { topics: { type: 'array', items: { type: 'string' } } } },
			},
			{
				name: 'brokenFeed',
				description: 'A feed whose upstream is down.',
				tool_id: '7506818401994735619',
				inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
				outputSchema: { type: 'object', properties: {} },
			},
		],
	},
	{
		plugin_id: IMAGE_PLUGIN,
		name: 'Image Studio',
		name_for_model: 'image_studio',
		description: 'Generate images from text.',
		category: PLUGIN_CATEGORIES[1],
		is_official: false,
		is_call_available: true,
		listed: true,
		heat: 900,
		listed_at: 1758000000,
		tools: [
			{
				name: 'generate_image',
				description: 'Draw a picture from a prompt.',
				tool_id: '7426655854067351563',
				inputSchema: {
					type: 'object',
					required: ['prompt'],
					properties: {
						prompt: { type: 'string', description: 'What to draw' },
						size: { type: 'string', enum: ['512x512', '1024x1024'], default: '512x512', description: 'Image size' },
						hd: { type: 'boolean', description: 'High definition' },
						style: {
							type: 'object',
							description: 'Look of the picture',
							properties: { palette: { type: 'array', items: { type: 'string' } }, strength: { type: 'number' } },
						},
						seeds: { type: 'array', items: { type: 'integer' }, description: 'Random seeds' },
					},
				},
				outputSchema: { type: 'object', properties: { url: { type: 'string' } } },
			},
			{
				name: 'describe_image',
				description: 'Describe a picture.',
				tool_id: '7426655854067351564',
				inputSchema: { type: 'object', required: ['image_url'], properties: { image_url: { type: 'string', description: 'Public URL of the image' } } },
				outputSchema: { type: 'object', properties: { caption: { type: 'string' } } },
			},
		],
	},
	{
		plugin_id: UNSIGNED_PLUGIN,
		name: 'Weather Pro',
		name_for_model: 'weather_pro',
		description: 'Weather forecasts (third-party, agreement not signed).',
		category: PLUGIN_CATEGORIES[2],
		is_official: false,
		is_call_available: false,
		listed: true,
		heat: 300,
		listed_at: 1759000000,
		tools: [
			{
				name: 'forecast',
				description: 'Forecast for a city.',
				tool_id: '7426655854067352000',
				inputSchema: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } },
				outputSchema: { type: 'object', properties: {} },
			},
		],
	},
	{
		plugin_id: CRM_PLUGIN,
		name: 'CRM Lookup',
		name_for_model: 'crm_lookup',
		description: 'Customer records (third-party, 19-digit ids).',
		category: PLUGIN_CATEGORIES[2],
		is_official: false,
		is_call_available: true,
		listed: true,
		heat: 100,
		listed_at: 1757000000,
		tools: [
			{
				name: 'lookupCustomer',
				description: 'Find a customer and their last order.',
				tool_id: '7533148958613400002',
				inputSchema: { type: 'object', required: ['customer_id'], properties: { customer_id: { type: 'integer', description: 'Customer number' } } },
				outputSchema: { type: 'object', properties: { order_id: { type: 'integer' } } },
			},
		],
	},
	{
		plugin_id: OWN_PLUGIN,
		name: 'Team Tools',
		name_for_model: 'team_tools',
		description: 'The workspace\'s own plugin (not in the store).',
		category: PLUGIN_CATEGORIES[2],
		is_official: false,
		is_call_available: true,
		listed: false,
		heat: 0,
		listed_at: 0,
		tools: [
			{
				name: 'ping',
				description: 'Answers pong.',
				tool_id: '7533148958613400102',
				inputSchema: { type: 'object', properties: {} },
				outputSchema: { type: 'object', properties: {} },
			},
		],
	},
];

/**
 * The Arguments form of Call Tool → Toutiao News → getToutiaoNews as the tool variant's editor fills
 * it (methods/pluginSearch.ts getPluginToolInputs; the integration tests hold the two equal).
 */
export const NEWS_TOOL_FORM = {
	q: "={{ $fromAI('q', 'Search keyword (string, required)', 'string') }}",
	count: "={{ $fromAI('count', 'How many articles (1-10) (integer, optional) A whole number.', 'number') }}",
	filter: "={{ $fromAI('filter', 'Narrow the search (object, optional) Fields: since (string, required), sources (array of string).', 'json') }}",
};

/** A 19-digit id in a tool's result, beyond 2^53: sent as a JSON number, as Coze's ids in results are. */
export const CRM_ORDER_ID = '7533148958613412345';

export class PluginEmulator {
	/** 'free': tool calls are refused as on Coze's free plan. */
	plan: 'paid' | 'free' = 'paid';

	/** Calls answered "too many requests" (HTTP 429, code 4013) before calls go through again. */
	rateLimitedCalls = 0;

	constructor(private readonly emulator: CozeEmulator) {}

	reset(): void {
		this.plan = 'paid';
		this.rateLimitedCalls = 0;
	}

	readonly route: EmulatorRoute = async (request) => {
		const { res, query } = request;
		const route = `${request.method} ${request.path}`;
		if (route === 'GET /v1/stores/categories') {
			if (query.entity_type !== 'plugin') return this.refuse(res, 4000, 'Request parameter error: entity_type is required'), true;
			return this.emulator.ok(res, { items: PLUGIN_CATEGORIES, has_more: false }), true;
		}
		if (route === 'GET /v1/stores/plugins') {
			const size = Math.min(100, Math.max(1, Number(query.page_size ?? 20)));
			const page = Math.max(1, Number(query.page_num ?? 1));
			const keyword = (query.keyword ?? '').toLowerCase();
			const categories = (query.category_ids ?? '').split(',').filter(Boolean);
			let list = PLUGINS.filter((p) => p.listed)
				.filter((p) => !keyword || `${p.name} ${p.description}`.toLowerCase().includes(keyword))
				.filter((p) => categories.length === 0 || categories.includes(p.category.id))
				.filter((p) => query.is_official === undefined || String(p.is_official) === query.is_official);
			list = query.sort_type === 'newest' ? list.sort((a, b) => b.listed_at - a.listed_at) : list.sort((a, b) => b.heat - a.heat);
			const items = list.slice((page - 1) * size, page * size).map((p) => ({
				metainfo: {
					name: p.name,
					category: p.category,
					icon_url: 'https://example.com/icon.png',
					entity_id: p.plugin_id,
					listed_at: p.listed_at,
					paid_type: 'paid',
					user_info: { user_id: 32351795934732, nick_name: 'dev', user_name: 'dev', avatar_url: '' },
					product_id: `${p.plugin_id.slice(0, 15)}0000`,
					description: p.description,
					entity_type: 'plugin',
					is_official: p.is_official,
					entity_version: '0',
				},
				plugin_info: {
					heat: p.heat,
					call_count: 1000,
					description: p.description,
					success_rate: 0.95,
					bots_use_count: 7,
					favorite_count: 50,
					total_tools_count: p.tools.length,
					is_call_available: p.is_call_available,
					avg_exec_duration_ms: 120,
					associated_bots_use_count: 2,
				},
			}));
			return this.emulator.ok(res, { items, has_more: page * size < list.length }), true;
		}
		const get = /^GET \/v1\/plugins\/(\d+)$/.exec(route);
		if (get) {
			const plugin = PLUGINS.find((p) => p.plugin_id === get[1]);
			if (!plugin) return this.refuse(res, PLUGIN_CODES.notFound, `plugin ${get[1]} not found`), true;
			return (
				this.emulator.ok(res, {
					tools: plugin.tools,
					mcp_json: JSON.stringify({ mcpServers: { [`coze_plugin_${plugin.name_for_model}`]: { url: `https://mcp.coze.cn/v1/plugins/${plugin.plugin_id}`, headers: { Authorization: 'Bearer czs_one_day_token_SECRET' } } } }),
					plugin_id: plugin.plugin_id,
					name: plugin.name,
					name_for_model: plugin.name_for_model,
					description: plugin.description,
					icon_url: 'https://example.com/icon.png?x-expires=1763792613',
					is_call_available: plugin.is_call_available,
					created_at: 1759045245,
					updated_at: 1761197207,
				}),
				true
			);
		}
		const call = /^POST \/v1\/plugins\/(\d+)\/tools\/call$/.exec(route);
		if (call) {
			const plugin = PLUGINS.find((p) => p.plugin_id === call[1]);
			if (!plugin) return this.refuse(res, PLUGIN_CODES.notFound, `plugin ${call[1]} not found`), true;
			if (this.rateLimitedCalls > 0) {
				this.rateLimitedCalls--;
				return this.emulator.json(res, 429, { code: 4013, msg: 'The requests exceed the limit' }), true;
			}
			if (!plugin.listed) return this.refuse(res, PLUGIN_CODES.notPaidPlugin, `plugin ${plugin.plugin_id} is not a paid plugin of the store: only paid plugins can be called`), true;
			if (this.plan === 'free') return this.refuse(res, PLUGIN_CODES.freePlan, 'Calling paid plugins is only available on paid plans'), true;
			const body = (request.body ?? {}) as { tool_name?: string; arguments?: Record<string, unknown> };
			const tool = plugin.tools.find((t) => t.name === body.tool_name);
			if (!tool) return this.refuse(res, PLUGIN_CODES.unknownTool, `Request parameter error: tool ${String(body.tool_name)} not found`), true;
			const args = body.arguments ?? {};
			switch (tool.name) {
				case 'brokenFeed':
					return this.refuse(res, PLUGIN_CODES.toolFailed, 'plugin tool execution failed: upstream timeout'), true;
				case 'lookupCustomer': {
					// Written by hand: the 19-digit ids stay exact only as JSON text.
					res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
					res.end(`{"code":0,"msg":"","data":{"result":{"customer_id":${request.rawBytes.toString().match(/"customer_id"\s*:\s*(\d+)/)?.[1] ?? 'null'},"order_id":${CRM_ORDER_ID},"status":"shipped"}},"detail":{"logid":"plugin-crm"}}`);
					return true;
				}
				case 'getToutiaoNews':
					return this.emulator.ok(res, { result: { news: [{ title: `News about ${String(args.q)}`, url: 'https://toutiao.com/group/1/' }], echo: args } }), true;
				case 'generate_image':
					return this.emulator.ok(res, { result: { url: 'https://example.com/image.png', echo: args } }), true;
				default:
					return this.emulator.ok(res, { result: { echo: args, topics: ['one', 'two'] } }), true;
			}
		}
		return false;
	};

	private refuse(res: Parameters<CozeEmulator['ok']>[0], code: number, msg: string): void {
		this.emulator.json(res, 200, { code, msg });
	}
}
