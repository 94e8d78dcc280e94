import type { IDataObject } from 'n8n-workflow';

import {
	MAX_CONVERSATION_KEYS,
	findConversation as findIn,
	keyDigest,
	legacyDigest,
	oldestKeyedConversation,
	rememberConversation as rememberIn,
	type KeyScope,
} from '../../nodes/CozeChat/actions/chat/conversationKeys';

const scope: KeyScope = { workflowId: 'wf1', secret: 'instance-secret' };
const findConversation = (data: IDataObject, bot: string, key: string) => findIn(data, scope, bot, key);
const rememberConversation = (data: IDataObject, bot: string, key: string, id: string, max?: number) => rememberIn(data, scope, bot, key, id, max);

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

	it('keeps a digest of each key, never the key: three 512 KB session ids cost a few hundred bytes', () => {
		const data: IDataObject = {};
		for (const c of ['a', 'b', 'c']) rememberConversation(data, 'bot', c.repeat(512 * 1024), `conv-${c}`);
		expect(JSON.stringify(data).length).toBeLessThan(400);
		expect(findConversation(data, 'bot', 'b'.repeat(512 * 1024))).toBe('conv-b');
	});

	it('reads entries earlier builds kept verbatim, and rewrites them as digests on the next write', () => {
		const data: IDataObject = { conversationsByKey: [['bot\nalice@example.com', 'conv-old']] };
		expect(findConversation(data, 'bot', 'alice@example.com')).toBe('conv-old');
		rememberConversation(data, 'bot', 'bob', 'conv-bob');
		expect(JSON.stringify(data)).not.toContain('alice');
		expect(findConversation(data, 'bot', 'alice@example.com')).toBe('conv-old');
		expect(findConversation(data, 'bot', 'bob')).toBe('conv-bob');
	});

	it('ignores malformed stored data instead of failing', () => {
		const data: IDataObject = { conversationsByKey: [['bot\nk', 7], 'junk', null] as unknown as IDataObject[] };
		expect(findConversation(data, 'bot', 'k')).toBeUndefined();
		rememberConversation(data, 'bot', 'k', 'c');
		expect(findConversation(data, 'bot', 'k')).toBe('c');
	});
});

describe('a key in Coze', () => {
	it('is a keyed digest of workflow, bot and key: the same inputs give the same digest, any other input (or secret) another', () => {
		const digest = keyDigest(scope, 'bot', 'alice@example.com');
		expect(digest).toMatch(/^[0-9a-f]{64}$/);
		expect(keyDigest({ ...scope }, 'bot', 'alice@example.com')).toBe(digest);
		const others = [
			keyDigest({ ...scope, workflowId: 'wf2' }, 'bot', 'alice@example.com'),
			keyDigest(scope, 'bot2', 'alice@example.com'),
			keyDigest(scope, 'bot', 'bob'),
			keyDigest({ ...scope, secret: 'another instance' }, 'bot', 'alice@example.com'),
		];
		expect(new Set([digest, ...others]).size).toBe(5);
	});

	it('cannot be matched against a guess list without the secret (the unkeyed digest of earlier builds could)', () => {
		const guesses = ['bob@example.com', 'alice@example.com', 'carol@example.com'];
		const stored = keyDigest(scope, 'bot', 'alice@example.com');
		expect(guesses.filter((g) => legacyDigest('wf1', 'bot', g) === stored)).toEqual([]);
		expect(guesses.filter((g) => keyDigest({ ...scope, secret: '' }, 'bot', g) === stored)).toEqual([]);
		expect(guesses.filter((g) => keyDigest(scope, 'bot', g) === stored)).toEqual(['alice@example.com']);
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
		expect(oldestKeyedConversation(list, 'none', 'other')).toBe('7400000000000000100');
	});
});
