/**
 * `npm run bench:queue`: throughput of scenario 1 (20 executions × 10 Send Message items, started at
 * once, bot thinking 250 ms per answer) with 1 worker and with 2 workers, each n8n worker at its
 * default concurrency (10 jobs); then 1 worker with --concurrency=20 (as many job slots as two
 * workers). Prints items/s for each and the ratios. A measurement, not a test.
 *
 *   QUEUE_BENCH_ROUNDS=3   timed rounds per cluster (best one counts; one warm-up round first)
 */
import * as path from 'path';

import { EMULATOR_TOKEN, startEmulator } from '../emulator/server';
import { REPO_ROOT, log, packPackage } from '../e2e/n8n';
import { emulatorCredential } from '../e2e/workflows';
import { QueueCluster } from './cluster';
import { batchBodies, callWebhook } from './workload';
import { QUEUE_WORKFLOWS, batchWorkflow } from './workflows';

const RUNS = 20;
const ITEMS = 10;

async function measure(workers: number, tarball: string, rounds: number, workerConcurrency?: number): Promise<{ best: number; all: number[]; perWorker: Record<string, number> }> {
	const emulator = await startEmulator();
	const cluster = await QueueCluster.start({
		workers,
		tarball,
		credentials: [emulatorCredential(emulator.url, EMULATOR_TOKEN)],
		workflows: QUEUE_WORKFLOWS.map((w) => w.json),
		workerConcurrency,
	});
	try {
		const all: number[] = [];
		const perWorker: Record<string, number> = {};
		for (let round = 0; round <= rounds; round++) {
			const after = await cluster.lastExecutionId();
			const started = Date.now();
			const results = await Promise.all(batchBodies(`bench-${workers}-${round}`, RUNS, ITEMS).map((b) => callWebhook(cluster, batchWorkflow.path, b)));
			const seconds = (Date.now() - started) / 1000;
			const executions = await cluster.executions(batchWorkflow.id, { afterId: after });
			const failedCalls = results.filter((r) => r.status !== 200);
			const failedRuns = executions.filter((e) => e.status !== 'success');
			if (failedCalls.length > 0 || failedRuns.length > 0) {
				const detail = failedRuns.map((e) => `${e.id} ${e.status}: ${e.data.resultData.error?.message ?? JSON.stringify(e.data.resultData.runData['Send Message']?.[0]?.error?.message)}`);
				throw new Error(`${failedCalls.length} webhook calls failed (${failedCalls.map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`).join('; ')}); executions: ${detail.join('; ')}`);
			}
			const itemsPerSecond = (RUNS * ITEMS) / seconds;
			if (round === 0) {
				log(`bench: ${workers} worker(s), warm-up: ${seconds.toFixed(2)} s`);
				continue;
			}
			all.push(itemsPerSecond);
			const byWorker = cluster.executionsByWorker();
			for (const e of executions) perWorker[byWorker.get(e.id) ?? '?'] = (perWorker[byWorker.get(e.id) ?? '?'] ?? 0) + 1;
			log(`bench: ${workers} worker(s), round ${round}: ${seconds.toFixed(2)} s, ${itemsPerSecond.toFixed(1)} items/s`);
		}
		return { best: Math.max(...all), all, perWorker };
	} finally {
		const leftovers = await cluster.stop();
		await emulator.stop();
		if (leftovers.length > 0) log(`bench: LEFT BEHIND: ${leftovers.join('; ')}`);
	}
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
	const rounds = Number(process.env.QUEUE_BENCH_ROUNDS ?? 3);
	const tarball = packPackage(path.join(REPO_ROOT, '.e2e-tmp', 'queue-bench'));
	const one = await measure(1, tarball, rounds);
	const two = await measure(2, tarball, rounds);
	const oneWide = await measure(1, tarball, rounds, 20);
	log(`bench: 1 worker ${one.all.map((v) => v.toFixed(1)).join(', ')} items/s (best ${one.best.toFixed(1)})`);
	log(`bench: 2 workers ${two.all.map((v) => v.toFixed(1)).join(', ')} items/s (best ${two.best.toFixed(1)}); executions per worker ${JSON.stringify(two.perWorker)}`);
	log(`bench: 1 worker --concurrency=20 ${oneWide.all.map((v) => v.toFixed(1)).join(', ')} items/s (best ${oneWide.best.toFixed(1)})`);
	log(`bench: throughput ratio 2 workers / 1 worker = ${(two.best / one.best).toFixed(2)} (best rounds), ${(median(two.all) / median(one.all)).toFixed(2)} (medians)`);
	log(`bench: throughput ratio 2 workers / 1 worker with --concurrency=20 = ${(two.best / oneWide.best).toFixed(2)} (best rounds), ${(median(two.all) / median(oneWide.all)).toFixed(2)} (medians)`);
}

main().then(
	() => process.exit(0),
	(error: Error) => {
		console.error(error);
		process.exit(1);
	},
);
