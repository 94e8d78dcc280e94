/**
 * Send Message's Conversation Key: one Coze conversation per key, remembered in the workflow's
 * static data between executions (the harness hands the static data from one run to the next as n8n
 * does through its database). The emulator's echo bot quotes the previous user message, so an
 * answer shows which conversation it ran in.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { legacyDigest } from '../../nodes/CozeChat/actions/chat/conversationKeys';
import { scenarios } from '../emulator/scenarios';
import { runCozeWithState, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();
/** The id the harness gives its workflow. */
const WORKFLOW_ID = 'harness-workflow';

const bot = scenarios.memory.botId;
const turns = (...pairs: Array<[string, string]>): INodeExecutionData[] =>
	pairs.map(([sessionId, text]) => ({ json: { sessionId, text } }));
const keyed = (options: IDataObject = {}, extra: IDataObject = {}) =>
	sendMessage(bot, { message: '={{ $json.text }}', options: { conversationKey: '={{ $json.sessionId }}', ...options }, ...extra });
const answers = (items: INodeExecutionData[]) => items.map((i) => i.json.answer);

describe('Send Message with a Conversation Key', () => {
	it('continues each key\'s own conversation in the next execution, never another key\'s', async () => {
		const first = await runCozeWithState(emulator, keyed(), { items: turns(['alice', 'I am Alice'], ['bob', 'I am Bob']) });
		expect(answers(first.items)).toEqual([
			'Turn 1. You said: "I am Alice". This is the start of our conversation.',
			'Turn 1. You said: "I am Bob". This is the start of our conversation.',
		]);
		const [aliceConversation, bobConversation] = first.items.map((i) => i.json.conversation_id);
		expect(aliceConversation).not.toEqual(bobConversation);
		// n8n writes static data back only when its change tracking saw a change.
		expect(first.staticDataChanged).toBe(true);

		const second = await runCozeWithState(emulator, keyed(), {
			items: turns(['bob', 'Who am I?'], ['alice', 'Who am I?']),
			staticData: first.staticData,
		});
		expect(answers(second.items)).toEqual([
			'Turn 2. You said: "Who am I?". Before that you said: "I am Bob".',
			'Turn 2. You said: "Who am I?". Before that you said: "I am Alice".',
		]);
		expect(second.items.map((i) => i.json.conversation_id)).toEqual([bobConversation, aliceConversation]);
	});

	it('with Items in Parallel, items with the same key queue up in one conversation', async () => {
		const { items } = await runCozeWithState(emulator, keyed({ concurrency: 4 }), {
			items: turns(['a', 'one'], ['b', 'uno'], ['a', 'two'], ['b', 'dos']),
		});
		expect(answers(items)).toEqual([
			'Turn 1. You said: "one". This is the start of our conversation.',
			'Turn 1. You said: "uno". This is the start of our conversation.',
			'Turn 2. You said: "two". Before that you said: "one".',
			'Turn 2. You said: "dos". Before that you said: "uno".',
		]);
		expect(items[2].json.conversation_id).toBe(items[0].json.conversation_id);
		expect(items[3].json.conversation_id).toBe(items[1].json.conversation_id);
	});

	it('a key means the same conversation only with the same bot', async () => {
		const first = await runCozeWithState(emulator, keyed(), { items: turns(['carol', 'I am Carol']) });
		const other = await runCozeWithState(
			emulator,
			sendMessage(scenarios.plain.botId, { options: { conversationKey: '={{ $json.sessionId }}' } }),
			{ items: turns(['carol', 'ignored']), staticData: first.staticData },
		);
		expect(other.items[0].json.conversation_id).not.toBe(first.items[0].json.conversation_id);
		const chat = emulator.requestsTo('/v3/chat').pop();
		expect(chat?.query.conversation_id).toBe(other.items[0].json.conversation_id);
	});

	it('finds each key\'s conversation in Coze when the static data does not know it (queue mode, overwritten static data)', async () => {
		const first = await runCozeWithState(emulator, keyed(), { items: turns(['frank', 'I am Frank'], ['grace', 'I am Grace']) });
		// Each later execution starts with empty static data, as a queue-mode worker's does in n8n 2.41.1.
		const second = await runCozeWithState(emulator, keyed(), { items: turns(['grace', 'Who am I?'], ['frank', 'Who am I?']) });
		expect(answers(second.items)).toEqual([
			'Turn 2. You said: "Who am I?". Before that you said: "I am Grace".',
			'Turn 2. You said: "Who am I?". Before that you said: "I am Frank".',
		]);
		expect(second.items.map((i) => i.json.conversation_id)).toEqual([first.items[1].json.conversation_id, first.items[0].json.conversation_id]);
		// The conversation carries a digest of workflow, bot and key, never the key itself.
		const created = emulator.requestsTo('/v1/conversation/create').map((r) => r.body as { bot_id: string; meta_data: Record<string, string> });
		expect(created).toHaveLength(2);
		for (const body of created) {
			expect(body.bot_id).toBe(bot);
			expect(Object.keys(body.meta_data)).toEqual(['n8n_conversation_key']);
			expect(body.meta_data.n8n_conversation_key).toMatch(/^[0-9a-f]{64}$/);
		}
		expect(JSON.stringify(created)).not.toMatch(/frank|grace/);
	});

	it("the digest in Coze is keyed with the instance's secret, and a conversation an earlier build started (unkeyed digest) is still found", async () => {
		await runCozeWithState(emulator, keyed(), { items: turns(['mallory@example.com', 'I am Mallory']) });
		const [created] = emulator.requestsTo('/v1/conversation/create').map((r) => r.body as { meta_data: Record<string, string> });
		// Not the plain SHA-256 a guess list can be matched against.
		const digest = created.meta_data.n8n_conversation_key;
		expect(digest).toMatch(/^[0-9a-f]{64}$/);
		expect(digest).not.toBe(legacyDigest(WORKFLOW_ID, bot, 'mallory@example.com'));
		// An earlier build's conversation, carrying the unkeyed digest, is continued.
		const old = emulator.createConversation({ bot_id: bot, meta_data: { n8n_conversation_key: legacyDigest(WORKFLOW_ID, bot, 'oscar') } });
		const later = await runCozeWithState(emulator, keyed(), { items: turns(['oscar', 'Hello again']) });
		expect(later.items[0].json.conversation_id).toBe(old.id);
	});

	it('the static data holds digests only: three session ids of 512 KB keep it under 1 KB', async () => {
		const huge = ['x', 'y', 'z'].map((c) => c.repeat(512 * 1024));
		const { staticData, items } = await runCozeWithState(emulator, keyed(), { items: turns(...huge.map((id) => [id, 'hi'] as [string, string])) });
		expect(items).toHaveLength(3);
		expect(JSON.stringify(staticData).length).toBeLessThan(1024);
	});

	it('a key the static data knows costs no lookup; a new key reads at most 4 pages of the bot\'s conversations', async () => {
		const first = await runCozeWithState(emulator, keyed(), { items: turns(['heidi', 'I am Heidi']) });
		const lookups = emulator.requestsTo('/v1/conversations').length;
		await runCozeWithState(emulator, keyed(), { items: turns(['heidi', 'Who am I?']), staticData: first.staticData });
		expect(emulator.requestsTo('/v1/conversations')).toHaveLength(lookups);
		// 250 other conversations of the bot: a new key reads 4 pages (200), then starts one, then reads page 1 again.
		for (let i = 0; i < 250; i++) emulator.createConversation({ bot_id: bot });
		const before = emulator.requestsTo('/v1/conversations').length;
		await runCozeWithState(emulator, keyed(), { items: turns(['ivan', 'I am Ivan']) });
		const pages = emulator.requestsTo('/v1/conversations').slice(before).map((r) => r.query.page_num);
		expect(pages).toEqual(['1', '2', '3', '4', '1']);
	});

	it('two executions that start the same new key at the same moment settle on one conversation', async () => {
		const runs = await Promise.all(
			['first', 'second'].map((text) => runCozeWithState(emulator, keyed(), { items: turns(['judy', text]), continueOnFail: true })),
		);
		expect(emulator.requestsTo('/v1/conversation/create')).toHaveLength(2);
		// Both chats go to the older conversation. Coze runs one chat per conversation at a time, so
		// when they overlap there, the later one gets Coze's 4016 (docs/chat.md says so).
		const chats = emulator.requestsTo('/v3/chat').map((r) => r.query.conversation_id);
		expect(new Set(chats).size).toBe(1);
		const [conversation] = chats;
		for (const run of runs) {
			const json = run.items[0].json;
			if ('error' in json) expect(json.code).toBe(4016);
			else expect(json.conversation_id).toBe(conversation);
		}
		const third = await runCozeWithState(emulator, keyed(), { items: turns(['judy', 'third']) });
		expect(third.items[0].json.conversation_id).toBe(conversation);
	});

	it('an explicit Conversation ID wins, and the key map stays as it was', async () => {
		const first = await runCozeWithState(emulator, keyed(), { items: turns(['dave', 'I am Dave'], ['erin', 'I am Erin']) });
		const erinConversation = String(first.items[1].json.conversation_id);
		const second = await runCozeWithState(emulator, keyed({}, { conversationId: erinConversation }), {
			items: turns(['dave', 'Who am I?']),
			staticData: first.staticData,
		});
		expect(answers(second.items)).toEqual(['Turn 2. You said: "Who am I?". Before that you said: "I am Erin".']);
		expect(second.staticDataChanged).toBe(false);
		expect(second.staticData).toEqual(first.staticData);
	});

	it('without a key, the static data is not touched', async () => {
		const { staticDataChanged, staticData } = await runCozeWithState(emulator, sendMessage(bot), {});
		expect(staticDataChanged).toBe(false);
		expect(staticData).toEqual({});
	});
});
