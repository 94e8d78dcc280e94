/**
 * End to end against a self-hosted Coze Studio (the emulator's studio dialect): the packed tarball in
 * each pinned real n8n, one workflow through every operation Studio offers (a knowledge upload
 * included, which Studio takes as an uploaded file), and Submit Tool Outputs (which Studio lacks)
 * failing with a clear message under Continue On Fail.
 */

import { KNOWLEDGE_BASES } from '../emulator/knowledge';
import { scenarios } from '../emulator/scenarios';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { N8nInstance, TARGETS, log, nodeItems, timed, type RunJson } from './n8n';
import { usePackedPackage } from './packed';
import { NODE_TYPE, link, nodeBuilder } from './workflows';

const CREDENTIAL = { id: 'cozeStudioCred001', name: 'Coze Studio (emulator)' };
const WORKFLOW_ID = 'cozeE2eStudio0001';
const STUDIO_GUIDE = '# Studio guide\nOur own Coze server answers from the knowledge base.';

function studioWorkflow(): Record<string, unknown> {
	const node = nodeBuilder('9');
	const coze = (name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		node(name, NODE_TYPE, 1, parameters, { credentials: { cozeApi: CREDENTIAL }, ...extra });
	const bot = (value: string) => ({ __rl: true, mode: 'id', value });
	const nodes = [
		node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
		coze('Ask Weather Bot', { resource: 'chat', operation: 'sendMessage', botId: bot(scenarios.toolCall.botId), userId: 'e2e', message: 'Weather in Hangzhou?', options: {} }),
		coze('Retrieve Chat', { resource: 'chat', operation: 'retrieve', conversationId: '={{ $json.conversation_id }}', chatId: '={{ $json.chat_id }}', options: {} }),
		coze('List Messages', { resource: 'chat', operation: 'listMessages', conversationId: '={{ $json.conversation_id }}', chatId: '={{ $json.id }}', simplify: true }),
		coze('Create Conversation', { resource: 'conversation', operation: 'create', botId: bot(scenarios.memory.botId), options: {} }),
		coze('Turn 1', { resource: 'chat', operation: 'sendMessage', botId: bot(scenarios.memory.botId), userId: 'e2e', message: 'My name is Ada.', conversationId: '={{ $json.id }}', options: {} }),
		coze('Turn 2', { resource: 'chat', operation: 'sendMessage', botId: bot(scenarios.memory.botId), userId: 'e2e', message: 'What is my name?', conversationId: '={{ $json.conversation_id }}', options: { stream: false, pollInterval: 0.2 } }),
		coze('Get Conversation', { resource: 'conversation', operation: 'get', conversationId: '={{ $json.conversation_id }}' }),
		coze(
			'Submit Tool Outputs',
			{
				resource: 'chat',
				operation: 'submitToolOutputs',
				conversationId: "={{ $('Turn 2').item.json.conversation_id }}",
				chatId: "={{ $('Turn 2').item.json.chat_id }}",
				toolOutputs: { entries: [{ toolCallId: 'call_1', output: 'sunny' }] },
				options: {},
			},
			{ onError: 'continueRegularOutput' },
		),
		node('Guide Text', 'n8n-nodes-base.set', 3.4, { assignments: { assignments: [{ id: 's1', name: 'guide', value: STUDIO_GUIDE, type: 'string' }] }, options: {} }),
		node('Guide File', 'n8n-nodes-base.convertToFile', 1.1, { operation: 'toText', sourceProperty: 'guide', options: { fileName: 'studio-guide.md' } }),
		coze('Upload Guide', { resource: 'knowledge', operation: 'uploadDocument', knowledgeBaseId: bot(KNOWLEDGE_BASES.handbook.id), source: 'binary', binaryPropertyName: 'data', options: { pollInterval: 0.1, sameName: 'replace' } }),
		coze('List Documents', { resource: 'knowledge', operation: 'getManyDocuments', knowledgeBaseId: bot(KNOWLEDGE_BASES.handbook.id), returnAll: true }, { executeOnce: true }),
	];
	return {
		id: WORKFLOW_ID,
		name: 'Coze Studio e2e',
		active: false,
		nodes,
		connections: {
			'Manual Trigger': { main: [[link('Ask Weather Bot'), link('Create Conversation'), link('Guide Text')]] },
			'Guide Text': { main: [[link('Guide File')]] },
			'Guide File': { main: [[link('Upload Guide')]] },
			'Upload Guide': { main: [[link('List Documents')]] },
			'Ask Weather Bot': { main: [[link('Retrieve Chat')]] },
			'Retrieve Chat': { main: [[link('List Messages')]] },
			'Create Conversation': { main: [[link('Turn 1')]] },
			'Turn 1': { main: [[link('Turn 2')]] },
			'Turn 2': { main: [[link('Get Conversation')]] },
			'Get Conversation': { main: [[link('Submit Tool Outputs')]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

const tarball = usePackedPackage('studio');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('against Coze Studio in %s', (_label, target) => {
	let emulator: CozeEmulator;
	let n8n: N8nInstance;
	let run: RunJson;

	beforeAll(async () => {
		emulator = await startEmulator({ dialect: 'studio' });
		n8n = new N8nInstance(target);
		n8n.installPackage(tarball());
		await n8n.importCredentials([{ ...CREDENTIAL, type: 'cozeApi', data: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN } }]);
		await n8n.importWorkflows([studioWorkflow()]);
		const result = await timed(`${target.name}: execute Studio workflow`, () => n8n.execute(WORKFLOW_ID));
		if (!result.run || result.code !== 0) {
			throw new Error(`execute failed (code ${result.code}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
		}
		run = result.run;
	});

	afterAll(async () => {
		await n8n?.dispose();
		await emulator?.stop();
	});

	it('streams an answer with its tool call and the usage Studio only gives on retrieve', () => {
		const [item] = nodeItems(run, 'Ask Weather Bot');
		expect(item.json).toMatchObject({
			answer: 'Hangzhou: sunny, 24°C ☀️',
			status: 'completed',
			usage: { token_count: 2308, output_count: 111, input_count: 2197 },
			tool_calls: [{ name: 'weather-getForecast', arguments: { city: '杭州', days: 3 }, plugin_id: '' }],
		});
	});

	it('retrieves the chat and lists its messages (Studio\'s Messages key)', () => {
		expect(nodeItems(run, 'Retrieve Chat')[0].json).toMatchObject({ status: 'completed', answer: 'Hangzhou: sunny, 24°C ☀️' });
		expect(nodeItems(run, 'List Messages')[0].json).toMatchObject({ answer: 'Hangzhou: sunny, 24°C ☀️', tool_calls: [{ name: 'weather-getForecast' }] });
	});

	it('keeps a conversation over two turns, the second in non-stream mode, and gets it (ConversationData)', () => {
		const conversation = nodeItems(run, 'Create Conversation')[0].json;
		expect(nodeItems(run, 'Turn 2')[0].json).toMatchObject({
			conversation_id: conversation.id,
			answer: 'Turn 2. You said: "What is my name?". Before that you said: "My name is Ada.".',
		});
		expect(nodeItems(run, 'Get Conversation')[0].json).toMatchObject({ id: conversation.id, last_section_id: conversation.last_section_id });
	});

	it("uploads a file from n8n's binary store into a knowledge base the way Studio takes it (an uploaded object), and lists it", () => {
		const [item] = nodeItems(run, 'Upload Guide');
		expect(item.json).toMatchObject({ name: 'studio-guide.md', state: 'processed' });
		expect(emulator.knowledge.documents.get(String(item.json.document_id))?.content.toString('utf8')).toBe(STUDIO_GUIDE);
		const [create] = emulator.requestsTo('/open_api/knowledge/document/create');
		expect((create.body as { document_bases: Array<{ source_info: Record<string, unknown> }> }).document_bases[0].source_info).toMatchObject({ tos_uri: expect.stringMatching(/^bot_files\/\d+\/studio-guide\.md$/) });
		expect(nodeItems(run, 'List Documents').map((i) => i.json.name)).toEqual(['welcome.md', 'returns-policy.md', 'studio-guide.md']);
	});

	it('says Submit Tool Outputs is not supported by this Coze server', () => {
		const [item] = nodeItems(run, 'Submit Tool Outputs');
		expect(String(item.json.error)).toContain('Submit Tool Outputs is not supported by this Coze server');
		log(`${target.name}: Studio emulator saw ${emulator.requests.length} requests`);
	});
});
