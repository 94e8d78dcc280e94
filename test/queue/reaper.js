#!/usr/bin/env node
/**
 * Watchdog for the queue-mode tests: `node reaper.js <watched pid> <state file>`, started detached
 * (its own process group, so Ctrl-C does not reach it). While the watched process lives, it notes
 * every process below it (pid + start time, so a reused pid is never hit). When the watched process
 * is gone (finished, Ctrl-C, SIGKILL, a CI cancel: jest runs the exit handlers of test files in none
 * of these cases), it kills by pid what the state file still lists and every noted process still
 * running (with all their descendants), stops the listed Postgres clusters (SIGQUIT to the
 * postmaster; pg_ctl detaches it), removes the listed dirs and the state file, and exits. After a
 * clean run there is nothing left to do.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const [watched, stateFile] = [Number(process.argv[2]), process.argv[3]];

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function descendants(root) {
	const children = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue;
		}
		const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		if (!children.has(ppid)) children.set(ppid, []);
		children.get(ppid).push(Number(entry));
	}
	const result = [];
	const queue = [root];
	while (queue.length > 0) {
		for (const child of children.get(queue.shift()) || []) {
			result.push(child);
			queue.push(child);
		}
	}
	return result;
}

/** Start time of a process (clock ticks since boot), to tell it from a later one with the same pid. */
function startTime(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
	} catch {
		return undefined;
	}
}

/** pid → start time of everything seen below the watched process. */
const seen = new Map();

function signal(pids, sig) {
	for (const pid of pids) {
		try {
			process.kill(pid, sig);
		} catch {
			// gone
		}
	}
}

function reap() {
	let state = { processes: [], dirs: [], postgresDataDirs: [] };
	try {
		state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
	} catch {
		// nothing recorded
	}
	for (const dataDir of state.postgresDataDirs || []) {
		try {
			const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
			if (pid) signal([pid], 'SIGQUIT');
		} catch {
			// not running
		}
	}
	const noted = [...seen].filter(([pid, start]) => startTime(pid) === start).map(([pid]) => pid);
	for (const pid of [...(state.processes || []), ...noted]) signal([pid, ...descendants(pid)], 'SIGKILL');
	// Give Postgres a moment to go before its data dir is removed.
	const deadline = Date.now() + 5000;
	while (Date.now() < deadline) {
		const running = (state.postgresDataDirs || []).some((d) => fs.existsSync(path.join(d, 'postmaster.pid')));
		if (!running) break;
		Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
	}
	for (const dataDir of state.postgresDataDirs || []) {
		try {
			const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
			if (pid) signal([pid, ...descendants(pid)], 'SIGKILL'); // did not stop in time
		} catch {
			// stopped
		}
	}
	for (const dir of state.dirs || []) fs.rmSync(dir, { recursive: true, force: true });
	fs.rmSync(stateFile, { force: true });
}

const timer = setInterval(() => {
	if (alive(watched)) {
		for (const pid of descendants(watched)) if (pid !== process.pid && !seen.has(pid)) seen.set(pid, startTime(pid));
		return;
	}
	clearInterval(timer);
	reap();
	process.exit(0);
}, 300);
