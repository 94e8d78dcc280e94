import type { INodeExecutionData, StructuredChunk } from 'n8n-workflow';

import { CHATFLOW_IDS } from '../emulator/workflows';
import { scenarios } from '../emulator/workflowScenarios';
import { rejectionOf } from './helpers';
import { runParams, runWorkflowNode, workflowParams } from './workflowHelpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

/** Resume with the defaults: event id and interrupt type read from the input item. */
const resume = (scenario: keyof typeof scenarios, resumeData: string, extra = {}) =>
	workflowParams('resume', scenarios[scenario].workflowId, {
		eventId: '={{ $json.interrupt?.event_id }}',
		interruptType: '={{ $json.interrupt?.type }}',
		resumeData,
		...extra,
	});

describe('Workflow → Resume', () => {
	it('question node: Run → interrupted → Resume with the answer → completed', async () => {
		const [interrupted] = await runWorkflowNode(emulator, runParams('question'));
		expect(interrupted.json.status).toBe('interrupted');
		const [item] = await runWorkflowNode(emulator, resume('question', 'Hangzhou'), { items: [interrupted] });
		expect(item.json).toMatchObject({ status: 'completed', output: { output: 'Hangzhou: sunny, 24°C' }, debug_url: expect.any(String) });
		expect(emulator.requestsTo('/v1/workflow/stream_resume')[0].body).toEqual({
			workflow_id: scenarios.question.workflowId,
			event_id: (interrupted.json.interrupt as { event_id: string }).event_id,
			resume_data: 'Hangzhou',
			interrupt_type: 2,
		});
	});

	it('input node: resumes with a JSON object of the required parameters', async () => {
		const [interrupted] = await runWorkflowNode(emulator, runParams('input'));
		expect(interrupted.json.interrupt).toMatchObject({ type: 5, node_title: 'Input', required_parameters: { name: { type: 'string', required: true } } });
		const [item] = await runWorkflowNode(emulator, resume('input', '{"name":"Ada"}'), { items: [interrupted] });
		expect(item.json.output).toEqual({ greeting: 'Welcome, Ada!' });
	});

	it('explains Coze\'s limit of 3 resumes when the third one fails the run', async () => {
		let current: INodeExecutionData = (await runWorkflowNode(emulator, runParams('question')))[0];
		for (let i = 1; i <= 2; i++) {
			[current] = await runWorkflowNode(emulator, resume('question', ''), { items: [current] });
			expect(current.json).toMatchObject({ status: 'interrupted', messages: [{ content: '还是没听清，请告诉我城市名' }] });
		}
		const error = await rejectionOf(runWorkflowNode(emulator, resume('question', ''), { items: [current] }));
		expect(error.message).toContain('Coze error 720702015: The Coze workflow failed: The question node got no valid answer after 3 tries');
		expect(String(error.description)).toContain('at most 3 times');
		expect(emulator.requestsTo('/v1/workflow/stream_resume')).toHaveLength(3);
	});

	it('refuses a resume without an event id, naming the field', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, resume('question', 'x'), { items: [{ json: {} }] }));
		expect(error.message).toContain('Event ID is empty');
		expect(emulator.requests).toHaveLength(0);
	});

	it('synchronous: /v1/workflows/resume', async () => {
		const [interrupted] = await runWorkflowNode(emulator, runParams('question', { runMode: 'sync' }));
		expect(interrupted.json).toMatchObject({ status: 'interrupted', interrupt: { type: 2 } });
		const [item] = await runWorkflowNode(emulator, resume('question', 'Nanjing', { runMode: 'sync' }), { items: [interrupted] });
		expect(item.json).toMatchObject({ status: 'completed', output: { output: 'Nanjing: sunny, 24°C' } });
		expect(emulator.requestsTo('/v1/workflows/resume')).toHaveLength(1);
	});

	it('async: the history shows the interrupt; the resume is followed to its end', async () => {
		const [interrupted] = await runWorkflowNode(emulator, runParams('input', { runMode: 'async', options: { pollInterval: 0.1 } }));
		expect(interrupted.json).toMatchObject({ status: 'interrupted', interrupt: { type: 5 } });
		const [item] = await runWorkflowNode(emulator, resume('input', 'Grace', { runMode: 'async', options: { pollInterval: 0.1 } }), { items: [interrupted] });
		expect(item.json).toMatchObject({ status: 'completed', output: { greeting: 'Welcome, Grace!' }, execute_id: interrupted.json.execute_id });
	});
});

const chat = (workflowId: string, message: string, extra = {}) =>
	workflowParams('chat', workflowId, {
		message,
		associateWith: 'bot',
		botId: { __rl: true, mode: 'id', value: '7400000000000000001' },
		...extra,
	});

describe('Workflow → Chat With Chatflow', () => {
	it('two turns in one conversation, the conversation id in the body', async () => {
		const [first] = await runWorkflowNode(emulator, chat(CHATFLOW_IDS.echo, 'Hi, I am Ada', { parametersInput: 'fields', parametersUi: { entries: [{ name: 'tone', type: 'string', value: 'formal' }] } }));
		expect(first.json).toMatchObject({
			answer: 'Turn 1 (formal): you said "Hi, I am Ada".',
			status: 'completed',
			usage: { token_count: 32, output_count: 11, input_count: 21 },
			debug_url: expect.stringContaining('work_flow?execute_id='),
		});
		const conversationId = first.json.conversation_id as string;
		const [second] = await runWorkflowNode(emulator, chat(CHATFLOW_IDS.echo, 'What did I say?', { conversationId }));
		expect(second.json).toMatchObject({ answer: 'Turn 2: you said "What did I say?". Before that: "Hi, I am Ada".', conversation_id: conversationId });
		const posts = emulator.requestsTo('/v1/workflows/chat');
		expect(posts[1].query).toEqual({});
		expect(posts[1].body).toMatchObject({
			workflow_id: CHATFLOW_IDS.echo,
			bot_id: '7400000000000000001',
			conversation_id: conversationId,
			additional_messages: [{ role: 'user', content: 'What did I say?', content_type: 'text' }],
			parameters: {},
		});
		expect(posts[0].body).toMatchObject({ parameters: { tone: 'formal' } });
	});

	it('a question node: requires_action with what to send next, then the reply finishes the turn', async () => {
		const [asked] = await runWorkflowNode(emulator, chat(CHATFLOW_IDS.question, 'What is the weather?'));
		expect(asked.json).toMatchObject({
			status: 'requires_action',
			answer: 'Which city?',
			interrupt: { question: 'Which city?', conversation_id: asked.json.conversation_id, how_to_continue: expect.stringContaining('Conversation ID') },
			debug_url: expect.any(String),
		});
		expect(asked.json).not.toHaveProperty('required_action');
		const [answered] = await runWorkflowNode(emulator, chat(CHATFLOW_IDS.question, 'Hangzhou', { conversationId: asked.json.conversation_id as string }));
		expect(answered.json).toMatchObject({ status: 'completed', answer: 'Sunny in Hangzhou, 24°C.' });
	});

	it('runs in an app instead of a bot', async () => {
		const [item] = await runWorkflowNode(emulator, chat(CHATFLOW_IDS.echo, 'hello', { associateWith: 'app', appId: '7439828073000000001' }));
		expect(item.json.status).toBe('completed');
		expect(emulator.requestsTo('/v1/workflows/chat')[0].body).toMatchObject({ app_id: '7439828073000000001' });
		expect(emulator.requestsTo('/v1/workflows/chat')[0].body).not.toHaveProperty('bot_id');
	});

	it('streams the answer live', async () => {
		const chunks: StructuredChunk[] = [];
		await runWorkflowNode(emulator, chat(CHATFLOW_IDS.question, 'What is the weather?'), { onChunk: (c) => void chunks.push(c) });
		expect(chunks.map((c) => c.type)).toEqual(['begin', 'item', 'item', 'end']);
		expect(chunks.map((c) => c.content ?? '').join('')).toBe('Which city?');
	});

	it('reports Coze\'s error for an unknown conversation', async () => {
		const error = await rejectionOf(runWorkflowNode(emulator, chat(CHATFLOW_IDS.echo, 'hi', { conversationId: '7000000000000000001' })));
		expect(error.message).toContain('Coze error 4000: conversation 7000000000000000001 does not exist');
	});
});
