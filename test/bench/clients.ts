/**
 * The stream row's two reference clients, each reading the benchmark's prerendered answer stream:
 *   sdk   – @coze/api 1.3.9 (Coze's Node SDK) iterating the stream;
 *   floor – eventsource-parser + JSON.parse of each event + string concatenation, over node:http.
 * Run as a program under the Node that n8n runs on (bench.ts does), it prints what `count`
 * streams cost after `warmUp` unmeasured ones: argv <url> <sdk|floor> <count> <warmUp>; prints
 * {"perStreamMs": …, "cpuPerStreamMs": …}.
 */
import * as http from 'http';
import * as path from 'path';

import { CozeAPI } from '@coze/api';
import { createParser } from 'eventsource-parser';

import { BIG_DELTAS, BOTS, TOKEN, renderAnswer } from './streamServer';

export const expectedBig = renderAnswer(BIG_DELTAS).answer;

export async function viaSdk(url: string): Promise<string> {
	const client = new CozeAPI({ token: TOKEN, baseURL: url });
	let answer = '';
	for await (const event of client.chat.stream({ bot_id: BOTS.big, user_id: 'bench', additional_messages: [{ role: 'user' as never, content: 'Tell me a long story', content_type: 'text' }] })) {
		if (event.event === 'conversation.message.delta') answer += (event.data as { content: string }).content;
	}
	return answer;
}

export async function viaFloor(url: string): Promise<string> {
	return await new Promise((resolve, reject) => {
		const body = JSON.stringify({ bot_id: BOTS.big, user_id: 'bench', stream: true, additional_messages: [{ role: 'user', content: 'Tell me a long story', content_type: 'text' }] });
		const req = http.request(`${url}/v3/chat`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' } }, (res) => {
			const decoder = new TextDecoder();
			let answer = '';
			const parser = createParser({
				onEvent: (event) => {
					if (event.data.startsWith('"')) return; // done
					const data = JSON.parse(event.data) as { content?: string };
					if (event.event === 'conversation.message.delta') answer += data.content;
				},
			});
			res.on('data', (chunk: Buffer) => parser.feed(decoder.decode(chunk, { stream: true })));
			res.on('end', () => resolve(answer));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}


async function main(): Promise<void> {
	const [url, which, count, warmUp] = process.argv.slice(2);
	const client = which === 'sdk' ? viaSdk : viaFloor;
	for (let i = 0; i < Number(warmUp); i++) await client(url);
	const cpu = process.cpuUsage();
	const started = performance.now();
	for (let i = 0; i < Number(count); i++) {
		if ((await client(url)) !== expectedBig) throw new Error(`${which}: wrong answer`);
	}
	const used = process.cpuUsage(cpu);
	process.stdout.write(`${JSON.stringify({ perStreamMs: (performance.now() - started) / Number(count), cpuPerStreamMs: (used.user + used.system) / 1000 / Number(count) })}\n`);
}

// Run as a program (not when bench.ts bundles it in): test/tools/run-ts.js puts the bundle in argv[1].
if (process.argv[1]?.endsWith(`${path.sep}clients.js`)) void main();
