/**
 * `npm run bench`: throughput of the stream path, measured side by side in one run (ratios, not
 * absolute numbers, are what to compare across these shared machines).
 *
 * 1. bytes → events → answer for a 10k-delta stream: this package's pipeline vs. a naive reader
 *    (string concatenation of the buffer, split per line, JSON.parse, answer += delta).
 * 2. parseJsonExact vs JSON.parse on Coze payloads (the price of exact 19-digit ids).
 * 3. a batch job: Send Message for 24 items, one at a time vs. "Items in Parallel" = 8, through
 *    n8n-core's execution engine against the emulator's 250 ms bot (a stand-in for model latency).
 */
import { ChatAggregator } from '../../nodes/CozeChat/chat/aggregate';
import { parseJsonExact } from '../../nodes/CozeChat/chat/json';
import { readSseEvents } from '../../nodes/CozeChat/chat/sse';
import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { runNode } from '../harness';
import { EMULATOR_TOKEN, startEmulator } from '../emulator/server';
import { scenarios, standaloneContext } from '../emulator/scenarios';
import { FRAMINGS, renderChunks } from '../emulator/sse';

async function* fromChunks(chunks: Buffer[]): AsyncGenerator<Uint8Array> {
	for (const chunk of chunks) yield chunk;
}

async function ours(chunks: Buffer[]): Promise<string> {
	const aggregator = new ChatAggregator();
	for await (const event of readSseEvents(fromChunks(chunks))) aggregator.push(event);
	return aggregator.result().answer;
}

/** What a quick hand-written client does: good enough for small answers, quadratic for long ones. */
async function naive(chunks: Buffer[]): Promise<string> {
	let buffer = '';
	let answer = '';
	let event = '';
	for await (const chunk of fromChunks(chunks)) {
		buffer += Buffer.from(chunk).toString('utf8');
		let index: number;
		while ((index = buffer.indexOf('\n')) >= 0) {
			const line = buffer.slice(0, index).replace(/\r$/, '');
			buffer = buffer.slice(index + 1);
			if (line.startsWith('event:')) event = line.slice(6).trim();
			else if (line.startsWith('data:') && event === 'conversation.message.delta') {
				const data = JSON.parse(line.slice(5)) as { type?: string; content?: string };
				if (data.type === 'answer') answer += data.content ?? '';
			}
		}
	}
	return answer;
}

async function measure(label: string, fn: () => Promise<unknown> | unknown, minMs = 1500): Promise<number> {
	await fn(); // warm-up
	let runs = 0;
	const started = performance.now();
	while (performance.now() - started < minMs) {
		await fn();
		runs++;
	}
	const perRun = (performance.now() - started) / runs;
	process.stdout.write(`  ${label.padEnd(52)} ${perRun.toFixed(2).padStart(9)} ms/run  (${runs} runs)\n`);
	return perRun;
}

async function main(): Promise<void> {
	const transcript = scenarios.long.build(standaloneContext(scenarios.long.botId));
	process.stdout.write(`\n1) 10k-delta stream (${transcript.events.length} events), bytes → answer\n`);
	for (const [name, chunkSize] of [['one write per event', 0], ['1 KiB network chunks', 1024]] as const) {
		const chunks = renderChunks(transcript.events, { ...FRAMINGS.real, chunkSize });
		const bytes = chunks.reduce((n, c) => n + c.length, 0);
		if ((await ours(chunks)) !== transcript.expected.answer) throw new Error('ours: wrong answer');
		process.stdout.write(` ${name} (${(bytes / 1024).toFixed(0)} KiB):\n`);
		const a = await measure('n8n-nodes-coze (eventsource-parser + aggregator)', () => ours(chunks));
		const b = await measure('naive reader (string buffer + JSON.parse)', () => naive(chunks));
		process.stdout.write(`  ratio naive / ours: ${(b / a).toFixed(2)}x\n`);
	}

	process.stdout.write('\n2) JSON parsing of Coze payloads\n');
	const payloads = scenarios.toolCall
		.build(standaloneContext(scenarios.toolCall.botId))
		.events.map((e) => (typeof e.data === 'string' ? e.data : JSON.stringify(e.data)))
		.filter((d) => d.startsWith('{'));
	const withBigInts = payloads.map((p) => p.replace(/"(\d{19})"/g, '$1'));
	const a = await measure('JSON.parse (rounds 19-digit ids)', () => withBigInts.forEach((p) => JSON.parse(p)));
	const b = await measure('parseJsonExact (keeps them exact)', () => withBigInts.forEach((p) => parseJsonExact(p)));
	process.stdout.write(`  ratio parseJsonExact / JSON.parse: ${(b / a).toFixed(2)}x\n`);

	process.stdout.write('\n3) batch of 24 items, Send Message to a bot that takes 250 ms\n');
	const emulator = await startEmulator();
	try {
		const items = Array.from({ length: 24 }, (_, i) => ({ json: { q: `question ${i}` } }));
		const batch = (concurrency: number) => async () => {
			const { items: out } = await runNode({
				node: new CozeChat(),
				credentialType: new CozeApi(),
				credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
				parameters: {
					resource: 'chat',
					operation: 'sendMessage',
					botId: { __rl: true, mode: 'id', value: scenarios.latency.botId },
					userId: 'bench',
					message: '={{ $json.q }}',
					options: { concurrency },
				},
				items,
			});
			if (out.length !== items.length || out.some((o, i) => o.json.answer !== `Answer to: question ${i}`)) {
				throw new Error('wrong batch output');
			}
		};
		const sequential = await measure('one item at a time', batch(1), 1);
		const parallel = await measure('Items in Parallel = 8', batch(8), 1);
		process.stdout.write(`  ratio sequential / parallel: ${(sequential / parallel).toFixed(2)}x\n\n`);
	} finally {
		await emulator.stop();
	}
}

void main();
