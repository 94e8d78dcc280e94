/**
 * Live streaming in real n8n (each pinned version): a published Webhook (v2.1, Respond = Streaming) → Coze Chat (a bot
 * that takes 3 s) → Respond to Webhook. The HTTP caller must get the answer's NDJSON `item` chunks
 * while the bot is still answering, and the node's output must still hold the full answer.
 */
import * as path from 'path';

import { chatEchoingToken, on, streamFromToken } from '../emulator/hostile';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { scenarios } from '../emulator/scenarios';
import { N8nInstance, REPO_ROOT, TARGETS, freePort, log, packPackage, timed } from './n8n';
import { emulatorCredential, streamingWebhookWorkflow } from './workflows';


interface Chunk {
	type: string;
	content?: string;
	metadata?: { nodeName?: string };
	at: number;
}

/** The bot whose server echoes the token. */
const ECHO_BOT = '7499990000000000010';

describe.each(TARGETS.map((t) => [t.n8n, t] as const))('live streaming in n8n %s', (_version, target) => {
	let emulator: CozeEmulator;
	let n8n: N8nInstance;
	let port: number;

	beforeAll(async () => {
		emulator = await startEmulator();
		n8n = new N8nInstance(target);
		n8n.installPackage(packPackage(path.join(REPO_ROOT, '.e2e-tmp', 'streaming')));
		await n8n.importCredentials([emulatorCredential(emulator.url, EMULATOR_TOKEN)]);
		// A bot whose server spells the caller's token out across its answer deltas.
		emulator.publicRoutes.push(streamFromToken(on('POST', '/v3/chat', (request) => (request.body as { bot_id?: string }).bot_id === ECHO_BOT), chatEchoingToken));
		await n8n.importWorkflows([
			streamingWebhookWorkflow('coze-stream'),
			streamingWebhookWorkflow('coze-echo', { id: 'cozeE2eStreaming2', botId: ECHO_BOT }),
		]);
		// 2.x publishes workflows; 1.x activates them.
		for (const id of ['cozeE2eStreaming1', 'cozeE2eStreaming2']) {
			const published = await n8n.cli(target.n8n.startsWith('1.') ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`]);
			if (published.code !== 0) throw new Error(`publish failed:\n${published.stdout}\n${published.stderr}`);
		}
		port = await freePort();
		await timed(`${target.name}: n8n start (streaming test)`, () => n8n.start(port));
	});

	afterAll(async () => {
		await n8n?.dispose();
		await emulator?.stop();
	});

	/** POSTs to a streaming webhook and collects its NDJSON chunks, each with when it arrived. */
	async function streamed(path: string): Promise<Chunk[]> {
		// n8n reports ready before it has activated the workflows (1.x): a 404 means "not yet".
		let sent = Date.now();
		let response: Response;
		for (let attempt = 0; ; attempt++) {
			sent = Date.now();
			response = await fetch(`http://127.0.0.1:${port}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ message: 'Count to ten slowly' }),
			});
			if (response.status !== 404 || attempt >= 60) break;
			await response.text();
			await new Promise((r) => setTimeout(r, 500));
		}
		expect(response.status).toBe(200);
		const chunks: Chunk[] = [];
		const decoder = new TextDecoder();
		let buffer = '';
		for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
			buffer += decoder.decode(bytes, { stream: true });
			let newline: number;
			while ((newline = buffer.indexOf('\n')) >= 0) {
				const line = buffer.slice(0, newline).trim();
				buffer = buffer.slice(newline + 1);
				if (line) chunks.push({ ...(JSON.parse(line) as Omit<Chunk, 'at'>), at: Date.now() - sent });
			}
		}
		return chunks;
	}

	it('a token the server echoes into the answer reaches the HTTP caller redacted, in every chunk', async () => {
		const chunks = await streamed('coze-echo');
		const text = chunks.map((c) => c.content ?? '').join('');
		expect(text).not.toContain(EMULATOR_TOKEN);
		for (const piece of [EMULATOR_TOKEN.slice(0, 12), EMULATOR_TOKEN.slice(-12)]) expect(text).not.toContain(piece);
		const fromCoze = chunks.filter((c) => c.metadata?.nodeName === 'Ask Slow Bot' && c.type === 'item');
		expect(fromCoze.map((c) => c.content).join('')).toBe('Your token is [redacted].');
	});

	it('delivers answer chunks before the stream ends, and the full answer as node output', async () => {
		const chunks = await streamed('coze-stream');
		const fromCoze = chunks.filter((c) => c.metadata?.nodeName === 'Ask Slow Bot');
		const items = fromCoze.filter((c) => c.type === 'item');
		log(`${target.name} streaming: ${items.length} item chunks from Coze Chat, first at ${items[0]?.at} ms, last at ${items[items.length - 1]?.at} ms`);
		expect(fromCoze[0].type).toBe('begin');
		expect(fromCoze[fromCoze.length - 1].type).toBe('end');
		const expected = scenarios.slow.build({ chatId: '1', conversationId: '1', sectionId: '1', botId: scenarios.slow.botId, userMessage: '', history: [], createdAt: 0 }).expected.answer;
		expect(items.map((c) => c.content).join('')).toBe(expected);
		expect(items.length).toBeGreaterThanOrEqual(10);
		// The bot spends 300 ms per piece: the first piece must arrive long before the last.
		expect(items[items.length - 1].at - items[0].at).toBeGreaterThan(2000);
		// The node's output (read by Respond to Webhook) holds the whole answer.
		const final = chunks.filter((c) => c.metadata?.nodeName === 'Respond to Webhook' && c.type === 'item');
		expect(final.map((c) => c.content).join('')).toBe(`FULL ANSWER: ${expected}`);
	});
});
