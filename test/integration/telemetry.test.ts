/**
 * What the node reports to n8n's execution data besides its items, in n8n-core's real execution
 * context: the tokens Coze counted (accumulateTokenUsage → metadata.tokenUsage, which n8n 2.x adds
 * up per execution) and the ids for the node's trace span (metadata.tracing). The e2e suite reads
 * the same from real n8n's run data.
 */
import { scenarios } from '../emulator/scenarios';
import { runCozeWithState, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

describe('Telemetry in the execution metadata', () => {
	it("adds every item's Coze usage to n8n's token total and puts the chat ids on the span", async () => {
		const run = await runCozeWithState(emulator, sendMessage(scenarios.plain.botId, { options: { itemsInParallel: 3 } }), {
			items: [{ json: {} }, { json: {} }, { json: {} }],
		});
		expect(run.items).toHaveLength(3);
		// The plain bot's usage: input_count 614, output_count 19 per chat.
		expect(run.metadata?.tokenUsage).toEqual({ inputTokens: 3 * 614, outputTokens: 3 * 19 });
		const tracing = run.metadata?.tracing ?? {};
		expect(tracing).toMatchObject({
			'coze.operation': 'chat.sendMessage',
			'coze.items': 3,
			'coze.items_failed': 0,
			'coze.input_tokens': 3 * 614,
			'coze.output_tokens': 3 * 19,
		});
		expect(String(tracing['coze.chat_id']).split(',').sort()).toEqual(run.items.map((item) => item.json.chat_id as string).sort());
		expect(String(tracing['coze.chat_id'])).toMatch(/^(\d{19},){2}\d{19}$/);
	});

	it("counts a failed item's logid (what Coze support asks for) and not its tokens", async () => {
		const run = await runCozeWithState(
			emulator,
			sendMessage('', { botId: { __rl: true, mode: 'id', value: '={{ $json.bot }}' } }),
			{ continueOnFail: true, items: [{ json: { bot: scenarios.plain.botId } }, { json: { bot: scenarios.failedChat.botId } }] },
		);
		expect(run.items[1].json.logid).toEqual(expect.any(String));
		expect(run.metadata?.tokenUsage).toEqual({ inputTokens: 614, outputTokens: 19 });
		expect(run.metadata?.tracing).toMatchObject({ 'coze.items': 1, 'coze.items_failed': 1, 'coze.logid': run.items[1].json.logid });
	});

	it('does not count the tokens of a turn it only reads back (Retrieve)', async () => {
		const [sent] = (await runCozeWithState(emulator, sendMessage(scenarios.followUps.botId))).items;
		const read = await runCozeWithState(emulator, {
			resource: 'chat',
			operation: 'retrieve',
			conversationId: sent.json.conversation_id as string,
			chatId: sent.json.chat_id as string,
			options: {},
		});
		expect(read.items[0].json.usage).toBeDefined();
		expect(read.metadata?.tokenUsage).toBeUndefined();
		expect(read.metadata?.tracing).toMatchObject({ 'coze.operation': 'chat.retrieve', 'coze.items': 1, 'coze.conversation_id': sent.json.conversation_id });
	});
});
