/**
 * `npm start`: the main job. Starts the Coze emulator and a real local n8n (the pinned 2.x, or the
 * pinned 1.x with COZE_N8N_VERSION=1) on
 * 127.0.0.1 with this package installed as the n8n UI installs it, a credential
 * "Coze (local emulator)", a demo workflow "Ask a Coze bot" and the example workflows of examples/
 * (inactive), all working offline. With
 * COZE_API_TOKEN set (optional COZE_REGION cn|com, COZE_BOT_ID) it adds a real Coze credential too.
 * Ctrl-C stops everything it started.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { EMULATOR_TOKEN, startEmulator } from '../emulator/server';
import { N8nInstance, REPO_ROOT, TARGETS, freePort, log, packPackage, timed } from './n8n';
import { EXAMPLES, examplesForImport, prepareBatchFolder, prepareKnowledgeFolder, readExample, type ExampleName } from './examples';
import { demoWorkflow, emulatorCredential, openAiEmulatorCredential } from './workflows';

const OWNER_EMAIL = 'demo@n8n-nodes-coze.local';
const OWNER_PASSWORD = 'Coze-demo-1';

async function main(): Promise<void> {
	const started = Date.now();
	const wanted = process.env.COZE_N8N_VERSION?.trim();
	const target = wanted
		? TARGETS.find((t) => t.n8n === wanted || t.n8n.split('.')[0] === wanted)
		: TARGETS.find((t) => !t.n8n.startsWith('1.')) ?? TARGETS[0];
	if (!target) throw new Error(`COZE_N8N_VERSION=${wanted}: not one of the pinned versions (${TARGETS.map((t) => t.n8n).join(', ')})`);
	// The demo emulator: its pickers list the demo bots and workflows only, not the test fixtures.
	const emulator = await startEmulator({ port: Number(process.env.COZE_EMULATOR_PORT ?? 0), demo: true });
	log(`Coze emulator listening on ${emulator.url}`);
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'coze-start-'));
	// The nightly batch and the folder sync examples use these; n8n 2.x allows files only in listed folders.
	const batchFolder = path.join(userFolder, 'n8n-files', 'coze-batch');
	const knowledgeFolder = path.join(userFolder, 'n8n-files', 'coze-knowledge');
	const n8n = await timed(`n8n ${target.n8n} ready to configure (installs on first run)`, () =>
		new N8nInstance(target, { userFolder, env: { N8N_RESTRICT_FILE_ACCESS_TO: `${path.dirname(batchFolder)};~/.n8n-files` } }),
	);
	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		log('stopping n8n and the Coze emulator');
		await n8n.dispose();
		await emulator.stop();
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));
	try {
		const tarball = packPackage(path.join(REPO_ROOT, '.e2e-tmp', 'start'));
		n8n.installPackage(tarball);
		const credentials: unknown[] = [emulatorCredential(emulator.url, EMULATOR_TOKEN), openAiEmulatorCredential(emulator.url)];
		prepareBatchFolder(batchFolder);
		prepareKnowledgeFolder(knowledgeFolder);
		const workflows: unknown[] = [demoWorkflow(), ...examplesForImport({ batch: batchFolder, knowledge: knowledgeFolder })];
		const realToken = process.env.COZE_API_TOKEN?.trim();
		if (realToken) {
			const region = process.env.COZE_REGION === 'com' ? 'com' : 'cn';
			credentials.push({ id: 'cozeRealCred00001', name: `Coze (${region === 'com' ? 'coze.com' : 'coze.cn'})`, type: 'cozeApi', data: { region, accessToken: realToken } });
			if (process.env.COZE_BOT_ID) {
				workflows.push(demoWorkflow({ credentialId: 'cozeRealCred00001', credentialName: `Coze (${region === 'com' ? 'coze.com' : 'coze.cn'})`, botId: process.env.COZE_BOT_ID }));
			}
			log(`real Coze credential imported (region ${region})${process.env.COZE_BOT_ID ? ' with a workflow for COZE_BOT_ID' : '; set COZE_BOT_ID for a ready workflow'}`);
		}
		await timed('import credentials', () => n8n.importCredentials(credentials));
		await timed('import workflows', () => n8n.importWorkflows(workflows));
		const port = Number(process.env.N8N_PORT ?? 0) || ((await isFree(5678)) ? 5678 : await freePort());
		// The owner account is set from the environment (n8n 2.x), so the editor opens at the login.
		const n8nRoot = path.dirname(require.resolve('n8n/package.json', { paths: [n8n.installDir] }));
		const bcrypt = require(require.resolve('bcryptjs', { paths: [n8nRoot] })) as { hashSync(p: string, r: number): string };
		await timed('n8n start', () =>
			n8n.start(port, {
				N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
				N8N_INSTANCE_OWNER_EMAIL: OWNER_EMAIL,
				N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER_PASSWORD, 10),
				N8N_INSTANCE_OWNER_FIRST_NAME: 'Demo',
				N8N_INSTANCE_OWNER_LAST_NAME: 'User',
			}),
		);
		const url = `http://127.0.0.1:${port}`;
		// n8n 1.x has no owner from the environment: set it up the way the editor's first screen does.
		if (target.n8n.startsWith('1.')) await timed('owner setup', () => setUpOwner(url));
		process.stdout.write(
			[
				'',
				`n8n with n8n-nodes-coze is ready in ${((Date.now() - started) / 1000).toFixed(0)} s:`,
				`  Editor:    ${url}/workflow/cozeDemoAskBot001   (workflow "Ask a Coze bot")`,
				`  Login:     ${OWNER_EMAIL} / ${OWNER_PASSWORD}`,
				`  Coze:      emulator at ${emulator.url} (credential "Coze (local emulator)")`,
				'             Its bots are scripted: they use your question (a city, a date) but are no AI;',
				'             asked something else, they say what they know ("[emulator] …"). Its pickers list',
				'             the demo bots and workflows; its speech is a tone, not a voice.',
				'             Set COZE_API_TOKEN=pat_… (and COZE_BOT_ID) to talk to the real Coze as well.',
				'  Examples (examples/*.json, imported inactive):',
				...(Object.keys(EXAMPLES) as ExampleName[]).map((name) => {
					const example = readExample(name);
					return `    ${url}/workflow/${example.id}   ${example.name}`;
				}),
				`  The nightly batch reads ${path.join(batchFolder, 'prompts.csv')} and writes its answers there.`,
				`  The folder sync mirrors ${knowledgeFolder} into the emulator's knowledge base "Team Wiki".`,
				'  Press Ctrl-C to stop n8n and the emulator.',
				'',
			].join('\n'),
		);
		if (process.env.COZE_START_SMOKE === '1') await stop(0);
	} catch (error) {
		process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
		await stop(1);
	}
}

async function setUpOwner(url: string): Promise<void> {
	// n8n answers its readiness check before its REST controllers are registered.
	for (const deadline = Date.now() + 60_000; (await fetch(`${url}/rest/settings`).catch(() => undefined))?.status !== 200; ) {
		if (Date.now() > deadline) throw new Error("n8n's REST API did not come up");
		await new Promise((r) => setTimeout(r, 250));
	}
	const response = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ email: OWNER_EMAIL, firstName: 'Demo', lastName: 'User', password: OWNER_PASSWORD }),
	});
	if (response.status !== 200) throw new Error(`owner setup failed: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
}

async function isFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

void main();
