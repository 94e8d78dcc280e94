/**
 * End to end for conversations, messages and feedback (issue 32): the packed tarball in each pinned
 * real n8n. A conversation is created and renamed, seeded with Message → Create (a user message with
 * metadata), Send Message answers with that context, the answer is rated with Feedback → Submit (its
 * id from Send Message's answer_message_id), the conversation's messages are listed, a
 * rating of a message that is not an answer is Coze's refusal under Continue On Fail, the seed is
 * deleted, and the conversation is deleted. One `n8n execute` per version.
 */
import { scenarios } from '../emulator/scenarios';
import { TARGETS, log, nodeItems } from './n8n';
import { itNeverPrintsTheToken, useExecutedWorkflow } from './executed';
import { usePackedPackage } from './packed';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, link, nodeBuilder } from './workflows';

const WORKFLOW_ID = 'cozeE2eMessages1';
const ECHO_BOT = scenarios.memory.botId;
const SEED = 'My order number is A-1001';
const conversationId = "={{ $('Create Conversation').item.json.id }}";

function messagesWorkflow(): Record<string, unknown> {
	const node = nodeBuilder('m');
	const credentials = { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	const coze = (name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		node(name, NODE_TYPE, 1.1, parameters, { credentials, ...extra });
	const bot = { __rl: true, mode: 'id', value: ECHO_BOT };
	const chain = ['Create Conversation', 'Rename', 'Seed', 'Ask', 'Rate', 'List', 'Rate Seed', 'Delete Seed', 'Delete Conversation'];
	return {
		id: WORKFLOW_ID,
		name: 'Coze e2e: messages',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
			coze('Create Conversation', { resource: 'conversation', operation: 'create', botId: bot, options: {} }),
			coze('Rename', { resource: 'conversation', operation: 'update', conversationId: '={{ $json.id }}', name: 'Order question' }),
			coze('Seed', {
				resource: 'message',
				operation: 'create',
				conversationId,
				role: 'user',
				content: SEED,
				options: { metaData: { entries: [{ key: 'source', value: 'crm' }] } },
			}),
			coze('Ask', { resource: 'chat', operation: 'sendMessage', botId: bot, message: 'Where is it?', conversationId, options: { includeMessages: true } }),
			coze('Rate', {
				resource: 'feedback',
				operation: 'submit',
				conversationId: '={{ $json.conversation_id }}',
				messageId: '={{ $json.answer_message_id }}',
				feedbackType: 'unlike',
				options: { reasons: 'Too short, 不够详细', comment: 'It should say when the order ships' },
			}),
			coze('List', { resource: 'message', operation: 'list', conversationId, returnAll: true, options: {} }, { executeOnce: true }),
			coze('Delete Seed', { resource: 'message', operation: 'delete', conversationId, messageId: "={{ $('Seed').item.json.id }}" }, { executeOnce: true }),
			coze('Rate Seed', { resource: 'feedback', operation: 'submit', conversationId, messageId: "={{ $('Seed').item.json.id }}", feedbackType: 'like', options: {} }, { onError: 'continueRegularOutput' }),
			coze('Delete Conversation', { resource: 'conversation', operation: 'delete', conversationId }),
		],
		connections: {
			'Manual Trigger': { main: [[link('Create Conversation')]] },
			...Object.fromEntries(chain.slice(0, -1).map((name, i) => [name, { main: [[link(chain[i + 1])]] }])),
		},
	};
}

const tarball = usePackedPackage('messages');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('Conversation, Message and Feedback in %s', (_label, target) => {
	const executed = useExecutedWorkflow(target, { tarball, what: 'execute the messages workflow', workflow: messagesWorkflow });

	it('a renamed conversation is seeded with a message that Send Message answers with as context', () => {
		const [created] = nodeItems(executed.run, 'Create Conversation');
		const id = String(created.json.id);
		expect(id).toMatch(/^\d{19}$/);
		expect(nodeItems(executed.run, 'Rename')[0].json).toMatchObject({ id, name: 'Order question' });
		expect(nodeItems(executed.run, 'Seed')[0].json).toMatchObject({ conversation_id: id, role: 'user', content: SEED, meta_data: { source: 'crm' } });
		const [answer] = nodeItems(executed.run, 'Ask');
		log(`${target.name}: Ask answered ${JSON.stringify(answer.json.answer)}`);
		expect(answer.json.answer).toBe(`Turn 2. You said: "Where is it?". Before that you said: "${SEED}".`);
	});

	it("Feedback → Submit rates the answer (its id from Send Message's answer_message_id, the raw answer message's id); Coze keeps the rating", () => {
		const [answer] = nodeItems(executed.run, 'Ask');
		const answerId = (answer.json.messages as Array<{ id: string; type: string }>).find((m) => m.type === 'answer')!.id;
		expect(answer.json.answer_message_id).toBe(answerId);
		expect(nodeItems(executed.run, 'Rate')[0].json).toEqual({
			conversation_id: answer.json.conversation_id,
			message_id: answerId,
			feedback_type: 'unlike',
			reason_types: ['Too short', '不够详细'],
			comment: 'It should say when the order ships',
		});
		expect(executed.emulator.messages.feedback.get(answerId)).toMatchObject({ feedback_type: 'unlike', reason_types: ['Too short', '不够详细'] });
	});

	it('Get Many lists the conversation newest first; rating a non-answer is an error item; the seed and the conversation are deleted', () => {
		expect(nodeItems(executed.run, 'List').map((item) => [item.json.type, item.json.content])).toEqual([
			['answer', nodeItems(executed.run, 'Ask')[0].json.answer],
			['question', 'Where is it?'],
			['', SEED],
		]);
		const seedId = String(nodeItems(executed.run, 'Seed')[0].json.id);
		expect(String(nodeItems(executed.run, 'Rate Seed')[0].json.error)).toContain('Coze error 4000: Request parameter error: feedback is only supported on answer messages');
		expect(nodeItems(executed.run, 'Delete Seed')[0].json).toMatchObject({ id: seedId, content: SEED });
		expect(executed.emulator.messages.message(seedId)).toBeUndefined();
		const id = String(nodeItems(executed.run, 'Create Conversation')[0].json.id);
		expect(nodeItems(executed.run, 'Delete Conversation')[0].json).toEqual({ id, deleted: true });
		expect(executed.emulator.conversationMessages(id)).toEqual([]);
	});

	itNeverPrintsTheToken(executed);
});
