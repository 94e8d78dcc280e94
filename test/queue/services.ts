/**
 * The services n8n's queue mode needs, run as throwaway processes on 127.0.0.1: Redis 7 (Debian's
 * redis-server, installed with apt-get when missing) and a Postgres cluster of its own (initdb +
 * pg_ctl of the machine's PostgreSQL, as the `postgres` user when we are root). Every process and
 * temp dir is registered in `cleanup`, which also runs on exit and on SIGINT/SIGTERM/SIGHUP.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { REPO_ROOT, freePort, log } from '../e2e/n8n';
import { aptInstall as installWithApt } from '../tools/apt';

// ---------------------------------------------------------------------------------------------
// Cleanup: by pid and by path, also when the test process is interrupted.

interface Tracked {
	name: string;
	pid: number;
}

/**
 * What this process started and must remove. `runNow()` is synchronous so exit handlers can use it.
 * Under jest, a test file's process.on('exit'/'SIGINT') handlers never run (jest's sandbox), so a
 * detached watchdog (reaper.js) does the same from outside once this process is gone; it reads what
 * to remove from a state file kept current here.
 */
class Cleanup {
	readonly processes: Tracked[] = [];

	readonly dirs: string[] = [];

	/** Postgres data dirs: their postmaster is not our child (pg_ctl daemonizes it). */
	readonly postgresDataDirs: string[] = [];

	private installed = false;

	private stateFile: string | undefined;

	/** Tracks a child until it exits (a stale pid is never signalled: it may belong to someone else by then). */
	process(name: string, child: ChildProcess): void {
		const pid = child.pid;
		if (!pid) return;
		const entry = { name, pid };
		this.processes.push(entry);
		child.once('exit', () => {
			const index = this.processes.indexOf(entry);
			if (index >= 0) this.processes.splice(index, 1);
			this.persist();
		});
		this.changed();
	}

	dir(dir: string): string {
		this.dirs.push(dir);
		this.changed();
		return dir;
	}

	postgres(dataDir: string): void {
		this.postgresDataDirs.push(dataDir);
		this.changed();
	}

	forgetPostgres(dataDir: string): void {
		const index = this.postgresDataDirs.indexOf(dataDir);
		if (index >= 0) this.postgresDataDirs.splice(index, 1);
		this.persist();
	}

	/** Removes a dir now and stops tracking it. */
	removeDir(dir: string): void {
		fs.rmSync(dir, { recursive: true, force: true });
		const index = this.dirs.indexOf(dir);
		if (index >= 0) this.dirs.splice(index, 1);
		this.persist();
	}

	/** Kills every tracked process and its descendants (SIGKILL), stops Postgres, removes the dirs. */
	runNow(): void {
		for (const dataDir of this.postgresDataDirs.splice(0)) {
			const pid = postmasterPid(dataDir);
			if (pid) killTree(pid, 'SIGQUIT'); // Postgres' immediate shutdown
		}
		for (const { pid } of this.processes.splice(0).reverse()) killTree(pid, 'SIGKILL');
		for (const dir of this.dirs.splice(0).reverse()) fs.rmSync(dir, { recursive: true, force: true });
		this.persist();
	}

	private changed(): void {
		this.installHandlers();
		this.persist();
	}

	private persist(): void {
		if (!this.stateFile) return;
		const state = { processes: this.processes.map((p) => p.pid), dirs: this.dirs, postgresDataDirs: this.postgresDataDirs };
		fs.writeFileSync(`${this.stateFile}.tmp`, JSON.stringify(state));
		fs.renameSync(`${this.stateFile}.tmp`, this.stateFile);
	}

	private installHandlers(): void {
		if (this.installed) return;
		this.installed = true;
		this.stateFile = path.join(os.tmpdir(), `coze-queue-reaper-${process.pid}-${Date.now()}.json`);
		this.persist();
		const reaper = spawn(process.execPath, [path.join(REPO_ROOT, 'test', 'queue', 'reaper.js'), String(process.pid), this.stateFile], {
			detached: true,
			stdio: 'ignore',
		});
		reaper.unref();
		// Plain node (the bench script): the handlers work, and are faster than the reaper.
		process.on('exit', () => this.runNow());
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
			process.once(signal, () => {
				log(`${signal}: stopping the queue-mode cluster`);
				this.runNow();
				process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
			});
		}
	}
}

export const cleanup = new Cleanup();

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	// A zombie (exited, not yet reaped by its parent) is gone for our purposes.
	try {
		return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
}

/** All descendants of a process (children, grandchildren, …), from /proc. */
export function descendants(root: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // exited meanwhile
		}
		// pid (comm) state ppid …; comm may contain spaces and parentheses.
		const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		const list = children.get(ppid) ?? [];
		list.push(Number(entry));
		children.set(ppid, list);
	}
	const result: number[] = [];
	const queue = [root];
	while (queue.length > 0) {
		for (const child of children.get(queue.shift() as number) ?? []) {
			result.push(child);
			queue.push(child);
		}
	}
	return result;
}

/** Kills a process and everything below it, by pid, children first collected so none is missed. */
export function killTree(pid: number, signal: NodeJS.Signals): void {
	const all = [pid, ...descendants(pid)];
	for (const p of all) {
		try {
			process.kill(p, signal);
		} catch {
			// already gone
		}
	}
}

// ---------------------------------------------------------------------------------------------
// apt-get, for a fresh CI machine (test/tools/apt.ts waits for a held dpkg lock).

function aptInstall(packages: string[]): void {
	installWithApt(packages, log);
}

function which(command: string): string | undefined {
	try {
		return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
	} catch {
		return undefined;
	}
}

// ---------------------------------------------------------------------------------------------
// Redis

export interface RedisService {
	port: number;
	version: string;
	child: ChildProcess;
	stop(): Promise<void>;
}

export function ensureRedisServer(): string {
	let bin = which('redis-server');
	if (!bin) {
		aptInstall(['redis-server']);
		bin = which('redis-server');
	}
	if (!bin) throw new Error('redis-server not found after apt-get install');
	return bin;
}

/** A Redis that keeps nothing on disk, on 127.0.0.1 and a free port. */
export async function startRedis(dir: string): Promise<RedisService> {
	const bin = ensureRedisServer();
	const version = /v=(\S+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8' }))?.[1] ?? '?';
	const port = await freePort();
	fs.mkdirSync(dir, { recursive: true });
	const child = spawn(
		bin,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', path.join(dir, 'redis.log')],
		{ stdio: 'ignore' },
	);
	cleanup.process('redis-server', child);
	const deadline = Date.now() + 15_000;
	while (!(await redisPing(port))) {
		if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${readTail(path.join(dir, 'redis.log'))}`);
		if (Date.now() > deadline) throw new Error('redis-server did not answer PING');
		await sleep(100);
	}
	return {
		port,
		version,
		child,
		stop: async () => {
			if (child.exitCode === null && child.pid) {
				process.kill(child.pid, 'SIGTERM');
				await waitForExit(child, 10_000);
			}
		},
	};
}

async function redisPing(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(1000);
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => {
			socket.destroy();
			resolve(data.toString().startsWith('+PONG'));
		});
		socket.once('error', () => resolve(false));
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	});
}

// ---------------------------------------------------------------------------------------------
// Postgres

export interface PostgresService {
	port: number;
	version: string;
	user: string;
	database: string;
	/** Rows of a SELECT, as JSON objects (column names as Postgres spells them). */
	query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
	/** Runs statements (UPDATE, …) as they are. */
	execute(sql: string): Promise<void>;
	stop(): Promise<void>;
}

/** The folder with initdb, pg_ctl and postgres: `pg_config --bindir`, else Debian's layout, else apt-get. */
export function postgresBinDir(): string {
	const candidates: string[] = [];
	try {
		candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
	} catch {
		// no pg_config
	}
	const debian = '/usr/lib/postgresql';
	const fromDebian = () =>
		fs.existsSync(debian)
			? fs
					.readdirSync(debian)
					.sort((a, b) => Number(b) - Number(a))
					.map((v) => path.join(debian, v, 'bin'))
			: [];
	candidates.push(...fromDebian());
	let found = candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')));
	if (!found) {
		aptInstall(['postgresql']);
		found = fromDebian().find((dir) => fs.existsSync(path.join(dir, 'initdb')));
	}
	if (!found) throw new Error('PostgreSQL (initdb, pg_ctl) not found');
	return found;
}

/** initdb refuses to run as root: then everything runs as the `postgres` user. */
function asPostgres(bin: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function postmasterPid(dataDir: string): number | undefined {
	try {
		return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
	} catch {
		return undefined;
	}
}

/**
 * A fresh cluster in `dir` (created and, as root, handed to `postgres`), listening on 127.0.0.1
 * and a free port with trust auth, durability off (it is thrown away), and a database `n8n`.
 */
export async function startPostgres(dir: string): Promise<PostgresService> {
	const bin = postgresBinDir();
	const user = 'n8n';
	const database = 'n8n';
	fs.mkdirSync(dir, { recursive: true });
	if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
	const dataDir = path.join(dir, 'data');
	const [initdb, initdbArgs] = asPostgres(path.join(bin, 'initdb'), ['-D', dataDir, '-U', user, '--auth=trust', '-E', 'UTF8', '--no-sync']);
	await run(initdb, initdbArgs);
	const port = await freePort();
	const options = [
		`-p ${port}`,
		`-k ${dir}`,
		'-c listen_addresses=127.0.0.1',
		'-c fsync=off',
		'-c synchronous_commit=off',
		'-c full_page_writes=off',
		'-c max_connections=200',
	].join(' ');
	cleanup.postgres(dataDir);
	const [pgCtl, startArgs] = asPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', path.join(dir, 'postgres.log'), '-w', '-t', '60', 'start']);
	await run(pgCtl, startArgs);
	const psql = path.join(bin, 'psql');
	const psqlArgs = (db: string) => ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-At'];
	await run(psql, [...psqlArgs('postgres'), '-c', `create database ${database}`]);
	const version = (await run(psql, [...psqlArgs(database), '-c', 'show server_version'])).trim();
	return {
		port,
		version,
		user,
		database,
		query: async <T>(sql: string): Promise<T[]> => {
			const out = await run(psql, [...psqlArgs(database), '-c', `select coalesce(json_agg(q), '[]'::json) from (${sql}) q`]);
			return JSON.parse(out) as T[];
		},
		execute: async (sql: string): Promise<void> => {
			await run(psql, [...psqlArgs(database), '-c', sql]);
		},
		stop: async () => {
			const [ctl, stopArgs] = asPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
			if (postmasterPid(dataDir)) await run(ctl, stopArgs);
			cleanup.forgetPostgres(dataDir);
		},
	};
}

// ---------------------------------------------------------------------------------------------

export async function run(command: string, args: string[]): Promise<string> {
	return await new Promise((resolve, reject) => {
		execFile(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
			if (error) reject(new Error(`${path.basename(command)} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
			else resolve(stdout);
		});
	});
}

export async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (child.exitCode === null && child.signalCode === null) {
		if (Date.now() > deadline) return false;
		await sleep(50);
	}
	return true;
}

function readTail(file: string): string {
	try {
		return fs.readFileSync(file, 'utf8').slice(-2000);
	} catch {
		return '';
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
