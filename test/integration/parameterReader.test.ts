/**
 * The input owner (boundaries/parameters.ts): every user parameter becomes a typed value or an
 * error naming the field — per item, so with Continue On Fail every item yields its answer or its
 * error item at any parallelism, and objects from expressions are sent as JSON, never
 * "[object Object]". The node runs in n8n-core's engine over real sockets.
 */
import { scenarios } from '../emulator/scenarios';
import { useEmulator } from './emulatorSetup';
import { rejectionOf, runCoze, sendMessage } from './helpers';

const emulator = useEmulator();

const items = [{ json: { city: 'Hangzhou' } }, { json: {} }, { json: { city: 'Kyoto' } }];
/** Fails for the second item only: its expression refers to a node that does not exist. */
const failingForItem1 = '={{ $json.city ? "" : $("No Such Node").item.json.x }}';

describe('Continue On Fail at any parallelism', () => {
	it.each([1, 3])('Items in Parallel %i: an item whose expression fails yields its error item; the others are answered', async (concurrency) => {
		const output = await runCoze(
			emulator,
			sendMessage(scenarios.plain.botId, { conversationId: failingForItem1, options: { concurrency } }),
			{ items, continueOnFail: true },
		);
		expect(output).toHaveLength(3);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.status).toBe('completed');
		expect(output[1].json.error).toMatch(/^Conversation ID: /);
		expect(output[2].json.status).toBe('completed');
		expect(emulator.requestsTo('/v3/chat')).toHaveLength(2);
	});

	it('without Continue On Fail the node fails with that item\'s error, and with parallel items no chat is started', async () => {
		const error = await rejectionOf(
			runCoze(emulator, sendMessage(scenarios.plain.botId, { conversationId: failingForItem1, options: { concurrency: 3 } }), { items }),
		);
		expect(error.message).toMatch(/^Conversation ID: /);
		expect(emulator.requestsTo('/v3/chat')).toHaveLength(0);
	});
});

describe('Items in Parallel that is not a number', () => {
	it('is a parameter error for every item, never zero output items', async () => {
		const output = await runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { concurrency: 'all' } }), { items, continueOnFail: true });
		expect(output).toHaveLength(3);
		for (const item of output) expect(String(item.json.error)).toContain("Options → Items in Parallel: 'all' is not a number (expected a whole number, from 1 to 20)");
		expect(emulator.requestsTo('/v3/chat')).toHaveLength(0);
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { concurrency: '={{ "all" }}' } }), { items }));
		expect(error.message).toContain('Options → Items in Parallel');
	});
});

describe('objects from expressions', () => {
	it('are sent as JSON where Coze takes text: Message, custom variables, metadata', async () => {
		await runCoze(
			emulator,
			sendMessage(scenarios.plain.botId, {
				message: '={{ $json }}',
				options: {
					customVariables: { entries: [{ key: 'profile', value: '={{ $json }}' }] },
					metaData: { entries: [{ key: 'source', value: '={{ { crm: $json.city } }}' }] },
				},
			}),
			{ items: [{ json: { city: 'Hangzhou', days: 3 } }] },
		);
		const [post] = emulator.requestsTo('/v3/chat');
		const body = post.body as { additional_messages: Array<{ content: string }>; custom_variables: Record<string, string>; meta_data: Record<string, string> };
		expect(body.additional_messages.at(-1)?.content).toBe('{"city":"Hangzhou","days":3}');
		expect(body.custom_variables).toEqual({ profile: '{"city":"Hangzhou","days":3}' });
		expect(body.meta_data).toEqual({ source: '{"crm":"Hangzhou"}' });
		expect(JSON.stringify(post.body)).not.toContain('[object Object]');
	});
});
