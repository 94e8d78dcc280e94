import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { type EmulatorRoute } from '../emulator/server';
import { scenarios } from '../emulator/scenarios';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const pngItem = { json: {}, binary: { data: { data: PNG.toString('base64'), mimeType: 'image/png', fileName: 'pixel.png', fileExtension: 'png' } } };
const chatIds = (item: { json: Record<string, unknown> }) => ({
	conversationId: item.json.conversation_id as string,
	chatId: item.json.chat_id as string,
});

describe('Chat → List Messages', () => {
	it('aggregates by default and lists raw messages with Simplify off', async () => {
		const [sent] = await runCoze(emulator, sendMessage(scenarios.toolCall.botId));
		const [simple] = await runCoze(emulator, { resource: 'chat', operation: 'listMessages', ...chatIds(sent) });
		expect(simple.json).toMatchObject({ answer: 'Hangzhou: sunny, 24°C ☀️', status: 'completed', usage: { token_count: 2308 } });
		const raw = await runCoze(emulator, { resource: 'chat', operation: 'listMessages', ...chatIds(sent), simplify: false });
		expect(raw.map((i) => i.json.type).sort()).toEqual(['answer', 'function_call', 'tool_response', 'verbose']);
		expect(raw.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});
});

describe('Chat → Cancel', () => {
	it('refuses to cancel a finished chat, naming its status', async () => {
		const [sent] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
		const error = await rejectionOf(runCoze(emulator, { resource: 'chat', operation: 'cancel', ...chatIds(sent) }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			'Coze error 4104: The chat cannot be canceled in its current status (completed); only chats that are still created or in progress can be',
		);
	});

	it('returns the canceled Chat object for a chat still in progress', async () => {
		// Non-stream mode creates the chat at once and leaves it running for 3 s.
		const run = runCoze(emulator, sendMessage(scenarios.slow.botId, { options: { stream: false, pollInterval: 0.5, timeout: 0 } }));
		await new Promise((r) => setTimeout(r, 300));
		const [created] = emulator.requestsTo('/v3/chat/retrieve');
		const ids = { conversationId: created.query.conversation_id, chatId: created.query.chat_id };
		const [canceled] = await runCoze(emulator, { resource: 'chat', operation: 'cancel', ...ids });
		expect(canceled.json).toMatchObject({ id: ids.chatId, status: 'canceled' });
		expect(emulator.requestsTo('/v3/chat/cancel')[0].body).toEqual({ conversation_id: ids.conversationId, chat_id: ids.chatId });
		const error = await rejectionOf(run);
		expect(error.message).toContain('canceled');
	});
});

describe('Chat → Submit Tool Outputs', () => {
	it('streams the continuation and aggregates it like Send Message', async () => {
		const [asked] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId));
		const callId = (asked.json.required_action as { tool_calls: Array<{ id: string }> }).tool_calls[0].id;
		const [item] = await runCoze(emulator, {
			resource: 'chat',
			operation: 'submitToolOutputs',
			...chatIds(asked),
			toolOutputs: { entries: [{ toolCallId: callId, output: '={{ { temperature: 21 } }}' }] },
			options: {},
		});
		expect(item.json).toMatchObject({ status: 'completed', chat_id: asked.json.chat_id, answer: 'According to local_data_assistant: {"temperature":21}' });
		const [submit] = emulator.requestsTo('/v3/chat/submit_tool_outputs');
		expect(submit.query).toEqual({ conversation_id: asked.json.conversation_id, chat_id: asked.json.chat_id });
		expect(submit.body).toEqual({ tool_outputs: [{ tool_call_id: callId, output: '{"temperature":21}' }], stream: true });
	});

	it('accepts a JSON array and works in non-stream mode', async () => {
		const [asked] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId));
		const callId = (asked.json.required_action as { tool_calls: Array<{ id: string }> }).tool_calls[0].id;
		const [item] = await runCoze(emulator, {
			resource: 'chat',
			operation: 'submitToolOutputs',
			...chatIds(asked),
			toolOutputsInput: 'json',
			toolOutputsJson: JSON.stringify([{ tool_call_id: callId, output: 'cloudy' }]),
			options: { stream: false, pollInterval: 0.1 },
		});
		expect(item.json).toMatchObject({ status: 'completed', answer: 'According to local_data_assistant: cloudy' });
		// Coze's message list holds the bot's function_call and the submitted tool_response: the item lists that call.
		const listed = emulator.requestsTo('/v3/chat/message/list');
		expect(listed.length).toBeGreaterThan(0);
		expect(item.json.tool_calls).toEqual([
			{
				name: 'local_data_assistant',
				arguments: { location: '南京', type: 0 },
				args: { location: '南京', type: 0 },
				output: 'cloudy',
				plugin_id: '7485412896352075788',
				client_side: true,
			},
		]);
	});

	it('names the problem when a tool call id is missing', async () => {
		const error = await rejectionOf(
			runCoze(emulator, {
				resource: 'chat',
				operation: 'submitToolOutputs',
				conversationId: '7400000000000000000',
				chatId: '7400000000000000001',
				toolOutputs: { entries: [{ toolCallId: '', output: 'x' }] },
			}),
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('entry 1 has no tool call ID');
	});
});

describe('Send Message with files, context and chatflow inputs', () => {
	it('uploads a binary field and sends object_string with its file id, plus a file URL', async () => {
		const [item] = await runCoze(
			emulator,
			sendMessage(scenarios.vision.botId, {
				message: 'Compare these',
				options: { binaryProperties: 'data', fileUrls: 'https://example.com/report.pdf, https://example.com/cat.JPG?x=1' },
			}),
			{ items: [pngItem] },
		);
		expect(item.json.answer).toBe(
			'I received 3 attachment(s): image pixel.png, file https://example.com/report.pdf, image https://example.com/cat.JPG?x=1. Your text: "Compare these".',
		);
		const [upload] = emulator.requestsTo('/v1/files/upload');
		expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		const message = (emulator.requestsTo('/v3/chat')[0].body as { additional_messages: Array<{ content: string; content_type: string }> }).additional_messages[0];
		expect(message.content_type).toBe('object_string');
		const parts = JSON.parse(message.content) as Array<Record<string, string>>;
		expect(parts[0]).toEqual({ type: 'text', text: 'Compare these' });
		expect(parts[1]).toEqual({ type: 'image', file_id: expect.stringMatching(/^\d{19}$/) });
		expect(emulator.files.get(parts[1].file_id)?.bytes.equals(PNG)).toBe(true);
	});

	it('fails clearly for a missing binary field', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.vision.botId, { options: { binaryProperties: 'photo' } })));
		expect(error.message).toMatch(/photo/);
		expect(emulator.requestsTo('/v3/chat')).toHaveLength(0);
	});

	it('sends previous messages, chatflow parameters, draft, version and a shortcut command', async () => {
		const [item] = await runCoze(
			emulator,
			sendMessage(scenarios.memory.botId, {
				message: 'And now?',
				options: {
					additionalMessages: { entries: [{ role: 'user', content: 'I like tea.' }, { role: 'assistant', content: 'Noted.' }] },
					parameters: '{"city": "Hangzhou", "days": 3}',
					publishStatus: 'unpublished_draft',
					botVersion: '1734067826123',
					shortcutCommand: { command: { commandId: '7400000000000200001', parameters: { entries: [{ key: 'topic', value: 'news' }] } } },
				},
			}),
		);
		expect(item.json.answer).toBe('Turn 2. You said: "And now?". Before that you said: "I like tea.".');
		expect(emulator.requestsTo('/v3/chat')[0].body).toMatchObject({
			additional_messages: [
				{ role: 'user', type: 'question', content: 'I like tea.', content_type: 'text' },
				{ role: 'assistant', type: 'answer', content: 'Noted.', content_type: 'text' },
				{ role: 'user', content: 'And now?', content_type: 'text' },
			],
			parameters: { city: 'Hangzhou', days: 3 },
			publish_status: 'unpublished_draft',
			bot_version: '1734067826123',
			shortcut_command: { command_id: '7400000000000200001', parameters: { topic: '[{"type":"text","text":"news"}]' } },
		});
	});

	it('rejects chatflow parameters that are not a JSON object', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { parameters: '[1,2]' } })));
		expect(error.message).toBe('Options → Chatflow Parameters must be a JSON object, like {"city": "Hangzhou"}');
	});
});

describe('File → Upload', () => {
	it('uploads the binary with its name and mime type', async () => {
		const [item] = await runCoze(emulator, { resource: 'file', operation: 'upload', binaryPropertyName: 'data' }, { items: [pngItem] });
		expect(item.json).toMatchObject({ file_name: 'pixel.png', bytes: PNG.length, mime_type: 'image/png' });
		expect(emulator.files.get(item.json.id as string)?.contentType).toBe('image/png');
	});

	it('a mime type with line breaks cannot add headers or parts to the multipart body', async () => {
		const hostile = { json: {}, binary: { data: { ...pngItem.binary.data, mimeType: 'image/png\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nx' } } };
		const bodies: Buffer[] = [];
		const capture: EmulatorRoute = ({ path, rawBytes }) => {
			if (path === '/v1/files/upload') bodies.push(rawBytes);
			return false; // the emulator answers as usual
		};
		emulator.routes.unshift(capture);
		try {
			const [item] = await runCoze(emulator, { resource: 'file', operation: 'upload', binaryPropertyName: 'data' }, { items: [hostile] });
			expect(item.json.mime_type).toBe('image/png');
			expect(bodies[0].toString('latin1').match(/Content-Disposition/g)).toHaveLength(1);
			expect(emulator.files.get(item.json.id as string)?.contentType).toBe('image/png');
		} finally {
			emulator.routes.splice(emulator.routes.indexOf(capture), 1);
		}
	});
});

describe('Conversation → Get, Get Many, Clear Context', () => {
	it('gets, lists with a limit or all pages, and clears the context', async () => {
		const botId = scenarios.memory.botId;
		const created: string[] = [];
		for (let i = 0; i < 55; i++) {
			const [c] = await runCoze(emulator, { resource: 'conversation', operation: 'create', botId: { __rl: true, mode: 'id', value: botId }, options: { name: `c${i}` } });
			created.push(c.json.id as string);
		}
		const [got] = await runCoze(emulator, { resource: 'conversation', operation: 'get', conversationId: created[0] });
		expect(got.json).toMatchObject({ id: created[0], name: 'c0' });

		const limited = await runCoze(emulator, { resource: 'conversation', operation: 'list', botId: { __rl: true, mode: 'id', value: botId }, returnAll: false, limit: 3 });
		expect(limited).toHaveLength(3);
		const all = await runCoze(emulator, { resource: 'conversation', operation: 'list', botId: { __rl: true, mode: 'id', value: botId }, returnAll: true });
		expect(all.length).toBeGreaterThanOrEqual(55);
		expect(emulator.requestsTo('/v1/conversations').length).toBeGreaterThanOrEqual(3); // 1 page for the limit, 2+ for all

		const [turn] = await runCoze(emulator, sendMessage(botId, { message: 'Remember me', conversationId: created[0] }));
		expect(turn.json.answer).toContain('This is the start of our conversation.');
		const [section] = await runCoze(emulator, { resource: 'conversation', operation: 'clearContext', conversationId: created[0] });
		expect(section.json).toMatchObject({ conversation_id: created[0], id: expect.stringMatching(/^\d{19}$/) });
		const [after] = await runCoze(emulator, sendMessage(botId, { message: 'Who am I?', conversationId: created[0] }));
		expect(after.json.answer).toBe('Turn 1. You said: "Who am I?". This is the start of our conversation.');
	});
});
