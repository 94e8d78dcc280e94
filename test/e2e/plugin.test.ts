/**
 * End to end for the Plugin resource (issue 33): the packed tarball in each pinned real n8n, one
 * workflow whose branches search Coze's plugin store, get a plugin, call a tool with typed fields (a
 * 19-digit id in and out), fail an item whose arguments the schema refuses before any call, and give
 * n8n's AI Agent a Coze plugin tool whose arguments the model fills from the tool's schema — one
 * `n8n execute` per version, against the emulator's store and its scripted OpenAI model.
 */
import type { RecordedRequest } from '../emulator/server';
import { CRM_ORDER_ID, CRM_PLUGIN, NEWS_PLUGIN, NEWS_TOOL_FORM } from '../emulator/plugins';
import { TARGETS, log, nodeItems } from './n8n';
import { itNeverPrintsTheToken, useExecutedWorkflow } from './executed';
import { usePackedPackage } from './packed';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, OPENAI_CREDENTIAL_ID, link, nodeBuilder, openAiEmulatorCredential } from './workflows';

const WORKFLOW_ID = 'cozeE2ePlugins01';
/** The scripted model reads key=value pairs into the tool's typed parameters. */
const AGENT_PROMPT = 'Find news: q=Hangzhou autumn holiday; count=2; filter={"since": "2025-09-01", "sources": ["Xinhua"]}';
/** The tool's description, written from the plugin's and the tool's own (Plugin → Get). */
const TOOL_DESCRIPTION = 'Toutiao News (Search the latest news articles from Toutiao.): getToutiaoNews, Search news articles by keyword.';

function form(value: Record<string, unknown>): Record<string, unknown> {
	return { mappingMode: 'defineBelow', value, matchingColumns: [], schema: [], attemptToConvertTypes: false, convertFieldsToString: true };
}

function pluginE2e(): Record<string, unknown> {
	const node = nodeBuilder('p');
	const credentials = { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	const coze = (name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		node(name, NODE_TYPE, 1.1, { resource: 'plugin', ...parameters }, { credentials, ...extra });
	const id = (value: string) => ({ __rl: true, mode: 'id', value });
	const tool = (value: string) => ({ __rl: true, mode: 'list', value });
	const nodes = [
		node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
		coze('Search Store', { operation: 'search', keyword: 'news', filters: { officialOnly: true } }),
		coze('Get Plugin', { operation: 'get', pluginId: id(NEWS_PLUGIN) }),
		coze('Call CRM', { operation: 'callTool', pluginId: id(CRM_PLUGIN), toolName: tool('lookupCustomer'), toolArguments: form({ customer_id: '7533148958613400777' }), options: {} }),
		coze(
			'Call Refused',
			{ operation: 'callTool', pluginId: id(NEWS_PLUGIN), toolName: tool('getToutiaoNews'), argumentsInput: 'json', argumentsJson: '{"count": "many"}', options: {} },
			{ onError: 'continueRegularOutput' },
		),
		node('News Agent', '@n8n/n8n-nodes-langchain.agent', 2.2, { promptType: 'define', text: AGENT_PROMPT, options: {} }),
		node(
			'News Model',
			'@n8n/n8n-nodes-langchain.lmChatOpenAi',
			1.2,
			{ model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, options: {} },
			{ credentials: { openAiApi: { id: OPENAI_CREDENTIAL_ID, name: 'OpenAI (emulator)' } } },
		),
		node(
			'Toutiao News',
			`${NODE_TYPE}Tool`,
			1.1,
			{
				// 'manual': without it n8n gives the model its own "Call a plugin tool in Coze Chat".
				descriptionType: 'manual',
				toolDescription: TOOL_DESCRIPTION,
				resource: 'plugin',
				operation: 'callTool',
				pluginId: id(NEWS_PLUGIN),
				toolName: tool('getToutiaoNews'),
				toolArguments: form(NEWS_TOOL_FORM),
				options: {},
			},
			{ credentials },
		),
	];
	return {
		id: WORKFLOW_ID,
		name: 'Coze e2e: plugins',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: {
			'Manual Trigger': { main: [[link('Search Store'), link('Get Plugin'), link('Call CRM'), link('Call Refused'), link('News Agent')]] },
			'News Model': { ai_languageModel: [[{ node: 'News Agent', type: 'ai_languageModel', index: 0 }]] },
			'Toutiao News': { ai_tool: [[{ node: 'News Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

const tarball = usePackedPackage('plugin');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('Plugin resource in %s', (_label, target) => {
	let started = 0;
	beforeAll(() => {
		started = Date.now();
	});
	afterAll(() => log(`${target.name}: plugin.test.ts took ${((Date.now() - started) / 1000).toFixed(1)} s for this version`));
	const executed = useExecutedWorkflow(target, { tarball, what: 'execute the Plugin-resource workflow', workflow: pluginE2e, extraCredentials: (url: string) => [openAiEmulatorCredential(url)] });

	const body = (request: RecordedRequest | undefined) => (request?.body ?? {}) as Record<string, unknown>;
	const calls = () => executed.emulator.requests.filter((r) => r.method === 'POST' && /\/tools\/call$/.test(r.path));

	it('Search: the store by keyword, official only; Get: the tools with their schemas and no MCP token', () => {
		const found = nodeItems(executed.run, 'Search Store');
		expect(found.map((i) => i.json.plugin_id)).toEqual([NEWS_PLUGIN]);
		expect(executed.emulator.requestsTo('/v1/stores/plugins')[0].query).toMatchObject({ keyword: 'news', is_official: 'true', sort_type: 'relative' });
		const [plugin] = nodeItems(executed.run, 'Get Plugin');
		expect((plugin.json.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(['getToutiaoNews', 'getHotTopics', 'brokenFeed']);
		expect(JSON.stringify(plugin.json)).not.toMatch(/mcp_json|SECRET/);
	});

	it('Call Tool with typed fields: the 19-digit argument goes as an exact number, the result is the item with its exact id', () => {
		const [crm] = nodeItems(executed.run, 'Call CRM');
		expect(String(crm.json.order_id)).toBe(CRM_ORDER_ID);
		const sent = calls().find((r) => r.path === `/v1/plugins/${CRM_PLUGIN}/tools/call`);
		expect(sent?.text).toContain('"customer_id":7533148958613400777');
	});

	it('arguments the schema refuses fail the item before any call, naming each problem', () => {
		const [refused] = nodeItems(executed.run, 'Call Refused');
		expect(String(refused.json.error)).toMatch(/'q' is required \(string\)/);
		expect(String(refused.json.error)).toMatch(/'count' must be an integer, got 'many'/);
		expect(calls().filter((r) => (body(r).arguments as { count?: unknown }).count === 'many')).toHaveLength(0);
	});

	it("as the AI Agent's tool: the model sees the tool's description and each argument by name, type and description, and the call gets them typed", () => {
		const completions = executed.emulator.requestsTo('/v1/chat/completions');
		expect(completions).toHaveLength(2); // the tool call, then the answer after the tool's result
		const tools = (body(completions[0]).tools as Array<{ function: { name: string; description: string; parameters: { properties: Record<string, { type?: string; description?: string }> } } }>) ?? [];
		expect(tools).toHaveLength(1);
		expect(tools[0].function.name).toBe('Toutiao_News');
		expect(tools[0].function.description).toBe(TOOL_DESCRIPTION);
		const properties = tools[0].function.parameters.properties;
		expect(Object.keys(properties).sort()).toEqual(['count', 'filter', 'q']);
		expect(properties.q).toMatchObject({ type: 'string', description: expect.stringContaining('Search keyword (string, required)') });
		expect(properties.count).toMatchObject({ type: 'number', description: expect.stringContaining('How many articles') });
		const sent = calls().find((r) => (body(r).arguments as { q?: string }).q === 'Hangzhou autumn holiday');
		expect(sent?.body).toEqual({ tool_name: 'getToutiaoNews', arguments: { q: 'Hangzhou autumn holiday', count: 2, filter: { since: '2025-09-01', sources: ['Xinhua'] } } });
		const [answer] = nodeItems(executed.run, 'News Agent');
		expect(String(answer.json.output)).toContain('News about Hangzhou autumn holiday');
	});

	itNeverPrintsTheToken(executed);
});
