/**
 * Send Message's Conversation Key: one Coze conversation per key, remembered in the workflow's
 * static data between executions (the harness hands the static data from one run to the next as n8n
 * does through its database). The emulator's echo bot quotes the previous user message, so an
 * answer shows which conversation it ran in.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { scenarios } from '../emulator/scenarios';
import { runCozeWithState, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

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
		expect(chat?.query.conversation_id).toBeUndefined();
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
