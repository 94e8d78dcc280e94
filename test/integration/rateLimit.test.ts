/**
 * Rate limits (issue 10): a request Coze rejected as "too many" (HTTP 429 or code 4013) created
 * nothing, so the node sends it again after a backoff; nothing ambiguous is ever resent.
 */

import { on, rateLimitEvery, serverSide } from '../emulator/hostile';
import { scenarios } from '../emulator/scenarios';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

const chatPosts = () => emulator.requestsTo('/v3/chat');

describe('rate-limited requests are sent again', () => {
	it.each(['429', '4013'] as const)('a %s on POST /v3/chat: resent after Retry-After, one chat created', async (kind) => {
		const before = emulator.chatIds.length;
		emulator.routes.push(rateLimitEvery(1, on('POST', '/v3/chat', () => chatPosts().length === 1), kind, { retryAfterSeconds: 1 }));
		const started = Date.now();
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
		expect(item.json.answer).toBe('2024 年 10 月 1 日是星期二。');
		expect(chatPosts()).toHaveLength(2);
		expect(emulator.chatIds.length - before).toBe(1);
		expect(Date.now() - started).toBeGreaterThanOrEqual(900); // Retry-After was honoured
	});

	it('with Retry When Rate Limited off, the item fails and says so', async () => {
		emulator.routes.push(rateLimitEvery(1, on('POST', '/v3/chat'), '4013'));
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { retryRateLimit: false } })));
		expect(error.message).toContain('Coze error 4013');
		expect(error.message).toContain('rate-limited this item 1 time; Retry When Rate Limited is off');
		expect(chatPosts()).toHaveLength(1);
	});

	it('gives up when the next try would pass the Timeout, and says how often it was limited', async () => {
		emulator.routes.push(rateLimitEvery(1, on('POST', '/v3/chat'), '429', { retryAfterSeconds: 30 }));
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { timeout: 5 } })));
		expect(error.message).toContain("would pass the item's Timeout");
		expect(error.message).toContain('rate-limited this item 1 time');
		expect(chatPosts()).toHaveLength(1); // it did not wait 30 s for a try it could not make
	});

	it('a 4013 on an idempotent read (retrieve, non-stream mode) is retried too', async () => {
		emulator.routes.push(rateLimitEvery(1, on('GET', '/v3/chat/retrieve', () => emulator.requestsTo('/v3/chat/retrieve').length === 1), '4013', { retryAfterSeconds: 0 }));
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { stream: false, pollInterval: 0.1 } }));
		expect(item.json.answer).toBe('2024 年 10 月 1 日是星期二。');
	});

	it('a batch through a storm of rejections: every item answered, no chat created twice', async () => {
		const before = emulator.chatIds.length;
		const seen = serverSide();
		let n = 0;
		// Every 5th chat POST is refused, alternately with HTTP 429 and with code 4013.
		emulator.routes.push(rateLimitEvery(5, on('POST', '/v3/chat', () => n++ % 10 < 5), '429', { retryAfterSeconds: 0 }, seen));
		emulator.routes.push(rateLimitEvery(5, on('POST', '/v3/chat'), '4013', {}, seen));
		const items = Array.from({ length: 40 }, (_, i) => ({ json: { question: `Question ${i}` } }));
		const out = await runCoze(
			emulator,
			sendMessage(scenarios.plain.botId, { message: '={{ $json.question }}', options: { concurrency: 10 } }),
			{ items },
		);
		expect(out).toHaveLength(40);
		out.forEach((item) => expect(item.json.answer).toBe('2024 年 10 月 1 日是星期二。'));
		expect(seen.hits).toBeGreaterThanOrEqual(5);
		const created = emulator.chatIds.length - before;
		expect(created).toBe(40);
		expect(new Set(out.map((item) => item.json.chat_id)).size).toBe(40);
		expect(chatPosts()).toHaveLength(40 + seen.hits);
		const questions = chatPosts()
			.filter((r) => r.body && (r.body as { stream?: boolean }).stream)
			.map((r) => (r.body as { additional_messages: Array<{ content: string }> }).additional_messages[0].content);
		expect(new Set(questions).size).toBe(40);
	});
});
