/**
 * How a chat stream ends, and what its events carry: `done` ends the read whatever follows it, a
 * stream cut in the middle of an event is recovered whether the cut was clean or a reset, and ids
 * sent as bare 19-digit numbers stay exact. The node runs in n8n-core's engine over real sockets.
 */
import { scenarios, standaloneContext } from '../emulator/scenarios';
import { heartbeatsAfterDone, on, serverSide } from '../emulator/hostile';
import { useEmulator } from './emulatorSetup';
import { rejectionOf, runCoze, sendMessage } from './helpers';

const emulator = useEmulator();

async function until(check: () => boolean, withinMs = 5000): Promise<boolean> {
	for (let waited = 0; waited < withinMs; waited += 20) {
		if (check()) return true;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	return check();
}

describe('the end of a stream', () => {
	it.each([8, 0])('heartbeats after `done` do not hold the item (Timeout %i)', async (timeout) => {
		const seen = serverSide();
		emulator.publicRoutes.push(heartbeatsAfterDone(on('POST', '/v3/chat'), seen));
		const started = Date.now();
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { timeout } }));
		expect(item.json).toMatchObject({ answer: '2024 年 10 月 1 日是星期二。', status: 'completed' });
		// The node closed the connection itself, long before the Timeout (or with none at all).
		expect(await until(() => seen.closedAt.length === 1)).toBe(true);
		expect(seen.closedAt[0] - started).toBeLessThan(4000);
	});

	it('heartbeats after a terminal chat event without `done` end within the tail allowance', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push(heartbeatsAfterDone(on('POST', '/v3/chat'), seen, { withoutDone: true }));
		const started = Date.now();
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { timeout: 0 } }));
		expect(item.json).toMatchObject({ answer: '2024 年 10 月 1 日是星期二。', status: 'completed' });
		expect(await until(() => seen.closedAt.length === 1)).toBe(true);
		expect(seen.closedAt[0] - started).toBeLessThan(8000);
	});
});

describe('a stream cut in the middle of an event', () => {
	it.each([
		['a clean end of the response', scenarios.cutMidEventEof],
		['a connection reset', scenarios.cutMidEventReset],
	])('after %s, the answer is recovered from the chat (never "malformed event")', async (_how, scenario) => {
		const [item] = await runCoze(emulator, sendMessage(scenario.botId, { options: { pollInterval: 0.1 } }));
		expect(item.json).toMatchObject({ answer: scenario.build(standaloneContext(scenario.botId)).expected.answer, status: 'completed' });
		expect(emulator.requestsTo('/v3/chat')).toHaveLength(1); // never sent twice
		expect(emulator.requestsTo('/v3/chat/retrieve').length).toBeGreaterThan(0);
	});

	it('with Auto Save History off, it is a clear error either way', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.cutMidEventEof.botId, { options: { autoSaveHistory: false } })));
		expect(error.message).toContain('in the middle of an event');
		expect(error.message).not.toContain('malformed');
	});
});

describe('ids sent as bare JSON numbers', () => {
	it('stay exact: the answer is assembled, and the ids find the chat again', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.numericIds.botId));
		expect(item.json).toMatchObject({ answer: 'Ids as numbers.', status: 'completed' });
		expect(item.json.chat_id).toMatch(/^\d{19}$/);
		// The emulator only knows the exact ids: a rounded one is "not found".
		const [retrieved] = await runCoze(emulator, {
			resource: 'chat',
			operation: 'retrieve',
			conversationId: String(item.json.conversation_id),
			chatId: String(item.json.chat_id),
			options: {},
		});
		expect(retrieved.json).toMatchObject({ id: item.json.chat_id, status: 'completed', answer: 'Ids as numbers.' });
	});
});
