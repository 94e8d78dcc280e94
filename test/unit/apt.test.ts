/**
 * test/tools/apt.ts waits for a dpkg lock held by another apt (unattended upgrades on a freshly
 * booted machine) instead of failing: a fake apt-get on PATH says "Could not get lock" twice,
 * then succeeds.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { aptInstall } from '../tools/apt';

const asRoot = process.getuid?.() === 0 ? it : it.skip;

asRoot('retries while the lock is held, and passes DPkg::Lock::Timeout', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-apt-'));
	const calls = path.join(dir, 'calls');
	fs.writeFileSync(
		path.join(dir, 'apt-get'),
		`#!/bin/sh\necho "$@" >> "${calls}"\nn=$(wc -l < "${calls}")\nif [ "$n" -le 2 ]; then echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)" >&2; exit 100; fi\nexit 0\n`,
		{ mode: 0o755 },
	);
	const pathBefore = process.env.PATH;
	process.env.PATH = `${dir}:${pathBefore}`;
	const logged: string[] = [];
	try {
		aptInstall(['redis-server'], (line) => logged.push(line), { pauseMs: 10 });
	} finally {
		process.env.PATH = pathBefore;
	}
	const lines = fs.readFileSync(calls, 'utf8').trim().split('\n');
	expect(lines).toHaveLength(4); // update ×3 (two refused), install ×1
	expect(lines.every((line) => line.startsWith('-o DPkg::Lock::Timeout=900 '))).toBe(true);
	expect(lines[3]).toContain('install -y -qq --no-install-recommends redis-server');
	expect(logged.filter((line) => line.includes('holds its lock'))).toHaveLength(2);
});

asRoot('fails with what apt-get said when the failure is not a lock', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-apt-'));
	fs.writeFileSync(path.join(dir, 'apt-get'), '#!/bin/sh\necho "E: Unable to locate package nosuch" >&2\nexit 100\n', { mode: 0o755 });
	const pathBefore = process.env.PATH;
	process.env.PATH = `${dir}:${pathBefore}`;
	try {
		expect(() => aptInstall(['nosuch'], () => undefined)).toThrow('Unable to locate package nosuch');
	} finally {
		process.env.PATH = pathBefore;
	}
});
