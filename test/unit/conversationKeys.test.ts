import type { IDataObject } from 'n8n-workflow';

import {
	MAX_CONVERSATION_KEYS,
	findConversation,
	keyDigest,
	oldestKeyedConversation,
	rememberConversation,
} from '../../nodes/CozeChat/actions/chat/conversationKeys';

describe('conversation key map', () => {
	it('forgets the least recently used keys beyond its bound', () => {
		const data: IDataObject = {};
		for (const key of ['k1', 'k2', 'k3']) rememberConversation(data, 'bot', key, `c-${key}`, 3);
		rememberConversation(data, 'bot', 'k1', 'c-k1', 3); // used again: now the most recent
		rememberConversation(data, 'bot', 'k4', 'c-k4', 3);
		expect(findConversation(data, 'bot', 'k2')).toBeUndefined();
		expect(['k1', 'k3', 'k4'].map((k) => findConversation(data, 'bot', k))).toEqual(['c-k1', 'c-k3', 'c-k4']);
	});

	it('holds at most MAX_CONVERSATION_KEYS keys by default', () => {
		const data: IDataObject = {};
		for (let i = 0; i <= MAX_CONVERSATION_KEYS; i++) rememberConversation(data, 'bot', `k${i}`, `c${i}`);
		expect((data.conversationsByKey as unknown[]).length).toBe(MAX_CONVERSATION_KEYS);
		expect(findConversation(data, 'bot', 'k0')).toBeUndefined();
		expect(findConversation(data, 'bot', `k${MAX_CONVERSATION_KEYS}`)).toBe(`c${MAX_CONVERSATION_KEYS}`);
	});

	it('keeps keys of different bots apart and survives a JSON round trip (n8n\'s database)', () => {
		const data: IDataObject = {};
		rememberConversation(data, 'bot-a', '42', 'conv-a');
		rememberConversation(data, 'bot-b', '42', 'conv-b');
		const reloaded = JSON.parse(JSON.stringify(data)) as IDataObject;
		expect(findConversation(reloaded, 'bot-a', '42')).toBe('conv-a');
		expect(findConversation(reloaded, 'bot-b', '42')).toBe('conv-b');
		expect(findConversation(reloaded, 'bot-c', '42')).toBeUndefined();
	});

	it('ignores malformed stored data instead of failing', () => {
		const data: IDataObject = { conversationsByKey: [['bot\nk', 7], 'junk', null] as unknown as IDataObject[] };
		expect(findConversation(data, 'bot', 'k')).toBeUndefined();
		rememberConversation(data, 'bot', 'k', 'c');
		expect(findConversation(data, 'bot', 'k')).toBe('c');
	});
});

describe('a key in Coze', () => {
	it('is a digest of workflow, bot and key: the same inputs give the same digest, any other input another', () => {
		const digest = keyDigest('wf1', 'bot', 'alice@example.com');
		expect(digest).toMatch(/^[0-9a-f]{64}$/);
		expect(keyDigest('wf1', 'bot', 'alice@example.com')).toBe(digest);
		expect(new Set([digest, keyDigest('wf2', 'bot', 'alice@example.com'), keyDigest('wf1', 'bot2', 'alice@example.com'), keyDigest('wf1', 'bot', 'bob')]).size).toBe(4);
	});

	it("is found as the oldest conversation carrying the digest, whatever the list's order", () => {
		const meta = (digest: string) => ({ n8n_conversation_key: digest });
		const list: IDataObject[] = [
			{ id: '7400000000000000300', created_at: 1700000300, meta_data: meta('d') },
			{ id: '7400000000000000100', created_at: 1700000100, meta_data: meta('other') },
			{ id: '7400000000000000200', created_at: 1700000200, meta_data: meta('d') },
			{ id: '7400000000000000150', created_at: 1700000200, meta_data: meta('d') },
			{ id: '7400000000000000050', created_at: 1700000050 },
		];
		expect(oldestKeyedConversation(list, 'd')).toBe('7400000000000000150');
		expect(oldestKeyedConversation([...list].reverse(), 'd')).toBe('7400000000000000150');
		expect(oldestKeyedConversation(list, 'none')).toBeUndefined();
	});
});
