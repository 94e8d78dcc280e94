/**
 * `npm run bench:memory`: how much memory the node holds, beyond the input itself, while it sends a
 * binary to Coze — File → Upload, Audio → Transcribe and Knowledge → Upload Document (base64 inside
 * JSON) — in n8n-core's real engine. The Coze side is a sink in a process of its own (it reads and
 * drops the bytes), so only the node's copies count.
 *
 * Measured: the peak of V8's heap plus memory outside it (Buffers), sampled every 2 ms during the
 * run, minus the same figure just before it (after a full GC), divided by the file's size. The sink
 * holds each upload for 300 ms before it reads, so the peak of a run is a plateau the sampler sees. The input
 * item's own base64 (n8n's in-memory binary mode keeps it inline) is part of the baseline. Run with
 * `node --expose-gc`; the figures are ratios, stable across machines to a tenth or so.
 */
import { spawn, type ChildProcess } from 'child_process';
import type { INodeParameters } from 'n8n-workflow';
import * as path from 'path';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { REPO_ROOT } from '../e2e/n8n';
import { runNode } from '../harness';

const MB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_UPLOAD_MB ?? 48) * MB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** A server that reads every request to its end, drops it, and answers as Coze would. */
const SINK = `
const http = require('http');
const server = http.createServer((req, res) => {
	let bytes = 0;
	// Reads nothing for 300 ms, so the client sits mid-upload with every copy it made still alive.
	req.pause();
	setTimeout(() => req.resume(), 300);
	req.on('data', (c) => (bytes += c.length));
	req.on('end', () => {
		res.setHeader('Content-Type', 'application/json');
		const path = req.url.split('?')[0];
		if (path === '/v1/files/upload') return res.end(JSON.stringify({ code: 0, data: { id: '7400000000000000001', bytes, file_name: 'f', created_at: 1 } }));
		if (path === '/v1/audio/transcriptions') return res.end(JSON.stringify({ code: 0, data: { text: 'ok' } }));
		if (path === '/open_api/knowledge/document/create') return res.end(JSON.stringify({ code: 0, document_infos: [{ document_id: '7400000000000000002', name: 'f', status: 1 }] }));
		res.statusCode = 404;
		res.end(JSON.stringify({ code: 4200, msg: 'no route' }));
	});
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port }) + '\\n'));
`;

async function startSink(): Promise<{ url: string; child: ChildProcess }> {
	const child = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
	const url = await new Promise<string>((resolve, reject) => {
		child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
		child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(String(d).split('\n')[0]) as { url: string }).url));
	});
	return { url, child };
}

function held(): number {
	const usage = process.memoryUsage();
	return usage.heapUsed + usage.external;
}

function collect(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

const OPERATIONS: Array<{ name: string; fileName: string; mimeType: string; parameters: INodeParameters }> = [
	{ name: 'File → Upload', fileName: 'photo.png', mimeType: 'image/png', parameters: { resource: 'file', operation: 'upload', binaryPropertyName: 'data' } },
	{ name: 'Audio → Transcribe', fileName: 'voice.mp3', mimeType: 'audio/mpeg', parameters: { resource: 'audio', operation: 'transcribe', binaryPropertyName: 'data' } },
	{
		name: 'Knowledge → Upload Document',
		fileName: 'handbook.pdf',
		mimeType: 'application/pdf',
		parameters: { resource: 'knowledge', operation: 'uploadDocument', knowledgeBaseId: { __rl: true, mode: 'id', value: '7400000000000000003' }, binaryPropertyName: 'data', options: { waitUntilProcessed: false } },
	},
];

async function measure(url: string, operation: (typeof OPERATIONS)[number]): Promise<number> {
	const file = Buffer.alloc(SIZE, 7);
	const items = [{ json: {}, binary: { data: { data: file.toString('base64'), mimeType: operation.mimeType, fileName: operation.fileName } } }];
	collect();
	const before = held();
	let peak = before;
	let sampling = true;
	const sampler = (async () => {
		while (sampling) {
			peak = Math.max(peak, held());
			await new Promise((resolve) => setTimeout(resolve, 2));
		}
	})();
	try {
		await runNode({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: { region: 'custom', baseUrl: url, accessToken: 'pat_bench' },
			parameters: operation.parameters,
			items,
		});
	} finally {
		sampling = false;
		await sampler;
	}
	return (peak - before) / SIZE;
}

async function main(): Promise<void> {
	if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc (npm run bench:memory does)');
	const { url, child } = await startSink();
	try {
		process.stdout.write(`Memory the node holds beyond its input while sending a ${SIZE / MB} MB binary (peak heap + Buffers, × file size; median of ${ROUNDS}; cwd ${path.relative(process.cwd(), REPO_ROOT) || '.'})\n`);
		for (const operation of OPERATIONS) {
			const ratios: number[] = [];
			for (let round = 0; round < ROUNDS; round++) ratios.push(await measure(url, operation));
			ratios.sort((a, b) => a - b);
			const median = ratios[Math.floor(ratios.length / 2)];
			process.stdout.write(`  ${operation.name.padEnd(30)} ${median.toFixed(2)}×  (min ${ratios[0].toFixed(2)}, max ${ratios[ratios.length - 1].toFixed(2)})\n`);
		}
	} finally {
		child.kill();
	}
}

void main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
		process.exit(1);
	},
);
