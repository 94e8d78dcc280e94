import { NodeApiError } from 'n8n-workflow';

import { EMULATOR_TOKEN, EMULATOR_TOKEN_NO_PERMISSION } from '../emulator/server';
import { scenarios } from '../emulator/scenarios';
import { rejectionOf, runCoze, sendMessage, testCozeCredential } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

describe('Create Conversation', () => {
	it('creates a conversation with bot, metadata, name and initial messages', async () => {
		const [item] = await runCoze(emulator, {
			resource: 'conversation',
			operation: 'create',
			botId: { __rl: true, mode: 'id', value: scenarios.memory.botId },
			options: {
				name: 'Support #42',
				metaData: { entries: [{ key: 'ticket', value: '42' }] },
				messages: { entries: [{ role: 'user', content: 'My order is late.' }, { role: 'assistant', content: 'Sorry!' }] },
			},
		});
		expect(item.json).toMatchObject({ meta_data: { ticket: '42' }, name: 'Support #42' });
		expect(item.json.id).toMatch(/^\d{19}$/);
		expect(item.json.last_section_id).toMatch(/^\d{19}$/);
		const [create] = emulator.requestsTo('/v1/conversation/create');
		expect(create.body).toMatchObject({
			bot_id: scenarios.memory.botId,
			messages: [
				{ role: 'user', content: 'My order is late.', content_type: 'text' },
				{ role: 'assistant', content: 'Sorry!', content_type: 'text' },
			],
		});
		// The seeded messages are context for the first chat in it.
		const [turn] = await runCoze(emulator, sendMessage(scenarios.memory.botId, { message: 'Any news?', conversationId: item.json.id as string }));
		expect(turn.json.answer).toBe('Turn 2. You said: "Any news?". Before that you said: "My order is late.".');
	});

	it('works without a bot', async () => {
		const [item] = await runCoze(emulator, { resource: 'conversation', operation: 'create', botId: { __rl: true, mode: 'list', value: '' }, options: {} });
		expect(item.json.id).toMatch(/^\d{19}$/);
	});
});

describe('Retrieve Chat', () => {
	it('returns the Chat object with the aggregated answer when completed', async () => {
		const [sent] = await runCoze(emulator, sendMessage(scenarios.followUps.botId));
		const [item] = await runCoze(emulator, {
			resource: 'chat',
			operation: 'retrieve',
			conversationId: sent.json.conversation_id as string,
			chatId: sent.json.chat_id as string,
			options: { includeMessages: true },
		});
		expect(item.json).toMatchObject({
			id: sent.json.chat_id,
			conversation_id: sent.json.conversation_id,
			status: 'completed',
			last_error: { code: 0, msg: '' },
			answer: 'Visit West Lake.',
			follow_ups: ['What is the best season?', 'How do I get there?', 'Any food tips?'],
		});
		expect((item.json.messages as unknown[]).length).toBe(5);
	});

	it('returns only the Chat object with Include Answer off', async () => {
		const [sent] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
		const [item] = await runCoze(emulator, {
			resource: 'chat',
			operation: 'retrieve',
			conversationId: sent.json.conversation_id as string,
			chatId: sent.json.chat_id as string,
			options: { includeAnswer: false },
		});
		expect(item.json.status).toBe('completed');
		expect(item.json).not.toHaveProperty('answer');
	});

	it('reports an unknown chat with Coze\'s code', async () => {
		const error = await rejectionOf(
			runCoze(emulator, { resource: 'chat', operation: 'retrieve', conversationId: '7400000000000000000', chatId: '7400000000000000001', options: {} }),
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Coze error 4000: chat_id or conversation_id is invalid');
	});
});

describe('Credential test', () => {
	const credentials = (token: string) => ({ region: 'custom', baseUrl: emulator.url, accessToken: token });

	it('passes with a valid token', async () => {
		expect(await testCozeCredential(credentials(EMULATOR_TOKEN))).toMatchObject({ status: 'OK' });
	});

	it('fails on HTTP 401', async () => {
		const result = await testCozeCredential(credentials('pat_invalid'));
		expect(result.status).toBe('Error');
	});

	it('fails on HTTP 200 with code 4101, hinting at the server and permissions (a custom Base URL has no region)', async () => {
		const result = await testCozeCredential(credentials(EMULATOR_TOKEN_NO_PERMISSION));
		expect(result.status).toBe('Error');
		expect(result.message).toContain('4101');
		expect(result.message).toContain('the server the Base URL points at');
		expect(result.message).toContain('permissions');
		expect(result.message).not.toContain('coze.com');
	});
});
