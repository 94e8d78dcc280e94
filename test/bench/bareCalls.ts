/**
 * The baseline of the per-item row: a bare HTTP call + parse, as a client without n8n would do it
 * (a new connection per request, like n8n's own agent), run under the same Node as n8n.
 * argv: <url> <count> <bot id> <token>; prints {"perCallMs": …}.
 */
import * as http from 'http';

import { createParser } from 'eventsource-parser';

async function call(url: string, botId: string, token: string): Promise<string> {
	return await new Promise((resolve, reject) => {
		const body = JSON.stringify({ bot_id: botId, user_id: 'bench', stream: true, additional_messages: [{ role: 'user', content: 'hi', content_type: 'text' }] });
		const req = http.request(`${url}/v3/chat`, { method: 'POST', agent: false, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' } }, (res) => {
			const decoder = new TextDecoder();
			let answer = '';
			const parser = createParser({
				onEvent: (event) => {
					if (event.event === 'conversation.message.completed') answer = (JSON.parse(event.data) as { content: string }).content;
					else if (event.event !== 'done') JSON.parse(event.data);
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
	const [url, count, botId, token] = process.argv.slice(2);
	for (let i = 0; i < 20; i++) await call(url, botId, token); // warm-up
	const started = performance.now();
	for (let i = 0; i < Number(count); i++) await call(url, botId, token);
	process.stdout.write(`${JSON.stringify({ perCallMs: (performance.now() - started) / Number(count) })}\n`);
}

void main();
