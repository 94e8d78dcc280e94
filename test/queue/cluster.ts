/**
 * n8n in queue mode on one machine: Redis, Postgres, `n8n start` (main, EXECUTIONS_MODE=queue) and
 * N `n8n worker`s, all on 127.0.0.1 with OS-assigned ports and one N8N_ENCRYPTION_KEY.
 *
 * User folders, like real deployments: main and worker-1 share one folder (n8n's own
 * docker-compose "withPostgresAndWorker" mounts one volume into both), every further worker has its
 * own folder with its own install of the package (a worker on another machine). Each install is
 * what n8n's Community Nodes installer does (N8nInstance.installPackage).
 */
import { createRequire } from 'module';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ChildProcess } from 'child_process';

import { N8nInstance, TARGETS, freePort, log, timed } from '../e2e/n8n';
import { cleanup, descendants, isAlive, killTree, sleep, startPostgres, startRedis, waitForExit, type PostgresService, type RedisService } from './services';

export interface ClusterOptions {
	workers: number;
	tarball: string;
	credentials: unknown[];
	workflows: Array<Record<string, unknown>>;
	/**
	 * Bull's job lock and stalled-job check (ms). n8n's defaults (60 s lock, 30 s check) only make a
	 * dead worker's executions take longer to be reported; the tests shorten them.
	 */
	lockDurationMs?: number;
	stalledIntervalMs?: number;
	/** `n8n worker --concurrency=N` (n8n's default: 10 jobs at once per worker). */
	workerConcurrency?: number;
}

export interface N8nProcess {
	name: string;
	instance: N8nInstance;
	child: ChildProcess;
	output: string[];
	/** Port of the HTTP server: the editor/webhooks for main, the health server for a worker. */
	port: number;
}

/** What one execution_entity row holds, plus its run data parsed from execution_data. */
export interface StoredExecution {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	workflowId: string;
	startedAt: string | null;
	stoppedAt: string | null;
	/** execution_data.data, unflattened (n8n stores it with `flatted`). */
	data: {
		resultData: {
			error?: { message: string; name?: string; description?: string };
			runData: Record<string, Array<{ executionStatus?: string; error?: { message: string }; data?: { main: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }>> } }>>;
			lastNodeExecuted?: string;
		};
	};
}

export class QueueCluster {
	readonly target = TARGETS.find((t) => !t.n8n.startsWith('1.')) ?? TARGETS[0];

	readonly encryptionKey = crypto.randomBytes(24).toString('hex');

	readonly root: string;

	redis!: RedisService;

	postgres!: PostgresService;

	main!: N8nProcess;

	readonly workers: N8nProcess[] = [];

	/** Every n8n process started, ready or not. */
	private readonly launched: N8nProcess[] = [];

	private readonly pgDir: string;

	/** Every process below our n8n processes seen so far (task runners), for the leftover check. */
	private readonly seenPids = new Set<number>();

	private constructor(private readonly options: ClusterOptions) {
		this.root = cleanup.dir(fs.mkdtempSync(path.join(os.tmpdir(), 'coze-queue-')));
		// Postgres runs as `postgres`, which cannot enter the 0700 root: a dir of its own.
		this.pgDir = cleanup.dir(fs.mkdtempSync(path.join(os.tmpdir(), 'coze-queue-pg-')));
	}

	static async start(options: ClusterOptions): Promise<QueueCluster> {
		const cluster = new QueueCluster(options);
		try {
			await cluster.boot();
		} catch (error) {
			await cluster.stop().catch(() => undefined);
			throw error;
		}
		return cluster;
	}

	get mainUrl(): string {
		return `http://127.0.0.1:${this.main.port}`;
	}

	/** Env shared by main and workers: database, Redis, queue mode. */
	private sharedEnv(): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.postgres.port),
			DB_POSTGRESDB_USER: this.postgres.user,
			DB_POSTGRESDB_DATABASE: this.postgres.database,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.redis.port),
			QUEUE_WORKER_LOCK_DURATION: String(this.options.lockDurationMs ?? 60_000),
			QUEUE_WORKER_LOCK_RENEW_TIME: String(Math.floor((this.options.lockDurationMs ?? 60_000) / 5)),
			QUEUE_WORKER_STALLED_INTERVAL: String(this.options.stalledIntervalMs ?? 30_000),
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		};
	}

	private async boot(): Promise<void> {
		const started = Date.now();
		[this.redis, this.postgres] = await Promise.all([startRedis(path.join(this.root, 'redis')), startPostgres(this.pgDir)]);
		log(`queue: Redis ${this.redis.version} on ${this.redis.port}, Postgres ${this.postgres.version} on ${this.postgres.port}`);

		const sharedFolder = path.join(this.root, 'main-and-worker-1');
		const instance = (userFolder: string) => {
			fs.mkdirSync(userFolder, { recursive: true });
			return new N8nInstance(this.target, { userFolder, encryptionKey: this.encryptionKey, env: this.sharedEnv() });
		};
		const main = instance(sharedFolder);
		main.installPackage(this.options.tarball);
		// Workers need no credentials or workflows up front: they boot while those are imported
		// (whoever comes first runs the database migrations, under n8n's migration lock).
		const workerBoots: Array<Promise<N8nProcess>> = [];
		for (let i = 1; i <= this.options.workers; i++) {
			let workerInstance: N8nInstance;
			if (i === 1) {
				workerInstance = instance(sharedFolder);
			} else {
				workerInstance = instance(path.join(this.root, `worker-${i}`));
				workerInstance.installPackage(this.options.tarball);
			}
			const port = await freePort();
			workerBoots.push(
				this.launch(`worker-${i}`, workerInstance, ['worker', ...(this.options.workerConcurrency ? [`--concurrency=${this.options.workerConcurrency}`] : [])], port, {
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(port),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				}),
			);
		}
		// Main registers the production webhooks of published workflows when it starts.
		const workflowsReady = timed('queue: import:credentials, import:workflow, publish', async () => {
			await main.importCredentials(this.options.credentials);
			await main.importWorkflows(this.options.workflows);
			await this.publish(this.options.workflows.map((w) => String(w.id)));
		});
		const bootsSettled = Promise.allSettled(workerBoots); // a failing import must not leave boots unobserved
		try {
			await workflowsReady;
		} catch (error) {
			await bootsSettled;
			throw error;
		}
		const mainPort = await freePort();
		const [mainProcess, ...workers] = await timed(`queue: main + ${this.options.workers} worker(s) ready`, () =>
			Promise.all([
				this.launch('main', main, ['start'], mainPort, { N8N_PORT: String(mainPort), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_HOST: '127.0.0.1' }),
				...workerBoots,
			]),
		);
		this.main = mainProcess;
		this.workers.push(...workers);
		log(`queue: cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}

	private async launch(name: string, instance: N8nInstance, args: string[], port: number, env: Record<string, string>): Promise<N8nProcess> {
		const output: string[] = [];
		const child = await instance.launch(args, env, (text) => output.push(text));
		cleanup.process(`n8n ${name}`, child);
		const proc: N8nProcess = { name, instance, child, output, port };
		this.launched.push(proc);
		const deadline = Date.now() + 240_000;
		for (;;) {
			if (child.exitCode !== null) throw new Error(`n8n ${name} exited with ${child.exitCode}:\n${output.join('').slice(-6000)}`);
			try {
				const res = await fetch(`http://127.0.0.1:${port}/healthz/readiness`);
				if (res.ok) break;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) throw new Error(`n8n ${name} did not become ready:\n${output.join('').slice(-6000)}`);
			await sleep(300);
		}
		this.noteDescendants();
		return proc;
	}

	/**
	 * Publishes the current version of each workflow, as `n8n publish:workflow --id=…` does
	 * (WorkflowRepository.publishVersion: active + activeVersionId = versionId), without paying one CLI
	 * start per workflow. `import:workflow --activeState=fromJson` would do it in one go, but on a
	 * fresh database it logs "User attempted to activate a workflow without permissions" and leaves
	 * them inactive (n8n 2.41.1).
	 */
	private async publish(ids: string[]): Promise<void> {
		const list = ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(',');
		await this.postgres.execute(
			`update workflow_entity w set active = true, "activeVersionId" = w."versionId"
			 where w.id in (${list}) and exists (select 1 from workflow_history h where h."workflowId" = w.id and h."versionId" = w."versionId")`,
		);
		const inactive = await this.postgres.query(`select id from workflow_entity where id in (${list}) and "activeVersionId" is null`);
		if (inactive.length > 0) throw new Error(`could not publish ${JSON.stringify(inactive)}`);
	}

	/** Remembers the processes our n8n processes started (task runners), to check none survives. */
	noteDescendants(): void {
		for (const p of this.launched) {
			if (p.child.pid) for (const pid of descendants(p.child.pid)) this.seenPids.add(pid);
		}
	}

	/** Which worker ran each execution, from n8n's own log line "Worker started execution <id> (job <id>)". */
	executionsByWorker(): Map<string, string> {
		const byExecution = new Map<string, string>();
		for (const worker of this.workers) {
			for (const match of worker.output.join('').matchAll(/Worker started execution (\d+) \(job/g)) {
				byExecution.set(match[1], worker.name);
			}
		}
		return byExecution;
	}

	/** Executions of a workflow, oldest first, with their run data. */
	async executions(workflowId: string, options: { afterId?: number } = {}): Promise<StoredExecution[]> {
		const rows = await this.postgres.query<Omit<StoredExecution, 'data'> & { data: string | null }>(
			`select e.id::text as id, e.status, e.finished, e.mode, e."workflowId", e."startedAt", e."stoppedAt", d.data
			 from execution_entity e left join execution_data d on d."executionId" = e.id
			 where e."workflowId" = '${workflowId.replace(/'/g, "''")}' and e.id > ${options.afterId ?? 0} order by e.id`,
		);
		const { parse } = createRequire(path.join(this.main.instance.installDir, 'node_modules', 'n8n', 'package.json'))('flatted') as {
			parse: (text: string) => unknown;
		};
		return rows.map((row) => ({ ...row, data: (row.data ? parse(row.data) : { resultData: { runData: {} } }) as StoredExecution['data'] }));
	}

	/** The highest execution id so far (scenarios look at the executions after it). */
	async lastExecutionId(): Promise<number> {
		const [row] = await this.postgres.query<{ max: number | null }>('select max(id)::int as max from execution_entity');
		return row?.max ?? 0;
	}

	/**
	 * Stops everything by pid (n8n: SIGTERM, then SIGKILL after 10 s; runners; Redis; Postgres),
	 * removes every temp dir, and returns what was still there afterwards (should be nothing).
	 */
	async stop(): Promise<string[]> {
		this.noteDescendants();
		const n8nProcesses = this.launched;
		// Shared user folders: remove them once, after every process is gone.
		await Promise.all(n8nProcesses.map((p) => p.instance.dispose({ keepUserFolder: true })));
		for (const p of n8nProcesses) if (p.child.pid) await waitForExit(p.child, 5_000);
		const leftovers: string[] = [];
		for (const pid of this.seenPids) {
			if (isAlive(pid)) {
				leftovers.push(`process ${pid} (${readCmdline(pid)}) outlived its n8n parent`);
				killTree(pid, 'SIGKILL');
			}
		}
		await this.redis?.stop();
		await this.postgres?.stop();
		for (const p of n8nProcesses) if (p.child.pid && isAlive(p.child.pid)) leftovers.push(`n8n ${p.name} (${p.child.pid}) still running`);
		if (this.redis?.child.pid && isAlive(this.redis.child.pid)) leftovers.push('redis-server still running');
		const postmaster = path.join(this.pgDir, 'data', 'postmaster.pid');
		if (fs.existsSync(postmaster)) leftovers.push('postgres still running (postmaster.pid exists)');
		for (const dir of [this.root, this.pgDir]) {
			cleanup.removeDir(dir);
			if (fs.existsSync(dir)) leftovers.push(`${dir} still exists`);
		}
		return leftovers;
	}
}

export function readCmdline(pid: number): string {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 200);
	} catch {
		return '?';
	}
}
