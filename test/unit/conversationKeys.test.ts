import type { IDataObject } from 'n8n-workflow';

import {
	MAX_CONVERSATION_KEYS,
	findConversation,
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
