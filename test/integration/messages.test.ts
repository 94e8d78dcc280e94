/**
 * Conversation → Update / Delete, Message → Create / Get / Update / Delete and Feedback → Submit /
 * Delete in n8n-core's execution context over real sockets to the emulator: a seeded message is the
 * next chat's context, an answer of Send Message can be rated, bad input fails naming the field
 * before any request, Coze's refusals say what Coze accepts, and Coze Studio serves the renames and
 * deletes but says it has no message or feedback API.
 */
import { NodeApiError, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { EDIT_CONVERSATION_HINT } from '../../nodes/CozeChat/api/conversation';
import { FEEDBACK_RULES } from '../../nodes/CozeChat/api/message';
import { scenarios } from '../emulator/scenarios';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();
const echoBot = scenarios.memory.botId;

const conversationOp = (operation: string, extra: INodeParameters = {}): INodeParameters => ({ resource: 'conversation', operation, ...extra });
const messageOp = (operation: string, extra: INodeParameters = {}): INodeParameters => ({ resource: 'message', operation, ...extra });
const feedbackOp = (operation: string, extra: INodeParameters = {}): INodeParameters => ({ resource: 'feedback', operation, ...extra });

async function newConversation(): Promise<string> {
	const [item] = await runCoze(emulator, conversationOp('create', { botId: { __rl: true, mode: 'id', value: echoBot }, options: {} }));
	return item.json.id as string;
}

/** Asks the Echo Bot in the conversation: its answer quotes the previous user message it sees as context. */
async function ask(conversationId: string, message: string): Promise<IDataObject> {
	const [item] = await runCoze(emulator, sendMessage(echoBot, { message, conversationId, options: { includeMessages: true } }));
	return item.json;
}

const answerIdOf = (result: IDataObject) => ((result.messages as Array<{ id: string; type: string }>).find((m) => m.type === 'answer') as { id: string }).id;

/** No request reached these paths (bad input is refused before anything is sent). */
const nothingSentTo = (...paths: RegExp[]) => expect(emulator.requests.filter((r) => paths.some((p) => p.test(r.path)))).toEqual([]);

describe('Conversation → Update and Delete', () => {
	it('renames a conversation (PUT with the name) and Get shows the new name', async () => {
		const id = await newConversation();
		const [renamed] = await runCoze(emulator, conversationOp('update', { conversationId: id, name: 'Support #42' }));
		expect(renamed.json).toMatchObject({ id, name: 'Support #42' });
		const [put] = emulator.requests.filter((r) => r.method === 'PUT');
		expect(put).toMatchObject({ path: `/v1/conversations/${id}`, body: { name: 'Support #42' } });
		const [read] = await runCoze(emulator, conversationOp('get', { conversationId: id }));
		expect(read.json.name).toBe('Support #42');
	});

	it('deletes a conversation: the item says so, and the conversation is gone for Get and Send Message', async () => {
		const id = await newConversation();
		const [deleted] = await runCoze(emulator, conversationOp('delete', { conversationId: id }));
		expect(deleted.json).toEqual({ id, deleted: true });
		expect(emulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/v1/conversations/${id}`]);
		const gone = await rejectionOf(runCoze(emulator, conversationOp('get', { conversationId: id })));
		expect(gone.message).toBe('Coze error 4000: conversation_id is invalid');
		const chat = await rejectionOf(runCoze(emulator, sendMessage(echoBot, { conversationId: id })));
		expect(chat.message).toContain('does not exist');
	});

	it('a name over 100 characters, an empty name or an id that is not one fail naming the field, before any request', async () => {
		const id = await newConversation();
		emulator.requests.length = 0;
		expect((await rejectionOf(runCoze(emulator, conversationOp('update', { conversationId: id, name: 'x'.repeat(101) })))).message).toBe(
			'Name has 101 characters, Coze takes at most 100',
		);
		// Characters, not bytes: 100 Chinese characters are a valid name.
		expect((await runCoze(emulator, conversationOp('update', { conversationId: id, name: '会'.repeat(100) })))[0].json.name).toBe('会'.repeat(100));
		emulator.requests.length = 0;
		expect((await rejectionOf(runCoze(emulator, conversationOp('update', { conversationId: id, name: '  ' })))).message).toMatch(/^Name is empty/);
		expect((await rejectionOf(runCoze(emulator, conversationOp('delete', { conversationId: 'conv-1' })))).message).toMatch(/^Conversation ID: 'conv-1' is not a Coze ID/);
		nothingSentTo(/^\/v1\/conversations/);
	});

	it("another user's token is refused by Coze (only the creator edits or deletes)", async () => {
		const id = await newConversation();
		emulator.messages.anotherUser('pat_another_user');
		const refused = await rejectionOf(runCoze(emulator, conversationOp('delete', { conversationId: id }), { token: 'pat_another_user' }));
		expect(refused).toBeInstanceOf(NodeApiError);
		expect(refused.message).toMatch(/^Coze error 4101: Permission denied: only the conversation's creator/);
		expect(String(refused.description)).toContain(EDIT_CONVERSATION_HINT);
		const rename = await rejectionOf(runCoze(emulator, conversationOp('update', { conversationId: id, name: 'Mine now' }), { token: 'pat_another_user' }));
		expect(String(rename.description)).toContain(EDIT_CONVERSATION_HINT);
		expect((await runCoze(emulator, conversationOp('get', { conversationId: id })))[0].json.id).toBe(id);
	});
});

describe('Message → Create, Get, Update, Delete', () => {
	it("a created message is the next chat's context; Get, Update and Delete change what the bot sees", async () => {
		const conversationId = await newConversation();
		const [created] = await runCoze(
			emulator,
			messageOp('create', { conversationId, role: 'user', content: 'My order number is A-1001', options: { metaData: { entries: [{ key: 'source', value: 'crm' }] } } }),
		);
		expect(created.json).toMatchObject({ conversation_id: conversationId, role: 'user', content: 'My order number is A-1001', content_type: 'text', meta_data: { source: 'crm' } });
		const [sent] = emulator.requestsTo('/v1/conversation/message/create');
		expect(sent.query).toEqual({ conversation_id: conversationId });
		expect(sent.body).toEqual({ role: 'user', content: 'My order number is A-1001', content_type: 'text', meta_data: { source: 'crm' } });
		const messageId = created.json.id as string;

		expect((await ask(conversationId, 'Where is it?')).answer).toBe('Turn 2. You said: "Where is it?". Before that you said: "My order number is A-1001".');

		const [read] = await runCoze(emulator, messageOp('get', { conversationId, messageId }));
		expect(read.json).toMatchObject({ id: messageId, content: 'My order number is A-1001', meta_data: { source: 'crm' } });
		expect(emulator.requestsTo('/v1/conversation/message/retrieve')[0].query).toEqual({ conversation_id: conversationId, message_id: messageId });

		// Update: Coze answers under `message`; the changed text is what the bot sees from now on.
		const [updated] = await runCoze(emulator, messageOp('update', { conversationId, messageId, updateFields: { content: 'My order number is B-2002' } }));
		expect(updated.json).toMatchObject({ id: messageId, content: 'My order number is B-2002', content_type: 'text' });
		expect(emulator.requestsTo('/v1/conversation/message/modify')[0]).toMatchObject({
			query: { conversation_id: conversationId, message_id: messageId },
			body: { content: 'My order number is B-2002', content_type: 'text' },
		});
		expect(emulator.conversationMessages(conversationId)[0].content).toBe('My order number is B-2002');

		const [deleted] = await runCoze(emulator, messageOp('delete', { conversationId, messageId }));
		expect(deleted.json).toMatchObject({ id: messageId, content: 'My order number is B-2002' });
		expect(emulator.conversationMessages(conversationId).map((m) => m.id)).not.toContain(messageId);
		const gone = await rejectionOf(runCoze(emulator, messageOp('get', { conversationId, messageId })));
		expect(gone.message).toBe(`Coze error 4000: message ${messageId} does not exist in conversation ${conversationId}`);
	});

	it("a human agent's reply (role assistant) and multimodal content (object_string) go as written, 19-digit file ids exact", async () => {
		const conversationId = await newConversation();
		const content = '[{"type":"text","text":"Here is the label"},{"type":"image","file_id":"7380331280292495371"}]';
		const [agent] = await runCoze(emulator, messageOp('create', { conversationId, role: 'assistant', contentType: 'object_string', content, options: {} }));
		expect(agent.json).toMatchObject({ role: 'assistant', content_type: 'object_string', content });
		expect(emulator.requestsTo('/v1/conversation/message/create')[0].text).toContain('\\"file_id\\":\\"7380331280292495371\\"');
		// An array from an expression is sent as its JSON text.
		const [fromExpression] = await runCoze(emulator, messageOp('create', { conversationId, contentType: 'object_string', content: '={{ [{ type: "file", file_url: "https://example.com/a.pdf" }] }}', options: {} }));
		expect(fromExpression.json.content).toBe('[{"type":"file","file_url":"https://example.com/a.pdf"}]');
		expect(emulator.conversationMessages(conversationId).map((m) => m.role)).toEqual(['assistant', 'user']);
	});

	it.each([
		['not JSON', { contentType: 'object_string', content: 'hello' }, /^Content is not valid JSON: with Content Type Text and Files it is a JSON array/],
		['not an array', { contentType: 'object_string', content: '{"type":"text","text":"hi"}' }, /^Content must be a JSON array of items/],
		['an item without a file', { contentType: 'object_string', content: '[{"type":"image"}]' }, /^Content: item 1: a image item needs file_id \(from File → Upload\) or file_url$/],
		['an unknown item type', { contentType: 'object_string', content: '[{"type":"video","file_id":"1"}]' }, /^Content: item 1: type must be one of 'text', 'image', 'file', 'audio'$/],
		['empty content', { content: '   ' }, /^Content is empty/],
		['a role that is none', { role: 'system', content: 'hi' }, /^Role: 'system' is not one of 'user', 'assistant'$/],
		['17 metadata pairs', { content: 'hi', options: { metaData: { entries: Array.from({ length: 17 }, (_, i) => ({ key: `k${i}`, value: 'v' })) } } }, /^Options → Metadata: 17 entries, Coze takes at most 16$/],
		['an empty metadata value', { content: 'hi', options: { metaData: { entries: [{ key: 'k', value: '' }] } } }, /^Options → Metadata: the value of 'k' is empty/],
		['a conversation id that is a name', { conversationId: 'support', content: 'hi' }, /^Conversation ID: 'support' is not a Coze ID/],
	])('Create: %s fails naming the field, before any request', async (_what, extra, message) => {
		const conversationId = await newConversation();
		emulator.requests.length = 0;
		const error = await rejectionOf(runCoze(emulator, messageOp('create', { conversationId, options: {}, ...extra })));
		expect(error.message).toMatch(message);
		nothingSentTo(/^\/v1\/conversation\/message/);
	});

	it('Update with nothing to change, and Get with a message id that is not one, fail before any request', async () => {
		const conversationId = await newConversation();
		emulator.requests.length = 0;
		expect((await rejectionOf(runCoze(emulator, messageOp('update', { conversationId, messageId: '7400000000000000001', updateFields: {} })))).message).toBe(
			'Update Fields: add Content or Metadata to change',
		);
		expect((await rejectionOf(runCoze(emulator, messageOp('get', { conversationId, messageId: 'msg_1' })))).message).toMatch(/^Message ID: 'msg_1' is not a Coze ID/);
		nothingSentTo(/^\/v1\/conversation\/message/);
	});

	it('Items in Parallel keeps the messages of one conversation in input order; Continue On Fail gives the bad item its error', async () => {
		const [first, second] = [await newConversation(), await newConversation()];
		const items = [
			{ json: { c: first, text: 'one' } },
			{ json: { c: second, text: 'uno' } },
			{ json: { c: first, text: 'two' } },
			{ json: { c: first, text: '' } },
			{ json: { c: second, text: 'dos' } },
			{ json: { c: first, text: 'three' } },
		];
		// The first message is slow to arrive: a second one sent at the same time would overtake it.
		emulator.publicRoutes.unshift(async (request) => {
			if ((request.body as { content?: string } | undefined)?.content === 'one') await new Promise((resolve) => setTimeout(resolve, 150));
			return false;
		});
		const out = await runCoze(emulator, messageOp('create', { conversationId: '={{ $json.c }}', content: '={{ $json.text }}', options: { concurrency: 4 } }), { items, continueOnFail: true });
		expect(out.map((item) => item.json.content ?? item.json.error)).toEqual(['one', 'uno', 'two', expect.stringMatching(/^Content is empty/), 'dos', 'three']);
		expect(out.map((item) => item.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
		expect(emulator.conversationMessages(first).map((m) => m.content)).toEqual(['one', 'two', 'three']);
		expect(emulator.conversationMessages(second).map((m) => m.content)).toEqual(['uno', 'dos']);
	});
});

describe('Message → Get Many', () => {
	it("lists a conversation's questions, answers and created messages, newest first; Options → Chat ID narrows to one chat", async () => {
		const conversationId = await newConversation();
		await runCoze(emulator, messageOp('create', { conversationId, content: 'Seeded', options: {} }));
		const first = await ask(conversationId, 'First');
		const second = await ask(conversationId, 'Second');
		const all = await runCoze(emulator, messageOp('list', { conversationId, returnAll: true, options: {} }));
		expect(all.map((item) => [item.json.type, item.json.content])).toEqual([
			['answer', second.answer],
			['question', 'Second'],
			['answer', first.answer],
			['question', 'First'],
			['', 'Seeded'],
		]);
		expect(all.every((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0)).toBe(true);
		const [sent] = emulator.requestsTo('/v1/conversation/message/list');
		expect(sent).toMatchObject({ method: 'POST', query: { conversation_id: conversationId }, body: { order: 'desc', limit: 50 } });

		const oneChat = await runCoze(emulator, messageOp('list', { conversationId, returnAll: true, options: { chatId: first.chat_id as string } }));
		expect(oneChat.map((item) => item.json.content)).toEqual([first.answer, 'First']);
		expect(emulator.requestsTo('/v1/conversation/message/list').pop()?.body).toMatchObject({ chat_id: first.chat_id });
	});

	it('pages with after_id = the last page\'s last_id until has_more is false; Limit stops early', async () => {
		const conversationId = await newConversation();
		const items = Array.from({ length: 57 }, (_, i) => ({ json: { text: `m${i}` } }));
		await runCoze(emulator, messageOp('create', { conversationId, content: '={{ $json.text }}', options: { concurrency: 5 } }), { items });
		emulator.requests.length = 0;
		const all = await runCoze(emulator, messageOp('list', { conversationId, returnAll: true, options: {} }));
		expect(all.map((item) => item.json.content)).toEqual(items.map((item) => item.json.text).reverse());
		const pages = emulator.requestsTo('/v1/conversation/message/list');
		expect(pages.map((page) => page.body)).toEqual([
			{ order: 'desc', limit: 50 },
			{ order: 'desc', limit: 50, after_id: all[49].json.id },
		]);
		const some = await runCoze(emulator, messageOp('list', { conversationId, limit: 3, options: {} }));
		expect(some.map((item) => item.json.content)).toEqual(['m56', 'm55', 'm54']);
		expect(emulator.requestsTo('/v1/conversation/message/list').pop()?.body).toEqual({ order: 'desc', limit: 3 });
	});
});

describe('Feedback → Submit and Delete', () => {
	it("rates Send Message's answer: Coze keeps the feedback, a second one replaces it, Delete removes it", async () => {
		const conversationId = await newConversation();
		const answerId = answerIdOf(await ask(conversationId, 'Hello'));
		const [liked] = await runCoze(
			emulator,
			feedbackOp('submit', { conversationId, messageId: answerId, feedbackType: 'unlike', options: { reasons: 'Wrong facts, 太短', comment: 'The version is 5.0, not 4.0' } }),
		);
		expect(liked.json).toEqual({ conversation_id: conversationId, message_id: answerId, feedback_type: 'unlike', reason_types: ['Wrong facts', '太短'], comment: 'The version is 5.0, not 4.0' });
		const [posted] = emulator.requestsTo(`/v1/conversations/${conversationId}/messages/${answerId}/feedback`);
		expect(posted).toMatchObject({ method: 'POST', body: { feedback_type: 'unlike', reason_types: ['Wrong facts', '太短'], comment: 'The version is 5.0, not 4.0' } });
		expect(emulator.messages.feedback.get(answerId)).toMatchObject({ feedback_type: 'unlike', reason_types: ['Wrong facts', '太短'] });

		await runCoze(emulator, feedbackOp('submit', { conversationId, messageId: answerId, feedbackType: 'like', options: {} }));
		expect(emulator.messages.feedback.get(answerId)).toEqual({ conversation_id: conversationId, feedback_type: 'like', reason_types: [], comment: '' });
		// An expression's array of reasons is taken as the list.
		await runCoze(emulator, feedbackOp('submit', { conversationId, messageId: answerId, feedbackType: '={{ "unlike" }}', options: { reasons: '={{ ["Too long"] }}' } }));
		expect(emulator.messages.feedback.get(answerId)?.reason_types).toEqual(['Too long']);

		const [deleted] = await runCoze(emulator, feedbackOp('delete', { conversationId, messageId: answerId }));
		expect(deleted.json).toEqual({ conversation_id: conversationId, message_id: answerId, deleted: true });
		expect(emulator.messages.feedback.has(answerId)).toBe(false);
		expect(emulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/v1/conversations/${conversationId}/messages/${answerId}/feedback`]);
	});

	it("Coze's refusals (a message a chat did not answer, another user's token) say what Coze takes feedback on", async () => {
		const conversationId = await newConversation();
		const answerId = answerIdOf(await ask(conversationId, 'Hello'));
		const [created] = await runCoze(emulator, messageOp('create', { conversationId, role: 'assistant', content: 'A human agent here', options: {} }));
		const refused = await rejectionOf(runCoze(emulator, feedbackOp('submit', { conversationId, messageId: created.json.id as string, options: {} })));
		expect(refused).toBeInstanceOf(NodeApiError);
		expect(refused.message).toMatch(/^Coze error 4000: Request parameter error: feedback is only supported on answer messages/);
		expect(String(refused.description)).toContain(FEEDBACK_RULES);
		emulator.messages.anotherUser('pat_feedback_stranger');
		const stranger = await rejectionOf(runCoze(emulator, feedbackOp('submit', { conversationId, messageId: answerId, options: {} }), { token: 'pat_feedback_stranger' }));
		expect(stranger.message).toMatch(/^Coze error 4101: Permission denied: only the creator of the conversation/);
		expect(String(stranger.description)).toContain(FEEDBACK_RULES);
		expect(emulator.messages.feedback.has(answerId)).toBe(false);
	});

	it.each([
		['11 reasons', { reasons: Array.from({ length: 11 }, (_, i) => `r${i}`).join(',') }, 'Options → Reasons: 11 reasons, Coze takes at most 10'],
		['a reason of 31 characters', { reasons: `ok, ${'r'.repeat(31)}` }, `Options → Reasons: '${'r'.repeat(31)}' has 31 characters, Coze takes at most 30 per reason`],
		['a comment of 251 characters', { comment: '评'.repeat(251) }, 'Options → Comment has 251 characters, Coze takes at most 250'],
	])('%s fails naming the field, before any request', async (_what, options, message) => {
		emulator.requests.length = 0;
		const error = await rejectionOf(runCoze(emulator, feedbackOp('submit', { conversationId: '7400000000000000001', messageId: '7400000000000000002', feedbackType: 'unlike', options })));
		expect(error.message).toBe(message);
		nothingSentTo(/feedback$/);
	});

	it('the limits are characters: 10 reasons of 30 Chinese characters and a 250-character comment are taken', async () => {
		const conversationId = await newConversation();
		const answerId = answerIdOf(await ask(conversationId, 'Hello'));
		// 30 characters each (an emoji is one character, two UTF-16 units).
		const reasons = Array.from({ length: 10 }, (_, i) => `${i}${'错'.repeat(28)}👎`);
		await runCoze(emulator, feedbackOp('submit', { conversationId, messageId: answerId, feedbackType: 'unlike', options: { reasons: reasons.join(','), comment: '评'.repeat(250) } }));
		expect(emulator.messages.feedback.get(answerId)).toMatchObject({ reason_types: reasons, comment: '评'.repeat(250) });
	});

	it("a feedback must be like or unlike (an expression's other value fails naming the field)", async () => {
		const error = await rejectionOf(runCoze(emulator, feedbackOp('submit', { conversationId: '7400000000000000001', messageId: '7400000000000000002', feedbackType: '={{ "thumbs-up" }}', options: {} })));
		expect(error.message).toBe("Feedback: 'thumbs-up' is not one of 'like', 'unlike'");
	});
});

describe('on a self-hosted Coze Studio', () => {
	const studio = useEmulator({ dialect: 'studio' });

	it('renames and deletes conversations (Studio serves both)', async () => {
		const [created] = await runCoze(studio, conversationOp('create', { options: {} }));
		const id = created.json.id as string;
		const [renamed] = await runCoze(studio, conversationOp('update', { conversationId: id, name: 'Hand-off' }));
		expect(renamed.json).toMatchObject({ id, name: 'Hand-off' });
		const [deleted] = await runCoze(studio, conversationOp('delete', { conversationId: id }));
		expect(deleted.json).toEqual({ id, deleted: true });
		const gone = await rejectionOf(runCoze(studio, conversationOp('delete', { conversationId: id })));
		expect(gone.message).toBe('Coze error 103000002: conversation not found');
		const [other] = await runCoze(studio, conversationOp('create', { options: {} }));
		studio.messages.anotherUser('pat_studio_stranger');
		const stranger = await rejectionOf(runCoze(studio, conversationOp('update', { conversationId: other.json.id as string, name: 'x' }), { token: 'pat_studio_stranger' }));
		expect(stranger.message).toBe('Coze error 103000001: user not match');
		expect(String(stranger.description)).toContain(EDIT_CONVERSATION_HINT);
	});

	it("lists a conversation's messages (Studio serves the list)", async () => {
		const [answer] = await runCoze(studio, sendMessage(scenarios.memory.botId, { message: 'Hello Studio' }));
		const listed = await runCoze(studio, messageOp('list', { conversationId: answer.json.conversation_id as string, returnAll: true, options: {} }));
		expect(listed.map((item) => [item.json.type, item.json.content])).toEqual([
			['answer', answer.json.answer],
			['question', 'Hello Studio'],
		]);
	});

	it.each([
		['Message → Create is', messageOp('create', { conversationId: '7400000000000000001', content: 'hi', options: {} }), '/v1/conversation/message/create'],
		['Message → Get is', messageOp('get', { conversationId: '7400000000000000001', messageId: '7400000000000000002' }), '/v1/conversation/message/retrieve'],
		['Message → Update is', messageOp('update', { conversationId: '7400000000000000001', messageId: '7400000000000000002', updateFields: { content: 'x' } }), '/v1/conversation/message/modify'],
		['Message → Delete is', messageOp('delete', { conversationId: '7400000000000000001', messageId: '7400000000000000002' }), '/v1/conversation/message/delete'],
		['Feedback is', feedbackOp('submit', { conversationId: '7400000000000000001', messageId: '7400000000000000002', options: {} }), '/v1/conversations/:conversation_id/messages/:message_id/feedback'],
		['Feedback is', feedbackOp('delete', { conversationId: '7400000000000000001', messageId: '7400000000000000002' }), '/v1/conversations/:conversation_id/messages/:message_id/feedback'],
	])('%s not supported (%#), instead of its web-session 401', async (what, parameters, path) => {
		const error = await rejectionOf(runCoze(studio, parameters));
		expect(error.message).toContain(`${what} not supported by this Coze server: it has no ${path} endpoint (self-hosted Coze Studio`);
		expect(error.message).toContain('missing session_key in cookie');
		expect(String(error.description)).not.toContain(FEEDBACK_RULES);
	});
});
