/**
 * End to end for the Agent (Bot) resource (issue 32): the packed tarball in each pinned real n8n,
 * one `n8n execute` per version of the prompt-ops loop against the emulator's Store Helper, whose
 * draft and published version say different things: list the agents, read the published
 * configuration, change the draft's prompt, talk to the draft and to the published agent, publish,
 * list the versions, talk to the earlier version, roll the prompt back and publish again, unpublish;
 * and on a branch, create an agent, publish it and read it back.
 */
import { DRAFT_AGENT, STORE_HELPER } from '../emulator/bots';
import { PERSONAL_SPACE, TEAM_SPACE } from '../emulator/knowledge';
import { TARGETS, log, nodeItems } from './n8n';
import { itNeverPrintsTheToken, useExecutedWorkflow } from './executed';
import { usePackedPackage } from './packed';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, link, nodeBuilder } from './workflows';

const WORKFLOW_ID = 'cozeE2eBots00001';
const NEW_PROMPT = 'You are the Acme Store helper. The store opens at 7 am every day.';
const QUESTION = 'When does the store open?';

function botsWorkflow(): Record<string, unknown> {
	const node = nodeBuilder('b');
	const credentials = { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	const coze = (name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		node(name, NODE_TYPE, 1.1, parameters, { credentials, ...extra });
	const id = (value: string) => ({ __rl: true, mode: 'id', value });
	const helper = id(STORE_HELPER.id);
	const bot = (operation: string, parameters: Record<string, unknown> = {}) => ({ resource: 'bot', operation, ...parameters });
	const ask = (options: Record<string, unknown>, botId = helper) => ({ resource: 'chat', operation: 'sendMessage', botId, userId: 'e2e-prompt-ops', message: QUESTION, options });
	const chain = [
		'List Agents',
		'Published Config',
		'Change Draft',
		'Ask Draft',
		'Ask Published Before',
		'Publish',
		'Ask Published After',
		'Versions',
		'Ask Old Version',
		'Roll Back',
		'Publish Rollback',
		'Ask After Rollback',
		'Unpublish',
		'Ask After Unpublish',
	];
	const branch = ['Create', 'Publish New', 'Get New'];
	const connections: Record<string, unknown> = { 'Manual Trigger': { main: [[link(chain[0]), link(branch[0])]] } };
	for (const list of [chain, branch]) list.slice(0, -1).forEach((name, i) => (connections[name] = { main: [[link(list[i + 1])]] }));
	return {
		id: WORKFLOW_ID,
		name: 'Coze e2e: agents (bots)',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
			coze('List Agents', bot('getMany', { workspaceId: id(PERSONAL_SPACE), returnAll: true })),
			coze('Published Config', bot('get', { botId: helper }), { executeOnce: true }),
			coze('Change Draft', bot('update', { botId: helper, updateFields: { prompt: NEW_PROMPT } })),
			coze('Ask Draft', ask({ publishStatus: 'unpublished_draft' })),
			coze('Ask Published Before', ask({})),
			coze('Publish', bot('publish', { botId: helper })),
			coze('Ask Published After', ask({})),
			coze('Versions', bot('getVersions', { botId: helper, returnAll: true })),
			coze('Ask Old Version', ask({ botVersion: "={{ $('Versions').all()[1].json.version }}" }), { executeOnce: true }),
			coze('Roll Back', bot('update', { botId: helper, updateFields: { prompt: "={{ $('Published Config').first().json.prompt_info.prompt }}" } })),
			coze('Publish Rollback', bot('publish', { botId: helper })),
			coze('Ask After Rollback', ask({})),
			coze('Unpublish', bot('unpublish', { botId: helper, connectorId: '1024', options: { reason: 'e2e' } })),
			coze('Ask After Unpublish', ask({}), { onError: 'continueRegularOutput' }),
			coze('Create', bot('create', { workspaceId: id(TEAM_SPACE), name: 'E2E Agent', additionalFields: { prompt: 'The e2e agent opens at noon.' } })),
			coze('Publish New', bot('publish', { botId: id('={{ $json.bot_id }}'), channels: ['1024', '999'] })),
			coze('Get New', bot('get', { botId: id('={{ $json.bot_id }}') })),
		],
		connections,
	};
}

const tarball = usePackedPackage('bots');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('Agent (Bot) resource in %s', (_label, target) => {
	const executed = useExecutedWorkflow(target, { tarball, what: 'execute the agents workflow', workflow: botsWorkflow });

	it('lists the agents of a workspace, drafts included, and reads the published configuration', () => {
		const ids = nodeItems(executed.run, 'List Agents').map((i) => i.json.id);
		expect(ids).toContain(STORE_HELPER.id);
		expect(ids).toContain(DRAFT_AGENT.id);
		expect(nodeItems(executed.run, 'Published Config')[0].json).toMatchObject({ bot_id: STORE_HELPER.id, prompt_info: { prompt: STORE_HELPER.publishedPrompt } });
	});

	it('changes the draft (the prompt only), talks to it, publishes it, and rolls back', () => {
		const answer = (name: string) => nodeItems(executed.run, name)[0].json.answer;
		expect(nodeItems(executed.run, 'Change Draft')[0].json).toMatchObject({ changed: ['prompt_info'] });
		expect(answer('Ask Draft')).toBe('The store opens at 7 am every day.');
		expect(answer('Ask Published Before')).toBe('The store opens at 9 am on weekdays.');
		expect(answer('Ask Published After')).toBe('The store opens at 7 am every day.');
		const versions = nodeItems(executed.run, 'Versions').map((i) => i.json.version);
		expect(versions[0]).toBe(nodeItems(executed.run, 'Publish')[0].json.version);
		expect(versions[1]).toBe(STORE_HELPER.publishedVersion);
		expect(answer('Ask Old Version')).toBe('The store opens at 9 am on weekdays.');
		expect(answer('Ask After Rollback')).toBe('The store opens at 9 am on weekdays.');
		expect(nodeItems(executed.run, 'Unpublish')[0].json).toEqual({ bot_id: STORE_HELPER.id, connector_id: '1024', unpublished: true });
		const after = nodeItems(executed.run, 'Ask After Unpublish')[0].json;
		log(`${target.name}: after unpublish ${JSON.stringify(after)}`);
		expect(String(after.error)).toMatch(/4200/);
		const updates = executed.emulator.requestsTo('/v1/bot/update').map((r) => r.body);
		expect(updates).toEqual([
			{ bot_id: STORE_HELPER.id, prompt_info: { prompt: NEW_PROMPT } },
			{ bot_id: STORE_HELPER.id, prompt_info: { prompt: STORE_HELPER.publishedPrompt } },
		]);
	});

	it('creates an agent, publishes it to the API and the Chat SDK, and reads it back', () => {
		const botId = String(nodeItems(executed.run, 'Create')[0].json.bot_id);
		expect(botId).toMatch(/^\d{19}$/);
		expect(nodeItems(executed.run, 'Publish New')[0].json).toMatchObject({ bot_id: botId, connector_ids: ['1024', '999'] });
		expect(nodeItems(executed.run, 'Get New')[0].json).toMatchObject({ bot_id: botId, name: 'E2E Agent', prompt_info: { prompt: 'The e2e agent opens at noon.' } });
		expect(executed.emulator.requestsTo('/v1/bot/create')[0].text).toContain(`"space_id":"${TEAM_SPACE}"`);
	});

	itNeverPrintsTheToken(executed);
});
