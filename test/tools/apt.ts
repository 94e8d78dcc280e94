/**
 * apt-get for the test suites that need a Debian package on a fresh machine (Redis and Postgres for
 * the queue suite, Chromium for the browser test). A freshly booted machine often runs unattended
 * upgrades, which hold dpkg's lock for minutes: apt-get is told to wait for the lock, and a run
 * that still finds it held is retried, so `npm test` does not depend on luck.
 */
import { spawnSync } from 'child_process';

/** How long to wait for a lock another apt or dpkg holds, in all. */
const LOCK_WAIT_SECONDS = 900;

const LOCK_HELD = /Could not get lock|Unable to acquire the dpkg frontend lock|is another process using it|Unable to lock directory/i;

export function aptInstall(packages: string[], log: (line: string) => void, options: { pauseMs?: number } = {}): void {
	if (process.getuid?.() !== 0) {
		throw new Error(`${packages.join(', ')} missing and not root: install with apt-get install -y ${packages.join(' ')}`);
	}
	log(`installing ${packages.join(', ')} with apt-get (waits for a held dpkg lock up to ${LOCK_WAIT_SECONDS / 60} min)`);
	const pauseMs = options.pauseMs ?? 10_000;
	apt(['update', '-qq'], log, pauseMs);
	apt(['install', '-y', '-qq', '--no-install-recommends', ...packages], log, pauseMs);
}

function apt(args: string[], log: (line: string) => void, pauseMs: number): void {
	const deadline = Date.now() + LOCK_WAIT_SECONDS * 1000;
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (let attempt = 1; ; attempt++) {
		const result = spawnSync('apt-get', ['-o', `DPkg::Lock::Timeout=${LOCK_WAIT_SECONDS}`, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		if (result.status === 0) return;
		const said = `${result.stdout ?? ''}${result.stderr ?? ''}`;
		if (!LOCK_HELD.test(said) || Date.now() > deadline) {
			throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status}):\n${said.slice(-3000)}`);
		}
		log(`apt-get ${args[0]}: another apt or dpkg holds its lock (attempt ${attempt}); waiting ${pauseMs / 1000} s`);
		Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
	}
}
