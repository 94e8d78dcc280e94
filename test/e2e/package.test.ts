/**
 * What `npm pack` ships — the tarball every other end-to-end test installs into n8n, and what npm
 * publish uploads: the built node and credentials, README, LICENSE and package.json, nothing else
 * (no sources, tests, examples or source maps), no runtime dependencies, and nothing the bundle
 * loads at runtime but n8n-workflow and Node's own modules.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtinModules } from 'module';

import { usePackedPackage } from './packed';

const tarball = usePackedPackage('package');

const SHIPPED = [
	'package/LICENSE',
	'package/README.md',
	'package/dist/credentials/CozeApi.credentials.js',
	'package/dist/credentials/CozeJwtApi.credentials.js',
	'package/dist/nodes/CozeChat/CozeChat.node.js',
	'package/dist/nodes/CozeChat/CozeChat.node.json',
	'package/dist/nodes/CozeChat/coze.dark.svg',
	'package/dist/nodes/CozeChat/coze.svg',
	'package/package.json',
];

describe('npm pack', () => {
	let unpacked: string;
	beforeAll(() => {
		unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'coze-packed-'));
		execFileSync('tar', ['-xzf', tarball(), '-C', unpacked]);
	});
	afterAll(() => fs.rmSync(unpacked, { recursive: true, force: true }));

	it('ships the built node and credentials, README, LICENSE and package.json — nothing else', () => {
		const listed = execFileSync('tar', ['-tzf', tarball()], { encoding: 'utf8' }).trim().split('\n').sort();
		expect(listed).toEqual(SHIPPED);
	});

	it('declares no runtime dependencies, and every node and credential it lists is in it', () => {
		const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'package', 'package.json'), 'utf8')) as {
			dependencies?: Record<string, string>;
			license: string;
			n8n: { nodes: string[]; credentials: string[] };
		};
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.license).toBe('MIT');
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			expect(fs.existsSync(path.join(unpacked, 'package', file))).toBe(true);
		}
	});

	it('loads nothing at runtime but n8n-workflow and Node built-ins, and carries no source maps', () => {
		const allowed = new Set(['n8n-workflow', ...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
		const seen = new Set<string>();
		for (const file of SHIPPED.filter((name) => name.endsWith('.js'))) {
			const code = fs.readFileSync(path.join(unpacked, file), 'utf8');
			const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]);
			required.forEach((name) => seen.add(name));
			expect({ file, foreign: required.filter((name) => !allowed.has(name)) }).toEqual({ file, foreign: [] });
			expect(code).not.toMatch(/sourceMappingURL|sourcesContent/);
		}
		// The scan reads the bundle's real require calls (eventsource-parser is inlined, not required).
		expect([...seen].sort()).toEqual(['n8n-workflow', 'node:crypto']);
	});
});
