/**
 * Plugin → Search, Get and Call Tool in n8n-core's execution context over real sockets to the
 * emulator's plugin store: the pickers, the Arguments form from a tool's JSON Schema, the check
 * before a call, the refusals a user meets, and Coze Studio (no store).
 */
import type { INodeParameters } from 'n8n-workflow';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { CozeEmulator, EMULATOR_TOKEN } from '../emulator/server';
import { CRM_ORDER_ID, CRM_PLUGIN, IMAGE_PLUGIN, NEWS_PLUGIN, NEWS_TOOL_FORM, OWN_PLUGIN, PLUGIN_CATEGORIES, UNSIGNED_PLUGIN } from '../emulator/plugins';
import { runListSearch, runResourceMapping } from '../harness';
import { rejectionOf, runCoze } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();
const id = (value: string) => ({ __rl: true, mode: 'id', value });
const search = (extra: INodeParameters = {}): INodeParameters => ({ resource: 'plugin', operation: 'search', ...extra });
const get = (pluginId: string): INodeParameters => ({ resource: 'plugin', operation: 'get', pluginId: id(pluginId) });
const callJson = (pluginId: string, tool: string, args: unknown): INodeParameters => ({
	resource: 'plugin',
	operation: 'callTool',
	pluginId: id(pluginId),
	toolName: { __rl: true, mode: 'name', value: tool },
	argumentsInput: 'json',
	argumentsJson: typeof args === 'string' ? args : JSON.stringify(args),
});
const callFields = (pluginId: string, tool: string, value: Record<string, unknown>): INodeParameters => ({
	resource: 'plugin',
	operation: 'callTool',
	pluginId: id(pluginId),
	toolName: { __rl: true, mode: 'list', value: tool },
	argumentsInput: 'schema',
	toolArguments: { mappingMode: 'defineBelow', value: value as never, matchingColumns: [], schema: [] },
});
const calls = () => emulator.requests.filter((r) => r.method === 'POST' && /\/tools\/call$/.test(r.path));
const credentials = () => ({ region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN });

describe('Plugin → Search', () => {
	it('lists the store by popularity, one item per plugin with its ID, category and availability', async () => {
		const items = await runCoze(emulator, search());
		expect(items.map((i) => i.json.plugin_id)).toEqual([NEWS_PLUGIN, IMAGE_PLUGIN, UNSIGNED_PLUGIN, CRM_PLUGIN]);
		expect(items[0].json).toMatchObject({ name: 'Toutiao News', category_id: PLUGIN_CATEGORIES[0].id, category_name: 'News', is_official: true, is_call_available: true, tools_count: 3 });
		expect(items.every((i) => i.pairedItem !== undefined)).toBe(true);
		expect(emulator.requestsTo('/v1/stores/plugins')[0].query).toMatchObject({ page_num: '1', page_size: '50', sort_type: 'heat' });
	});

	it('searches by keyword (by relevance), category and official only; Limit pages with one page size', async () => {
		const [news] = await runCoze(emulator, search({ keyword: 'news' }));
		expect(news.json.plugin_id).toBe(NEWS_PLUGIN);
		expect(emulator.requestsTo('/v1/stores/plugins').pop()?.query).toMatchObject({ keyword: 'news', sort_type: 'relative' });

		const images = await runCoze(emulator, search({ filters: { category: { __rl: true, mode: 'list', value: PLUGIN_CATEGORIES[1].id } } }));
		expect(images.map((i) => i.json.plugin_id)).toEqual([IMAGE_PLUGIN]);
		expect(emulator.requestsTo('/v1/stores/plugins').pop()?.query).toMatchObject({ category_ids: PLUGIN_CATEGORIES[1].id });

		const official = await runCoze(emulator, search({ filters: { officialOnly: true, sort: 'newest' } }));
		expect(official.map((i) => i.json.plugin_id)).toEqual([NEWS_PLUGIN]);
		expect(emulator.requestsTo('/v1/stores/plugins').pop()?.query).toMatchObject({ is_official: 'true', sort_type: 'newest' });

		emulator.requests.length = 0;
		const two = await runCoze(emulator, search({ limit: 2 }));
		expect(two).toHaveLength(2);
		const all = await runCoze(emulator, search({ returnAll: true }));
		expect(all).toHaveLength(4);
		const pages = emulator.requestsTo('/v1/stores/plugins').map((r) => [r.query.page_num, r.query.page_size]);
		expect(pages).toEqual([['1', '2'], ['1', '100']]);
	});

	it('refuses Relevance without a keyword before asking Coze', async () => {
		const error = await rejectionOf(runCoze(emulator, search({ filters: { sort: 'relative' } })));
		expect(error.message).toMatch(/Sort By: Relevance needs a Keyword/);
		expect(emulator.requestsTo('/v1/stores/plugins')).toHaveLength(0);
	});

	it('pickers: plugins by keyword, categories (entity_type=plugin), the chosen plugin\'s tools', async () => {
		const plugins = await runListSearch({ node: new CozeChat(), credentialType: new CozeApi(), credentials: credentials(), method: 'searchPlugins', filter: 'image' });
		expect(plugins.results).toEqual([{ name: 'Image Studio', value: IMAGE_PLUGIN, description: 'Generate images from text.' }]);
		const categories = await runListSearch({ node: new CozeChat(), credentialType: new CozeApi(), credentials: credentials(), method: 'searchPluginCategories' });
		expect(categories.results.map((c) => c.name)).toEqual(['News', 'Images', 'Utilities']);
		expect(emulator.requestsTo('/v1/stores/categories')[0].query).toMatchObject({ entity_type: 'plugin' });
		const tools = await runListSearch({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: credentials(),
			method: 'searchPluginTools',
			parameters: { resource: 'plugin', operation: 'callTool', pluginId: id(NEWS_PLUGIN) },
		});
		expect(tools.results.map((t) => t.value)).toEqual(['getToutiaoNews', 'getHotTopics', 'brokenFeed']);
	});
});

describe('Plugin → Get', () => {
	it("a store plugin's tools with their schemas, without the MCP config's token", async () => {
		const [item] = await runCoze(emulator, get(NEWS_PLUGIN));
		expect(item.json).toMatchObject({ plugin_id: NEWS_PLUGIN, name: 'Toutiao News', is_call_available: true });
		const tools = item.json.tools as Array<{ name: string; inputSchema: { required: string[] } }>;
		expect(tools.map((t) => t.name)).toEqual(['getToutiaoNews', 'getHotTopics', 'brokenFeed']);
		expect(tools[0].inputSchema.required).toEqual(['q']);
		expect(JSON.stringify(item.json)).not.toMatch(/mcp_json|SECRET/);
	});

	it("a workspace's own plugin by ID or editor URL; an unknown plugin is Coze's refusal", async () => {
		const [own] = await runCoze(emulator, { ...get(OWN_PLUGIN), pluginId: { __rl: true, mode: 'url', value: `https://www.coze.cn/space/7498204883280400000/plugin/${OWN_PLUGIN}` } });
		expect(own.json).toMatchObject({ plugin_id: OWN_PLUGIN, name: 'Team Tools' });
		const error = await rejectionOf(runCoze(emulator, get('7000000000000000001')));
		expect(error.message).toMatch(/plugin 7000000000000000001 not found/);
	});
});

describe('Plugin → Call Tool', () => {
	it('the Arguments form: one field per argument from the inputSchema, typed, required marked; $fromAI fields as an AI tool', async () => {
		const { fields } = await runResourceMapping({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: credentials(),
			method: 'getPluginToolInputs',
			parameters: { resource: 'plugin', operation: 'callTool', pluginId: id(IMAGE_PLUGIN), toolName: { __rl: true, mode: 'list', value: 'generate_image' } },
		});
		expect(fields.map((f) => [f.id, f.type, f.required])).toEqual([
			['prompt', 'string', true],
			['size', 'string', false],
			['hd', 'options', false],
			['style', 'string', false],
			['seeds', 'string', false],
		]);
		expect(fields.find((f) => f.id === 'size')?.defaultValue).toBe('512x512');
		expect(fields.find((f) => f.id === 'hd')?.options?.[0]).toEqual({ name: 'Not Sent', value: '' });

		const tool = await runResourceMapping({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: credentials(),
			method: 'getPluginToolInputs',
			nodeTypeName: 'cozeChatTool',
			parameters: { resource: 'plugin', operation: 'callTool', pluginId: id(NEWS_PLUGIN), toolName: { __rl: true, mode: 'list', value: 'getToutiaoNews' } },
		});
		expect(tool.fields.map((f) => [f.id, f.type])).toEqual([['q', 'string'], ['count', 'number'], ['filter', 'object']]);
		// What the e2e test's AI Agent tool carries (test/e2e/plugin.test.ts).
		expect(Object.fromEntries(tool.fields.map((f) => [f.id, f.defaultValue]))).toEqual(NEWS_TOOL_FORM);
	});

	it('typed fields: values converted to the schema\'s types (nested objects and arrays parsed), the result is the item', async () => {
		const [item] = await runCoze(emulator, callFields(NEWS_PLUGIN, 'getToutiaoNews', { q: 'Hangzhou', count: '3', filter: '{"since": "2025-09-01", "sources": ["Xinhua"]}' }));
		expect(item.json).toEqual({
			news: [{ title: 'News about Hangzhou', url: 'https://toutiao.com/group/1/' }],
			echo: { q: 'Hangzhou', count: 3, filter: { since: '2025-09-01', sources: ['Xinhua'] } },
		});
		expect(calls()[0].path).toBe(`/v1/plugins/${NEWS_PLUGIN}/tools/call`);
		expect(calls()[0].body).toEqual({ tool_name: 'getToutiaoNews', arguments: { q: 'Hangzhou', count: 3, filter: { since: '2025-09-01', sources: ['Xinhua'] } } });
	});

	it('JSON mode, 19-digit integers exact both ways; a tool without arguments', async () => {
		const [crm] = await runCoze(emulator, callJson(CRM_PLUGIN, 'lookupCustomer', `{"customer_id": 7533148958613400777}`));
		expect(calls()[0].text).toContain('"customer_id":7533148958613400777');
		expect(String(crm.json.order_id)).toBe(CRM_ORDER_ID);
		expect(String(crm.json.customer_id)).toBe('7533148958613400777');
		const [hot] = await runCoze(emulator, callJson(NEWS_PLUGIN, 'getHotTopics', {}));
		expect(hot.json.topics).toEqual(['one', 'two']);
	});

	it('arguments the schema refuses fail the item before any call, naming each problem', async () => {
		const missing = await rejectionOf(runCoze(emulator, callJson(NEWS_PLUGIN, 'getToutiaoNews', { count: 'many', filter: { sources: 'Xinhua' }, lang: 'en' })));
		expect(missing.message).toMatch(/'lang' is not an input of this tool/);
		expect(missing.message).toMatch(/'q' is required \(string\)/);
		expect(missing.message).toMatch(/'count' must be an integer, got 'many'/);
		expect(missing.message).toMatch(/'filter.since' is required/);
		expect(missing.message).toMatch(/'filter.sources' must be an array of string/);
		expect(missing.message).toMatch(/The tool 'getToutiaoNews' takes: q \(string, required\), count \(integer\), filter \(object\)/);
		const wrongImage = await rejectionOf(runCoze(emulator, callFields(IMAGE_PLUGIN, 'generate_image', { prompt: 'a cat', seeds: '[1, 2.5]' })));
		expect(wrongImage.message).toMatch(/'seeds\[1\]' must be an integer, got 2.5/);
		expect(calls()).toHaveLength(0);
	});

	it('a tool the plugin lacks, and a plugin Coze marks not callable, fail before the call', async () => {
		const unknown = await rejectionOf(runCoze(emulator, callJson(NEWS_PLUGIN, 'getWeather', {})));
		expect(unknown.message).toMatch(/has no tool 'getWeather'/);
		expect(unknown.description).toMatch(/Its tools: getToutiaoNews, getHotTopics, brokenFeed/);
		const unsigned = await rejectionOf(runCoze(emulator, callJson(UNSIGNED_PLUGIN, 'forecast', { city: 'Hangzhou' })));
		expect(unsigned.message).toMatch(/Plugin 7426655854067351999 \(Weather Pro\) cannot be called now/);
		expect(calls()).toHaveLength(0);
	});

	it("Coze's refusals: a free plan, a tool that fails, an unknown plugin, a workspace's own plugin (not callable) — with what to check", async () => {
		emulator.plugins.plan = 'free';
		const free = await rejectionOf(runCoze(emulator, callJson(NEWS_PLUGIN, 'getHotTopics', {})));
		expect(free.message).toMatch(/only available on paid plans/);
		expect(free.description).toMatch(/needs a paid Coze plan, a token with the Plugin.callTool permission/);
		emulator.plugins.plan = 'paid';
		const broken = await rejectionOf(runCoze(emulator, callJson(NEWS_PLUGIN, 'brokenFeed', { q: 'x' })));
		expect(broken.message).toMatch(/plugin tool execution failed: upstream timeout/);
		const missing = await rejectionOf(runCoze(emulator, callJson('7000000000000000001', 'anything', {})));
		expect(missing.message).toMatch(/plugin 7000000000000000001 not found/);
		const own = await rejectionOf(runCoze(emulator, callJson(OWN_PLUGIN, 'ping', {})));
		expect(own.message).toMatch(/not a paid plugin of the store/);
		expect(own.description).toMatch(/a paid plugin of Coze's store/);
	});

	it('rate limits: a call Coze refuses as too many is sent again, and the item succeeds', async () => {
		emulator.plugins.rateLimitedCalls = 1;
		const [item] = await runCoze(emulator, callJson(NEWS_PLUGIN, 'getHotTopics', {}));
		expect(item.json.topics).toEqual(['one', 'two']);
		expect(calls()).toHaveLength(2);
	});

	it('the plugin is read once per execution, whatever the number of items; Continue On Fail keeps each item\'s answer', async () => {
		const items = [{ json: { q: 'a' } }, { json: { q: '' } }, { json: { q: 'c' } }];
		const out = await runCoze(emulator, callFields(NEWS_PLUGIN, 'getToutiaoNews', { q: '={{ $json.q }}' }), { items, continueOnFail: true });
		expect(out.map((i) => (i.json.error ? 'error' : (i.json.echo as { q: string }).q))).toEqual(['a', 'error', 'c']);
		expect(emulator.requests.filter((r) => r.method === 'GET' && r.path === `/v1/plugins/${NEWS_PLUGIN}`)).toHaveLength(1);
	});
});

describe('Plugin → Call Tool, several items', () => {
	it('Items in Parallel: calls go at once, outputs keep input order', async () => {
		const items = ['a', 'b', 'c', 'd'].map((q) => ({ json: { q } }));
		const out = await runCoze(emulator, { ...callFields(NEWS_PLUGIN, 'getToutiaoNews', { q: '={{ $json.q }}' }), options: { concurrency: 4 } }, { items });
		expect(out.map((i) => (i.json.echo as { q: string }).q)).toEqual(['a', 'b', 'c', 'd']);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(calls()).toHaveLength(4);
	});
});

describe('Plugin on a self-hosted Coze Studio', () => {
	let studio: CozeEmulator;
	beforeAll(async () => {
		studio = new CozeEmulator({ dialect: 'studio' });
		await studio.start();
	});
	afterAll(async () => studio.stop());

	it('says the server has no plugin store', async () => {
		const searched = await rejectionOf(runCoze(studio, search()));
		expect(searched.message).toMatch(/Plugins are not supported by this Coze server/);
		const called = await rejectionOf(runCoze(studio, callJson(NEWS_PLUGIN, 'getHotTopics', {})));
		expect(called.message).toMatch(/Plugins are not supported by this Coze server/);
	});
});
