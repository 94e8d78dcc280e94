/**
 * README's first command, `npm start` (after `npm ci`): run exactly as a newcomer does, it must
 * bring up n8n 2.x with this package and the offline Coze emulator, print the editor URL and the
 * demo login, and have the credential, the demo workflow and the four examples in place. Ctrl-C
 * must stop everything it started.
 */
import { spawn, type ChildProcess } from 'child_process';

import { REPO_ROOT, freePort, log } from './n8n';
import { EXAMPLES, readExample, type ExampleName } from './examples';

let child: ChildProcess | undefined;
let output = '';

afterAll(() => {
	try {
		if (child?.pid) process.kill(-child.pid, 'SIGKILL'); // whatever is left of the group
	} catch {
		// the group is gone: Ctrl-C stopped everything
	}
});

async function waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
	for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
		const match = pattern.exec(output);
		if (match) return match;
		if (child?.exitCode !== null) throw new Error(`npm start exited with ${child?.exitCode}:\n${output.slice(-4000)}`);
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`npm start did not print ${pattern} within ${timeoutMs / 1000} s:\n${output.slice(-4000)}`);
}

describe('npm start (README\'s first command)', () => {
	let editor: string;
	let cookie = '';

	beforeAll(async () => {
		const port = await freePort();
		const started = Date.now();
		// Its own process group, so that Ctrl-C (SIGINT to the group) reaches npm and what it runs.
		child = spawn('npm', ['start'], { cwd: REPO_ROOT, env: { ...process.env, N8N_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
		child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
		[, editor] = await waitFor(/Editor:\s+(http:\/\/127\.0\.0\.1:\d+)\//, 15 * 60_000);
		log(`npm start: ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
	});

	async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: { data?: unknown } }> {
		const response = await fetch(`${editor}/rest${path}`, {
			method,
			headers: { 'content-type': 'application/json', 'browser-id': 'coze-start-test', cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const auth = /n8n-auth=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0];
		if (auth) cookie = auth;
		return { status: response.status, json: (await response.json().catch(() => ({}))) as { data?: unknown } };
	}

	it('prints the editor URL and a demo login that works', async () => {
		const [, email, password] = /Login:\s+(\S+) \/ (\S+)/.exec(output) ?? [];
		expect(email).toBeDefined();
		const login = await rest('POST', '/login', { emailOrLdapLoginId: email, password });
		expect(login.status).toBe(200);
	});

	it('has the emulator credential, the demo workflow and the four examples, with the Coze node loaded', async () => {
		const credentials = (await rest('GET', '/credentials')).json.data as Array<{ name: string; type: string }>;
		expect(credentials.map((c) => c.name)).toContain('Coze (local emulator)');
		const workflows = (await rest('GET', '/workflows')).json.data as Array<{ id: string; name: string }>;
		const ids = workflows.map((w) => w.id);
		expect(ids).toContain('cozeDemoAskBot001');
		for (const name of Object.keys(EXAMPLES) as ExampleName[]) expect(ids).toContain(readExample(name).id);
		// What the editor loads (behind the login): the node types n8n knows, community nodes included.
		const types = await fetch(`${editor}/types/nodes.json`, { headers: { cookie, 'browser-id': 'coze-start-test' } }).then(async (r) => (await r.json()) as Array<{ name: string }>);
		expect(types.map((t) => t.name)).toEqual(expect.arrayContaining(['n8n-nodes-coze.cozeChat']));
	});

	it('Ctrl-C stops n8n and the emulator', async () => {
		const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
		process.kill(-child!.pid!, 'SIGINT');
		expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 60 s'), 60_000))])).not.toBe('still running after 60 s');
		await expect(fetch(editor)).rejects.toThrow();
	});
});
