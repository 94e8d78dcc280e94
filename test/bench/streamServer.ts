/**
 * The benchmark's Coze: a server in a process of its own (so the client's CPU is measured alone)
 * that answers POST /v3/chat with prerendered streams, chosen by bot id:
 *  - BIG:    20,004 events (19,999 answer deltas), ~5.7 MB, written at once;
 *  - TINY:   a 3-event answer (chat.created, message.completed, chat.completed) plus done;
 *  - SLOW:   TINY after 300 ms (a model's latency);
 *  - STORMY: SLOW, but every 5th request is refused as "too many" (HTTP 429 or code 4013 in turn).
 * GET /stats tells how many chats it created and refused. Prints `{"url": …}` on its first line.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export const BOTS = { big: '7499000000000000001', tiny: '7499000000000000002', slow: '7499000000000000003', stormy: '7499000000000000004' };
export const TOKEN = 'pat_bench_0123456789abcdefghijklmnopqrstuvwxyz';
export const BIG_DELTAS = 19_999;

let nextId = 7_499_100_000_000_000_000n;
const id = () => String(nextId++);

function event(name: string, data: unknown): string {
	return `event:${name}\ndata:${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** The events of one answer: `deltas` pieces of text, or one whole message when 0. */
export function renderAnswer(deltas: number, chatId = id()): { body: string; answer: string } {
	const ids = { conversation_id: '7499200000000000001', bot_id: BOTS.big, section_id: '7499200000000000002' };
	const chat = { id: chatId, ...ids, created_at: 1718792949, last_error: { code: 0, msg: '' }, usage: { token_count: 0, output_count: 0, input_count: 0 } };
	const message = { id: '7499300000000000001', ...ids, chat_id: chatId, role: 'assistant', type: 'answer', content_type: 'text' };
	const parts: string[] = [event('conversation.chat.created', { ...chat, status: 'created' })];
	const pieces: string[] = [];
	if (deltas > 0) {
		parts.push(event('conversation.chat.in_progress', { ...chat, status: 'in_progress' }));
		for (let i = 0; i < deltas; i++) {
			const piece = i % 10 === 9 ? '字。' : `w${i} `;
			pieces.push(piece);
			parts.push(event('conversation.message.delta', { ...message, content: piece }));
		}
	} else {
		pieces.push('2024 年 10 月 1 日是星期二。');
	}
	const answer = pieces.join('');
	parts.push(event('conversation.message.completed', { ...message, content: answer, created_at: 1718792950 }));
	parts.push(event('conversation.chat.completed', { ...chat, status: 'completed', completed_at: 1718792951, usage: { token_count: 633, output_count: 19, input_count: 614 } }));
	parts.push(event('done', '"[DONE]"'));
	return { body: parts.join(''), answer };
}

async function main(): Promise<void> {
	const big = Buffer.from(renderAnswer(BIG_DELTAS, '7499000000000009999').body, 'utf8');
	const stats = { created: 0, refused: 0, stormy: 0, chatIds: new Set<string>() };
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			if (req.method === 'GET' && req.url === '/stats') {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ created: stats.created, refused: stats.refused, distinct: stats.chatIds.size }));
				return;
			}
			if (req.headers.authorization !== `Bearer ${TOKEN}`) {
				res.writeHead(401, { 'Content-Type': 'application/json' });
				res.end('{"code":4100,"msg":"authentication is invalid"}');
				return;
			}
			const botId = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { bot_id?: string }).bot_id;
			const send = (body: Buffer | string) => {
				res.writeHead(200, { 'Content-Type': 'text/event-stream', 'x-tt-logid': 'bench' });
				res.end(body);
			};
			const answerOnce = () => {
				const chatId = id();
				stats.created++;
				stats.chatIds.add(chatId);
				send(renderAnswer(0, chatId).body);
			};
			if (botId === BOTS.big) return send(big);
			if (botId === BOTS.tiny) return answerOnce();
			if (botId === BOTS.stormy && ++stats.stormy % 5 === 0) {
				stats.refused++;
				if (stats.refused % 2 === 1) {
					res.writeHead(429, { 'Content-Type': 'application/json' });
					res.end('{"code":4013,"msg":"Too Many Requests"}');
				} else {
					res.writeHead(200, { 'Content-Type': 'application/json' });
					res.end('{"code":4013,"msg":"The request is too frequent. Please try again later.","detail":{"logid":"bench"}}');
				}
				return;
			}
			if (botId === BOTS.slow || botId === BOTS.stormy) return void setTimeout(answerOnce, 300);
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(`{"code":4200,"msg":"no bot ${String(botId)}"}`);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
	const stop = () => server.close(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.stdin.on('end', stop);
	process.stdin.resume();
}

// Started as a process of its own (test/tools/run-ts.js puts the bundled file in argv[1]).
if (/streamServer\.js$/.test(process.argv[1] ?? '')) void main();
