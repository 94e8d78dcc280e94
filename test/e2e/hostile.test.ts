/**
 * Issue 8 in real n8n (each pinned version): the packed node against a misbehaving server. Each
 * branch of one workflow asks a bot whose requests the emulator mishandles on purpose; what the
 * node did is asserted from the server side (which listener got the token, when sockets closed).
 */
import * as path from 'path';

import { answer, hang, heartbeatsAfterDone, on, redirect, serverSide, silentStream } from '../emulator/hostile';
import { scenarios } from '../emulator/scenarios';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator, type RouteRequest } from '../emulator/server';
import { N8nInstance, REPO_ROOT, TARGETS, nodeItems, packPackage, timed, type RunJson } from './n8n';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, emulatorCredential } from './workflows';

const BOTS = {
	redirect: '7499990000000000001',
	hang: '7499990000000000002',
	silent: '7499990000000000003',
	echo: '7499990000000000004',
	heartbeats: '7499990000000000005',
};
const TIMEOUT_SECONDS = 3;
/** Long enough that an item held by heartbeats would show; the node must be done long before. */
const HEARTBEAT_TIMEOUT = 20;
const PARALLEL = 'Parallel With A Bad Item';

const forBot = (botId: string) => (request: RouteRequest) => (request.body as { bot_id?: string } | undefined)?.bot_id === botId;

function hostileWorkflow(): Record<string, unknown> {
	const node = (name: string, botId: string, x: number) => ({
		id: `00000000-0000-4000-9000-00000000000${x}`,
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [x * 220, 0],
		parameters: {
			resource: 'chat',
			operation: 'sendMessage',
			botId: { __rl: true, mode: 'id', value: botId },
			userId: 'e2e-hostile',
			message: 'Hello',
			options: { timeout: TIMEOUT_SECONDS },
		},
		credentials: { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
		onError: 'continueRegularOutput',
	});
	const names = { redirect: 'Redirected', hang: 'Never Answers', silent: 'Goes Silent', echo: 'Echoes Token', heartbeats: 'Heartbeats After Done' };
	return {
		id: 'cozeE2eHostile001',
		name: 'Coze e2e: hostile server',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: '00000000-0000-4000-9000-000000000000', name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			node(names.redirect, BOTS.redirect, 1),
			node(names.hang, BOTS.hang, 2),
			node(names.silent, BOTS.silent, 3),
			node(names.echo, BOTS.echo, 4),
			{ ...node(names.heartbeats, BOTS.heartbeats, 5), parameters: { ...node(names.heartbeats, BOTS.heartbeats, 5).parameters, options: { timeout: HEARTBEAT_TIMEOUT } } },
			// Three items, Items in Parallel 3, Continue On Fail: the second item's expression fails.
			{ id: '00000000-0000-4000-9000-000000000006', name: 'Three Cities', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [6 * 220, 200], parameters: { mode: 'raw', jsonOutput: JSON.stringify({ cities: ['Hangzhou', '', 'Kyoto'] }), options: {} } },
			{ id: '00000000-0000-4000-9000-000000000007', name: 'Split Cities', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [7 * 220, 200], parameters: { fieldToSplitOut: 'cities', options: {} } },
			{
				...node(PARALLEL, scenarios.plain.botId, 8),
				parameters: {
					...node(PARALLEL, scenarios.plain.botId, 8).parameters,
					message: '={{ "Weather in " + $json.cities }}',
					conversationId: '={{ $json.cities ? "" : $("No Such Node").item.json.x }}',
					options: { concurrency: 3, timeout: TIMEOUT_SECONDS },
				},
			},
		],
		connections: {
			'Manual Trigger': { main: [[...Object.values(names), 'Three Cities'].map((name) => ({ node: name, type: 'main', index: 0 }))] },
			'Three Cities': { main: [[{ node: 'Split Cities', type: 'main', index: 0 }]] },
			'Split Cities': { main: [[{ node: PARALLEL, type: 'main', index: 0 }]] },
		},
	};
}

describe.each(TARGETS.map((t) => [t.n8n, t] as const))('hostile server, n8n %s', (_version, target) => {
	let emulator: CozeEmulator;
	let elsewhere: CozeEmulator;
	let n8n: N8nInstance;
	let run: RunJson;
	let output: string;
	const hung = serverSide();
	const silent = serverSide();
	const canceled = serverSide();
	const heartbeats = serverSide();

	beforeAll(async () => {
		emulator = await startEmulator();
		elsewhere = await startEmulator();
		emulator.publicRoutes.push(
			redirect(on('POST', '/v3/chat', forBot(BOTS.redirect)), elsewhere.url, 307),
			hang(on('POST', '/v3/chat', forBot(BOTS.hang)), hung),
			silentStream(on('POST', '/v3/chat', forBot(BOTS.silent)), [
				{ event: 'conversation.chat.created', data: { id: '7499990000000000103', conversation_id: '7499990000000000203', status: 'created' } },
			], silent),
			heartbeatsAfterDone(on('POST', '/v3/chat', forBot(BOTS.heartbeats)), heartbeats),
			answer(on('POST', '/v3/chat/cancel'), () => ({ status: 200, contentType: 'application/json', body: '{"code":0,"msg":"","data":{"status":"canceled"}}' }), canceled),
			answer(on('POST', '/v3/chat', forBot(BOTS.echo)), (request) => ({
				status: 401,
				contentType: 'application/json',
				body: JSON.stringify({ code: 4100, msg: `token ${String(request.req.headers.authorization)} is not valid` }),
			})),
		);
		n8n = new N8nInstance(target);
		n8n.installPackage(packPackage(path.join(REPO_ROOT, '.e2e-tmp', 'hostile')));
		await n8n.importCredentials([emulatorCredential(emulator.url, EMULATOR_TOKEN)]);
		await n8n.importWorkflows([hostileWorkflow()]);
		const result = await timed(`${target.name}: execute hostile workflow`, () => n8n.execute('cozeE2eHostile001'));
		if (!result.run) throw new Error(`no run JSON:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
		run = result.run;
		output = result.stdout + result.stderr;
	});

	afterAll(async () => {
		await n8n?.dispose();
		await emulator?.stop();
		await elsewhere?.stop();
	});

	const errorOf = (name: string) => String(nodeItems(run, name)[0].json.error);

	it('a redirect to another host fails, names both hosts, and the other host gets nothing', () => {
		expect(errorOf('Redirected')).toContain(emulator.url);
		expect(errorOf('Redirected')).toContain(elsewhere.url);
		expect(elsewhere.requests).toHaveLength(0);
	});

	it('a server that never answers is hung up on at the Timeout', () => {
		expect(errorOf('Never Answers')).toContain(`Timed out after ${TIMEOUT_SECONDS} s while connecting to Coze`);
		expect(hung.closedAt).toHaveLength(1);
		// n8n's own request timeout is 300 s; the node closed the socket at its Timeout.
		expect(hung.closedAt[0] - hung.arrivedAt[0]).toBeLessThan(TIMEOUT_SECONDS * 1000 + 5000);
	});

	it('a stream that goes silent is closed at the Timeout and its chat canceled', () => {
		expect(errorOf('Goes Silent')).toContain(`Timed out after ${TIMEOUT_SECONDS} s while receiving the answer`);
		expect(silent.closedAt).toHaveLength(1);
		expect(silent.closedAt[0] - silent.arrivedAt[0]).toBeLessThan(TIMEOUT_SECONDS * 1000 + 5000);
		expect(canceled.hits).toBe(1);
	});

	it('heartbeats after `done` do not hold the item: the node closes the connection at once', () => {
		const [item] = nodeItems(run, 'Heartbeats After Done');
		expect(item.json).toMatchObject({ answer: '2024 年 10 月 1 日是星期二。', status: 'completed' });
		expect(heartbeats.closedAt).toHaveLength(1);
		expect(heartbeats.closedAt[0] - heartbeats.arrivedAt[0]).toBeLessThan(3000);
	});

	it('Continue On Fail with Items in Parallel: the item whose expression fails is an error item, the others are answered', () => {
		const items = nodeItems(run, PARALLEL);
		expect(items).toHaveLength(3);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.status).toBe('completed');
		expect(String(items[1].json.error)).toMatch(/^Conversation ID: /);
		expect(items[2].json.status).toBe('completed');
	});

	it('an echoed token is redacted from the error item and from n8n\'s output', () => {
		expect(errorOf('Echoes Token')).toContain('[redacted]');
		expect(JSON.stringify(run)).not.toContain(EMULATOR_TOKEN);
		expect(output).not.toContain(EMULATOR_TOKEN);
	});
});
