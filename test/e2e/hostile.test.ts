/**
 * Issue 8 in real n8n (each pinned version): the packed node against a misbehaving server. Each
 * branch of one workflow asks a bot whose requests the emulator mishandles on purpose; what the
 * node did is asserted from the server side (which listener got the token, when sockets closed).
 */
import * as path from 'path';

import { answer, hang, on, redirect, serverSide, silentStream } from '../emulator/hostile';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator, type RouteRequest } from '../emulator/server';
import { N8nInstance, REPO_ROOT, TARGETS, nodeItems, packPackage, timed, type RunJson } from './n8n';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, emulatorCredential } from './workflows';

const BOTS = {
	redirect: '7499990000000000001',
	hang: '7499990000000000002',
	silent: '7499990000000000003',
	echo: '7499990000000000004',
};
const TIMEOUT_SECONDS = 3;

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
	const names = { redirect: 'Redirected', hang: 'Never Answers', silent: 'Goes Silent', echo: 'Echoes Token' };
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
		],
		connections: {
			'Manual Trigger': { main: [Object.values(names).map((name) => ({ node: name, type: 'main', index: 0 }))] },
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

	beforeAll(async () => {
		emulator = await startEmulator();
		elsewhere = await startEmulator();
		emulator.publicRoutes.push(
			redirect(on('POST', '/v3/chat', forBot(BOTS.redirect)), elsewhere.url, 307),
			hang(on('POST', '/v3/chat', forBot(BOTS.hang)), hung),
			silentStream(on('POST', '/v3/chat', forBot(BOTS.silent)), [
				{ event: 'conversation.chat.created', data: { id: '7499990000000000103', conversation_id: '7499990000000000203', status: 'created' } },
			], silent),
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

	it('an echoed token is redacted from the error item and from n8n\'s output', () => {
		expect(errorOf('Echoes Token')).toContain('[redacted]');
		expect(JSON.stringify(run)).not.toContain(EMULATOR_TOKEN);
		expect(output).not.toContain(EMULATOR_TOKEN);
	});
});
