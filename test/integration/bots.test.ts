/**
 * Agent (Bot) → Get Many, Get, Create, Update, Publish, Unpublish, Get Versions in n8n-core's
 * execution context over real sockets to the emulator, whose bots have drafts that differ from what
 * is published, and the prompt-ops loop: change the draft, talk to it, publish, roll back. On a
 * self-hosted Coze Studio only Get is served; the rest say so.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';

import { DRAFT_AGENT, STORE_HELPER } from '../emulator/bots';
import { PERSONAL_SPACE, TEAM_SPACE } from '../emulator/knowledge';
import { scenarios } from '../emulator/scenarios';
import { CozeEmulator, EMULATOR_TOKEN } from '../emulator/server';
import { runListSearch } from '../harness';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const workspace = (value: string) => ({ __rl: true, mode: 'id', value });
const helper = byId(STORE_HELPER.id);
const op = (operation: string, extra: INodeParameters = {}): INodeParameters => ({ resource: 'bot', operation, ...extra });
const update = (fields: IDataObject, extra: INodeParameters = {}) => op('update', { botId: helper, updateFields: fields as INodeParameters, ...extra });
const botRequests = () => emulator.requests.filter((r) => r.path.startsWith('/v1/bot'));

async function ask(botId: string, question: string, talkTo: 'published_online' | 'unpublished_draft', extra: IDataObject = {}): Promise<string> {
	const [item] = await runCoze(emulator, sendMessage(botId, { message: question, options: { publishStatus: talkTo, ...extra } }));
	return String(item.json.answer);
}

describe('Agent (Bot) → Get Many', () => {
	it('lists drafts and published agents of a workspace, page after page, with exact ids', async () => {
		emulator.botPageCap = 4;
		try {
			const all = await runCoze(emulator, op('getMany', { workspaceId: workspace(PERSONAL_SPACE), returnAll: true }));
			const ids = all.map((item) => item.json.id);
			expect(ids).toContain(STORE_HELPER.id);
			expect(ids).toContain(DRAFT_AGENT.id);
			expect(new Set(ids).size).toBe(ids.length);
			expect(all.find((item) => item.json.id === DRAFT_AGENT.id)?.json).toMatchObject({ is_published: false, name: 'Draft Agent', workspace_id: PERSONAL_SPACE });
			const pages = emulator.requestsTo('/v1/bots');
			expect(pages.length).toBeGreaterThan(2);
			expect(pages[0].query).toMatchObject({ workspace_id: PERSONAL_SPACE, publish_status: 'all', page_num: '1', page_index: '1' });
			expect(pages[1].query).toMatchObject({ page_num: '2', page_index: '2' });
			expect(pages[0].query.connector_id).toBeUndefined();
		} finally {
			emulator.botPageCap = Infinity;
		}
	});

	it('filters by publish status and channel, and stops at Limit', async () => {
		const drafts = await runCoze(emulator, op('getMany', { workspaceId: workspace(PERSONAL_SPACE), publishStatus: 'unpublished_draft', returnAll: true }));
		expect(drafts.map((item) => item.json.id)).toEqual([DRAFT_AGENT.id]);
		const published = await runCoze(emulator, op('getMany', { workspaceId: workspace(PERSONAL_SPACE), publishStatus: 'published_online', limit: 2, options: { connectorId: '999' } }));
		expect(published.map((item) => item.json.id)).toEqual([STORE_HELPER.id]);
		expect(emulator.requestsTo('/v1/bots').pop()?.query).toMatchObject({ publish_status: 'published_online', connector_id: '999' });
		const team = await runCoze(emulator, op('getMany', { workspaceId: workspace(TEAM_SPACE), limit: 3 }));
		expect(team).toHaveLength(3);
	});

	it('refuses a workspace that is not an ID before asking Coze', async () => {
		const error = await rejectionOf(runCoze(emulator, op('getMany', { workspaceId: workspace('my space') })));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/^Workspace: 'my space' is not a Coze workspace ID/);
		expect(emulator.requests).toHaveLength(0);
	});
});

describe('Agent (Bot) picker (searchBotsWithDrafts)', () => {
	const search = (server: CozeEmulator, filter?: string) =>
		runListSearch({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: { region: 'custom', baseUrl: server.url, accessToken: EMULATOR_TOKEN },
			method: 'searchBotsWithDrafts',
			filter,
		});

	it('lists drafts that were never published too, saying so, and filters by name or id', async () => {
		const page = await search(emulator);
		expect(page.results.find((r) => r.value === DRAFT_AGENT.id)?.name).toBe('Draft Agent (draft, never published) (Personal)');
		expect(page.results.find((r) => r.value === STORE_HELPER.id)?.name).toBe('Store Helper (Personal)');
		expect(emulator.requestsTo('/v1/bots').every((r) => r.query.publish_status === 'all')).toBe(true);
		expect((await search(emulator, 'store')).results.map((r) => r.value)).toEqual([STORE_HELPER.id]);
		expect((await search(emulator, DRAFT_AGENT.id)).results.map((r) => r.value)).toEqual([DRAFT_AGENT.id]);
	});
});

describe('Agent (Bot) → Get', () => {
	it('reads the published configuration or the draft: prompt, model, plugins, workflows, knowledge, onboarding, variables', async () => {
		const [published] = await runCoze(emulator, op('get', { botId: helper }));
		expect(published.json).toMatchObject({
			bot_id: STORE_HELPER.id,
			is_draft: false,
			version: STORE_HELPER.publishedVersion,
			prompt_info: { prompt: STORE_HELPER.publishedPrompt },
			model_info: { model_id: '1737521813', temperature: 0.3 },
			plugin_info_list: [{ plugin_id: '7379227414322217010', api_info_list: [{ api_id: '7379227414322233394' }] }],
			workflow_info_list: [{ id: '7460491086110370001' }],
			knowledge: { knowledge_infos: [{ id: '7420000000000000001' }] },
			variables: [{ keyword: 'city' }],
			// Coze's sample answer spells these Prologue / SuggestedQuestions; the output has the documented keys.
			onboarding_info: { prologue: 'Hi! Ask me about the Acme Store.', suggested_questions: ['When does the store open?'] },
		});
		expect(emulator.requestsTo(`/v1/bots/${STORE_HELPER.id}`)[0].query).toEqual({ is_published: 'true' });

		const [draft] = await runCoze(emulator, op('get', { botId: helper, version: 'draft' }));
		expect(draft.json).toMatchObject({ is_draft: true, prompt_info: { prompt: STORE_HELPER.draftPrompt } });
		expect(emulator.requestsTo(`/v1/bots/${STORE_HELPER.id}`)[1].query).toEqual({ is_published: 'false' });
	});

	it("an agent's editor URL works; an unpublished agent's published version is Coze's error; several items run in parallel", async () => {
		const [viaUrl] = await runCoze(emulator, op('get', { botId: { __rl: true, mode: 'url', value: `https://www.coze.cn/space/${PERSONAL_SPACE}/bot/${DRAFT_AGENT.id}` }, version: 'draft' }));
		expect(viaUrl.json).toMatchObject({ bot_id: DRAFT_AGENT.id, name: 'Draft Agent' });
		const error = await rejectionOf(runCoze(emulator, op('get', { botId: byId(DRAFT_AGENT.id) })));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Coze error 4200: Bot 7400000000000000037 has not been published/);

		const items = [STORE_HELPER.id, scenarios.plain.botId, scenarios.toolCall.botId].map((id) => ({ json: { id } }));
		const out = await runCoze(emulator, op('get', { botId: byId('={{ $json.id }}'), options: { concurrency: 3 } }), { items });
		expect(out.map((item) => item.json.bot_id)).toEqual(items.map((item) => item.json.id));
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});

describe('Agent (Bot) → Update', () => {
	it('sends only the prompt when only the prompt changes, and the draft keeps everything else', async () => {
		const [out] = await runCoze(emulator, update({ prompt: 'You are the Acme Store helper. The store opens at 7 am.' }));
		expect(out.json).toMatchObject({ bot_id: STORE_HELPER.id, changed: ['prompt_info'] });
		const [sent] = emulator.requestsTo('/v1/bot/update');
		expect(sent.body).toEqual({ bot_id: STORE_HELPER.id, prompt_info: { prompt: 'You are the Acme Store helper. The store opens at 7 am.' } });
		expect(sent.text).toContain(`"bot_id":"${STORE_HELPER.id}"`);
		expect(emulator.requestsTo(`/v1/bots/${STORE_HELPER.id}`)).toHaveLength(0); // nothing needed reading first

		const [draft] = await runCoze(emulator, op('get', { botId: helper, version: 'draft' }));
		expect(draft.json).toMatchObject({
			prompt_info: { prompt: 'You are the Acme Store helper. The store opens at 7 am.' },
			model_info: { temperature: 0.3, context_round: 5 },
			onboarding_info: { prologue: 'Hi! Ask me about the Acme Store.', suggested_questions: ['When does the store open?'] },
			suggest_reply_info: { reply_mode: 'customized', customized_prompt: 'Suggest questions about opening hours' },
		});
	});

	it('a part of an object (one model setting, the opening message, a suggestion setting) is laid over the draft so nothing else is reset', async () => {
		await runCoze(emulator, update({ modelSettings: { temperature: 0.9 }, prologue: 'Welcome!', replyMode: 'disable' }));
		const [read] = emulator.requestsTo(`/v1/bots/${STORE_HELPER.id}`);
		expect(read.query).toEqual({ is_published: 'false' });
		const [sent] = emulator.requestsTo('/v1/bot/update');
		expect(sent.body).toEqual({
			bot_id: STORE_HELPER.id,
			model_info_config: { model_id: '1737521813', temperature: 0.9, top_p: 1, max_tokens: 4096, context_round: 5, response_format: 'text' },
			onboarding_info: { prologue: 'Welcome!', suggested_questions: ['When does the store open?'] },
			suggest_reply_info: { reply_mode: 'disable', customized_prompt: 'Suggest questions about opening hours' },
		});
		const [draft] = await runCoze(emulator, op('get', { botId: helper, version: 'draft' }));
		expect(draft.json).toMatchObject({ model_info: { temperature: 0.9, context_round: 5 }, onboarding_info: { suggested_questions: ['When does the store open?'] } });
	});

	it('plugin, workflow and knowledge lists are replaced, added to or removed from; lists not given stay', async () => {
		await runCoze(emulator, update({ plugins: { entries: [{ plugin_id: '7500000000000000001', api_id: '7500000000000000002' }] }, listMode: 'add' }));
		expect(emulator.requestsTo('/v1/bot/update')[0].body).toEqual({
			bot_id: STORE_HELPER.id,
			plugin_id_list: {
				id_list: [
					{ plugin_id: '7379227414322217010', api_id: '7379227414322233394' },
					{ plugin_id: '7500000000000000001', api_id: '7500000000000000002' },
				],
			},
		});
		await runCoze(emulator, update({ workflowIds: '7460491086110370001', listMode: 'remove' }));
		expect(emulator.requestsTo('/v1/bot/update')[1].body).toEqual({ bot_id: STORE_HELPER.id, workflow_id_list: { ids: [] } });
		await runCoze(emulator, update({ knowledgeIds: '7420000000000000003, 7420000000000000004', knowledgeSearch: 20 }));
		expect(emulator.requestsTo('/v1/bot/update')[2].body).toEqual({
			bot_id: STORE_HELPER.id,
			knowledge: { dataset_ids: ['7420000000000000003', '7420000000000000004'], search_strategy: 20 },
		});
		// Only Knowledge Call: the current knowledge bases are sent with it, not an empty list.
		await runCoze(emulator, update({ knowledgeAutoCall: 'onDemand' }));
		expect(emulator.requestsTo('/v1/bot/update')[3].body).toEqual({ bot_id: STORE_HELPER.id, knowledge: { dataset_ids: ['7420000000000000003', '7420000000000000004'], auto_call: false } });
		const [draft] = await runCoze(emulator, op('get', { botId: helper, version: 'draft' }));
		expect((draft.json.plugin_info_list as IDataObject[]).map((p) => p.plugin_id)).toEqual(['7379227414322217010', '7500000000000000001']);
		expect(draft.json.workflow_info_list).toEqual([]);
	});

	it('refuses bad input before any request, naming the field', async () => {
		const cases: Array<[IDataObject, RegExp]> = [
			[{}, /^Update Fields: add at least one field to change$/],
			[{ name: 'A name far longer than twenty' }, /^Update Fields → Name is 29 characters long; Coze allows at most 20$/],
			[{ prompt: 'x'.repeat(20001) }, /^Update Fields → Prompt is 20001 characters long; Coze allows at most 20000$/],
			[{ prompt: '={{ $json.noSuchField }}' }, /^Update Fields → Prompt is empty: enter a value or an expression$/],
			[{ workflowIds: '7460491086110370001, my-flow' }, /^Update Fields → Workflow IDs: 'my-flow' is not a Coze ID/],
			[{ plugins: { entries: [{ plugin_id: '7500000000000000001', api_id: 'weather' }] } }, /^Update Fields → Plugins #1: Tool ID 'weather' is not a Coze ID/],
			[{ modelSettings: { temperature: 3 } }, /^Update Fields → Model Settings → Temperature: 3 is not allowed/],
			[{ suggestedQuestions: 'When?\n' + 'q'.repeat(51) }, /^Update Fields → Suggested Questions: '.+' is 51 characters long; Coze allows at most 50 per question$/],
			[{ modelSettings: { parameters: '{"thinking_type": ' } }, /^Update Fields → Model Settings → Model Parameters \(JSON\) is not valid JSON$/],
		];
		for (const [fields, message] of cases) {
			const error = await rejectionOf(runCoze(emulator, update(fields)));
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toMatch(message);
		}
		const badBot = await rejectionOf(runCoze(emulator, update({ prompt: 'x' }, { botId: byId('store-helper') })));
		expect(badBot.message).toMatch(/^Bot: 'store-helper' is not a Coze bot ID/);
		expect(botRequests()).toHaveLength(0);
	});
});

describe('Agent (Bot): test the draft, publish, roll back', () => {
	it('the draft answers from its prompt, the published version from its own; Publish makes the draft what users get', async () => {
		const question = 'When does the store open?';
		expect(await ask(STORE_HELPER.id, question, 'published_online')).toBe('The store opens at 9 am on weekdays.');
		expect(await ask(STORE_HELPER.id, question, 'unpublished_draft')).toBe('The store opens at 8 am on weekdays.');

		await runCoze(emulator, update({ prompt: 'You are the Acme Store helper. The store opens at 6 am every day.' }));
		expect(await ask(STORE_HELPER.id, question, 'unpublished_draft')).toBe('The store opens at 6 am every day.');
		expect(await ask(STORE_HELPER.id, question, 'published_online')).toBe('The store opens at 9 am on weekdays.');

		const [published] = await runCoze(emulator, op('publish', { botId: helper }));
		expect(emulator.requestsTo('/v1/bot/publish')[0].body).toEqual({ bot_id: STORE_HELPER.id, connector_ids: ['1024'] });
		expect(published.json).toMatchObject({ bot_id: STORE_HELPER.id, connector_ids: ['1024'] });
		expect(published.json.version).toMatch(/^\d{13,}$/);
		expect(await ask(STORE_HELPER.id, question, 'published_online')).toBe('The store opens at 6 am every day.');

		const versions = await runCoze(emulator, op('getVersions', { botId: helper, returnAll: true }));
		expect(versions.map((v) => v.json.version)).toEqual([published.json.version, STORE_HELPER.publishedVersion, '1732000000000']);
		expect(versions[0].json).toMatchObject({ bot_id: STORE_HELPER.id, publish_status: 'published_online', creator: { name: 'emulator' } });
		// Rolling back: a chat pinned to the earlier version answers as before.
		expect(await ask(STORE_HELPER.id, question, 'published_online', { botVersion: STORE_HELPER.publishedVersion })).toBe('The store opens at 9 am on weekdays.');

		const [draftVersion] = await runCoze(emulator, op('getVersions', { botId: helper, publishStatus: 'unpublished_draft' }));
		expect(draftVersion.json).toMatchObject({ publish_status: 'unpublished_draft' });
		const onApi = await runCoze(emulator, op('getVersions', { botId: helper, returnAll: true, options: { connectorId: '999' } }));
		expect(onApi.map((v) => v.json.version)).toEqual([STORE_HELPER.publishedVersion]);
		expect(emulator.requestsTo(`/v1/bots/${STORE_HELPER.id}/versions`).pop()?.query).toMatchObject({ connector_id: '999', publish_status: 'published_online' });
	});

	it('Unpublish takes the agent off the API channel: published chats fail, the draft still answers', async () => {
		const [out] = await runCoze(emulator, op('unpublish', { botId: helper, options: { reason: 'rolling back' } }));
		expect(out.json).toEqual({ bot_id: STORE_HELPER.id, connector_id: '1024', unpublished: true });
		expect(emulator.requestsTo(`/v1/bots/${STORE_HELPER.id}/unpublish`)[0].body).toEqual({ bot_id: STORE_HELPER.id, connector_id: '1024', unpublish_reason: 'rolling back' });
		const error = await rejectionOf(ask(STORE_HELPER.id, 'When does the store open?', 'published_online'));
		expect(error.message).toMatch(/^Coze error 4200: Bot \d+ is not published to the API channel/);
		expect(String(error.description)).toMatch(/published to the API channel/);
		expect(await ask(STORE_HELPER.id, 'When does the store open?', 'unpublished_draft')).toBe('The store opens at 8 am on weekdays.');
		const again = await rejectionOf(runCoze(emulator, op('unpublish', { botId: helper })));
		expect(again.message).toMatch(/not published to channel 1024/);
		const badChannel = await rejectionOf(runCoze(emulator, op('unpublish', { botId: helper, connectorId: 'API' })));
		expect(badChannel.message).toMatch(/^Channel ID: 'API' is not a Coze ID/);
	});

	it('Create makes a draft that answers from its prompt once asked for the draft, and on the API once published', async () => {
		const [created] = await runCoze(
			emulator,
			op('create', {
				workspaceId: workspace(TEAM_SPACE),
				name: 'Returns Agent',
				additionalFields: { prompt: 'Returns are accepted within 60 days.', modelId: '1737521813', modelSettings: { temperature: 0.2 }, prologue: 'Hello', suggestedQuestions: ['How long for returns?'] },
			}),
		);
		const botId = String(created.json.bot_id);
		expect(botId).toMatch(/^\d{19}$/);
		expect(emulator.requestsTo('/v1/bot/create')[0].body).toEqual({
			space_id: TEAM_SPACE,
			name: 'Returns Agent',
			prompt_info: { prompt: 'Returns are accepted within 60 days.' },
			model_info_config: { model_id: '1737521813', temperature: 0.2 },
			onboarding_info: { prologue: 'Hello', suggested_questions: ['How long for returns?'] },
		});
		expect(created.json).toMatchObject({ workspace_id: TEAM_SPACE, is_published: false, name: 'Returns Agent' });
		expect(await ask(botId, 'How long are returns accepted?', 'unpublished_draft')).toBe('Returns are accepted within 60 days.');
		await expect(ask(botId, 'How long are returns accepted?', 'published_online')).rejects.toThrow(/not published to the API channel/);
		await runCoze(emulator, op('publish', { botId: byId(botId), channels: ['1024', '999'] }));
		expect(await ask(botId, 'How long are returns accepted?', 'published_online')).toBe('Returns are accepted within 60 days.');

		const noModel = await rejectionOf(runCoze(emulator, op('create', { workspaceId: workspace(TEAM_SPACE), name: 'X', additionalFields: { modelSettings: { temperature: 0.2 } } })));
		expect(noModel.message).toBe('Additional Fields → Model Settings: add Model ID too (Coze needs the model the settings are for)');
		const noName = await rejectionOf(runCoze(emulator, op('create', { workspaceId: workspace(TEAM_SPACE), name: ' ' })));
		expect(noName.message).toBe('Name is empty: enter a value or an expression');
		expect(emulator.requestsTo('/v1/bot/create')).toHaveLength(1);
	});

	it('Publish: custom channels with their parameters; no channel is refused; Coze\'s "try again" says what to do', async () => {
		await runCoze(emulator, op('publish', { botId: helper, channels: ['1024'], options: { customChannelIds: '7470849514748000001', connectors: '{"7470849514748000001": {"device_id": "[\\"51237825\\"]"}}' } }));
		expect(emulator.requestsTo('/v1/bot/publish')[0].body).toEqual({
			bot_id: STORE_HELPER.id,
			connector_ids: ['1024', '7470849514748000001'],
			connectors: { '7470849514748000001': { device_id: '["51237825"]' } },
		});
		const none = await rejectionOf(runCoze(emulator, op('publish', { botId: helper, channels: [] })));
		expect(none.message).toMatch(/^Channels: choose at least one channel/);
		const badJson = await rejectionOf(runCoze(emulator, op('publish', { botId: helper, options: { connectors: '[1]' } })));
		expect(badJson.message).toMatch(/^Options → Custom Channel Parameters \(JSON\) must be a JSON object/);
		expect(emulator.requestsTo('/v1/bot/publish')).toHaveLength(1);

		emulator.bots.publishFailures = 1;
		const busy = await rejectionOf(runCoze(emulator, op('publish', { botId: helper })));
		expect(busy).toBeInstanceOf(NodeApiError);
		expect(busy.message).toMatch(/^Coze error 702042078: We're currently experiencing server issues/);
		expect(String(busy.description)).toMatch(/Nothing was published: run Publish again in a minute/);
		const [retried] = await runCoze(emulator, op('publish', { botId: helper }));
		expect(retried.json.version).toMatch(/^\d+$/);
	});

	it('with Continue On Fail each item gets its answer or its error', async () => {
		const items = [{ json: { id: STORE_HELPER.id } }, { json: { id: '7400000000000000999' } }];
		const out = await runCoze(emulator, op('get', { botId: byId('={{ $json.id }}'), version: 'draft' }), { items, continueOnFail: true });
		expect(out[0].json.bot_id).toBe(STORE_HELPER.id);
		expect(String(out[1].json.error)).toMatch(/4200/);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});

describe('Agent (Bot) on a self-hosted Coze Studio', () => {
	let studio: CozeEmulator;
	beforeAll(async () => {
		studio = new CozeEmulator({ dialect: 'studio' });
		await studio.start();
	});
	afterAll(async () => studio.stop());

	it('the picker says to enter the ID or URL', async () => {
		const error = await rejectionOf(
			runListSearch({ node: new CozeChat(), credentialType: new CozeApi(), credentials: { region: 'custom', baseUrl: studio.url, accessToken: EMULATOR_TOKEN }, method: 'searchBotsWithDrafts' }),
		);
		expect(error.message).toMatch(/^This Coze server cannot list bots .* Choose "By ID"/);
	});

	it('Get works (Studio serves GET /v1/bots/:id); its draft cannot be read there', async () => {
		const [bot] = await runCoze(studio, op('get', { botId: helper }));
		expect(bot.json).toMatchObject({ bot_id: STORE_HELPER.id, prompt_info: { prompt: STORE_HELPER.publishedPrompt } });
		const before = studio.requestsTo(`/v1/bots/${STORE_HELPER.id}`).length;
		const draft = await rejectionOf(runCoze(studio, op('get', { botId: helper, version: 'draft' })));
		expect(draft).toBeInstanceOf(NodeOperationError);
		expect(draft.message).toBe("Version: Draft is not supported by this Coze server (self-hosted Coze Studio's API reads the published agent only); choose Published");
		expect(studio.requestsTo(`/v1/bots/${STORE_HELPER.id}`)).toHaveLength(before);
	});

	it('a chat asked to talk to the draft talks to the published agent there (Studio ignores Talk To)', async () => {
		const [item] = await runCoze(studio, sendMessage(STORE_HELPER.id, { message: 'When does the store open?', options: { publishStatus: 'unpublished_draft' } }));
		expect(item.json.answer).toBe('The store opens at 9 am on weekdays.');
	});

	it('the other operations say the server does not support them', async () => {
		const cases: Array<[INodeParameters, RegExp]> = [
			[op('getMany', { workspaceId: workspace(PERSONAL_SPACE) }), /^Coze error 401: Listing bots is not supported by this Coze server: it has no GET \/v1\/bots endpoint/],
			[op('create', { workspaceId: workspace(PERSONAL_SPACE), name: 'X' }), /^Coze error 401: Creating bots is not supported by this Coze server/],
			[update({ prompt: 'x' }), /^Coze error 401: Updating bots is not supported by this Coze server/],
			[op('publish', { botId: helper }), /^Coze error 401: Publishing bots is not supported by this Coze server/],
			[op('unpublish', { botId: helper }), /^Coze error 401: Unpublishing bots is not supported by this Coze server/],
			[op('getVersions', { botId: helper }), /^Coze error 401: Bot versions are not supported by this Coze server/],
		];
		for (const [parameters, message] of cases) {
			const error = await rejectionOf(runCoze(studio, parameters));
			expect(error.message).toMatch(message);
			expect(error.message).toContain('missing session_key in cookie');
		}
	});
});
