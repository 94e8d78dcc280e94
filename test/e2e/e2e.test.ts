/**
 * End to end: the packed tarball installed into a real n8n (each pinned version), credentials and
 * workflows imported, `n8n execute` run against the Coze emulator, the run JSON asserted.
 */
import * as fs from 'fs';
import * as path from 'path';

import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { scenarios } from '../emulator/scenarios';
import { N8nInstance, TARGETS, log, nodeItems, timed, type RunJson } from './n8n';
import { usePackedPackage } from './packed';
import {
	COF_BOTS,
	PIXEL_PNG_BASE64,
	QUESTIONS,
	agentWorkflow,
	emulatorCredential,
	failingWorkflow,
	happyWorkflow,
	openAiEmulatorCredential,
	variablesWorkflow,
} from './workflows';

const tarball = usePackedPackage('e2e');

beforeAll(() => {
	const manifest = JSON.parse(
		require('child_process').execFileSync('tar', ['-xzOf', tarball(), 'package/package.json'], { encoding: 'utf8' }),
	) as Record<string, unknown>;
	expect(manifest.dependencies ?? {}).toEqual({});
});

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('%s', (_label, target) => {
	let emulator: CozeEmulator;
	let n8n: N8nInstance;
	let happy: RunJson;
	let happyStdout: string;

	beforeAll(async () => {
		emulator = await startEmulator();
		n8n = await timed(`${target.name}: install n8n ${target.n8n} (cached after first run)`, () => new N8nInstance(target));
		const packageDir = await timed(`${target.name}: install tarball into .n8n/nodes`, () => n8n.installPackage(tarball()));
		// Nothing but our package may sit in its folder: no bundled node_modules, no peer copy of n8n-workflow.
		expect(fs.existsSync(path.join(packageDir, 'node_modules'))).toBe(false);
		await timed(`${target.name}: import:credentials`, () =>
			n8n.importCredentials([emulatorCredential(emulator.url, EMULATOR_TOKEN), openAiEmulatorCredential(emulator.url)]),
		);
		await timed(`${target.name}: import:workflow`, () => n8n.importWorkflows([happyWorkflow(), failingWorkflow(), agentWorkflow(), variablesWorkflow()]));
		const result = await timed(`${target.name}: execute happy-path workflow`, () => n8n.execute('cozeE2eHappy00001'));
		if (!result.run || result.code !== 0) {
			throw new Error(`execute failed (code ${result.code}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
		}
		happy = result.run;
		happyStdout = result.stdout + result.stderr;
	});

	afterAll(async () => {
		await n8n?.dispose();
		await emulator?.stop();
	});

	it('streams answers with tool calls and usage, one item per input item with pairedItem', () => {
		const out = nodeItems(happy, 'Ask Weather Bot');
		expect(out).toHaveLength(3);
		out.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json).toMatchObject({
				answer: 'Hangzhou: sunny, 24°C ☀️',
				status: 'completed',
				usage: { token_count: 2308, output_count: 111, input_count: 2197 },
				bot_id: scenarios.toolCall.botId,
			});
			const toolCalls = item.json.tool_calls as Array<Record<string, unknown>>;
			expect(toolCalls[0]).toMatchObject({ name: 'weather-getForecast', plugin_id: '7379227414322217010', arguments: { city: '杭州', days: 3 } });
		});
		const chats = emulator.requestsTo('/v3/chat');
		const questions = chats.map((r) => (r.body as { additional_messages: Array<{ content: string }> }).additional_messages[0].content);
		expect(questions).toEqual(expect.arrayContaining(QUESTIONS));
		expect(chats.every((r) => r.headers.authorization === `Bearer ${EMULATOR_TOKEN}`)).toBe(true);
	});

	it("puts Coze's token usage and the chat ids into n8n's execution data where n8n supports it (2.x), nothing on 1.x", () => {
		const [task] = happy.data.resultData.runData['Ask Weather Bot'];
		log(`${target.name}: Ask Weather Bot's run metadata: ${JSON.stringify(task.metadata ?? null).slice(0, 600)}`);
		if (target.n8n.startsWith('1.')) {
			// n8n-workflow 1.x has no accumulateTokenUsage and no tracing metadata: the node sets none.
			expect(task.metadata?.tokenUsage).toBeUndefined();
			expect(task.metadata?.tracing).toBeUndefined();
			return;
		}
		// Three items, each with the tool-call bot's usage (input_count 2197, output_count 111).
		expect(task.metadata?.tokenUsage).toEqual({ inputTokens: 3 * 2197, outputTokens: 3 * 111 });
		expect(task.metadata?.tracing).toMatchObject({ 'coze.operation': 'chat.sendMessage', 'coze.items': 3, 'coze.items_failed': 0 });
		const chatIds = nodeItems(happy, 'Ask Weather Bot').map((item) => item.json.chat_id as string);
		expect(String(task.metadata?.tracing?.['coze.chat_id']).split(',').sort()).toEqual(chatIds.sort());
	});

	it('retrieves each chat with its answer', () => {
		const asked = nodeItems(happy, 'Ask Weather Bot');
		const out = nodeItems(happy, 'Retrieve Chat');
		expect(out).toHaveLength(3);
		out.forEach((item, i) => {
			expect(item.json).toMatchObject({ id: asked[i].json.chat_id, status: 'completed', answer: 'Hangzhou: sunny, 24°C ☀️' });
		});
	});

	it('keeps a multi-turn conversation: conversation_id goes as a query parameter and turn 2 sees turn 1', () => {
		const conversation = nodeItems(happy, 'Create Conversation')[0].json;
		expect(conversation).toMatchObject({ meta_data: { source: 'n8n-e2e' } });
		expect(conversation.id).toMatch(/^\d{19}$/);
		const turn1 = nodeItems(happy, 'Turn 1')[0].json;
		const turn2 = nodeItems(happy, 'Turn 2')[0].json;
		expect(turn1.conversation_id).toBe(conversation.id);
		expect(turn2.conversation_id).toBe(conversation.id);
		expect(turn1.answer).toBe('Turn 1. You said: "My name is Ada.". This is the start of our conversation.');
		expect(turn2.answer).toBe('Turn 2. You said: "What is my name?". Before that you said: "My name is Ada.".');
		const turns = emulator.requestsTo('/v3/chat').filter((r) => r.query.conversation_id === conversation.id);
		expect(turns).toHaveLength(2);
		expect(turns.every((r) => !('conversation_id' in (r.body as object)))).toBe(true);
	});

	it('answers in non-stream mode by polling retrieve and reading the message list', () => {
		const out = nodeItems(happy, 'Non-stream')[0].json;
		expect(out).toMatchObject({ answer: '2024 年 10 月 1 日是星期二。', status: 'completed', usage: { token_count: 633 } });
		const created = emulator.requestsTo('/v3/chat').find((r) => (r.body as { stream?: boolean }).stream === false);
		expect(created?.body).toMatchObject({ stream: false, auto_save_history: true });
		expect(emulator.requestsTo('/v3/chat/message/list').some((r) => r.query.chat_id === out.chat_id)).toBe(true);
	});

	it('with Continue On Fail, the failing item carries Coze\'s error and the others still run', () => {
		const out = nodeItems(happy, 'Ask With Continue On Fail');
		expect(out).toHaveLength(COF_BOTS.length);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.answer).toBe('2024 年 10 月 1 日是星期二。');
		expect(out[1].json.error).toBe('Coze error 5000: The Coze chat failed: event interval error');
		expect(out[1].json.code).toBe(5000);
		expect(out[2].json.follow_ups).toEqual(['What is the best season?', 'How do I get there?', 'Any food tips?']);
	});

	it('fails the execution with Coze\'s code and msg when Continue On Fail is off', async () => {
		const result = await timed(`${target.name}: execute failing workflow`, () => n8n.execute('cozeE2eFailing001'));
		expect(result.code).not.toBe(0);
		const error = result.run?.data.resultData.error ?? result.run?.data.resultData.runData['Ask Failing Bot']?.[0]?.error;
		expect(error?.message).toContain('Coze error 5000');
		expect(error?.message).toContain('event interval error');
		expect(result.stdout + result.stderr).not.toContain(EMULATOR_TOKEN);
	});

	it('runs the tool-output round trip: requires_action → Submit Tool Outputs → answer', () => {
		const asked = nodeItems(happy, 'Ask Local Plugin Bot')[0].json;
		expect(asked.status).toBe('requires_action');
		const [item] = nodeItems(happy, 'Submit Tool Outputs');
		expect(item.json).toMatchObject({
			status: 'completed',
			chat_id: asked.chat_id,
			answer: 'According to local_data_assistant: {"city":"南京","forecast":"rain"}',
		});
		const [submit] = emulator.requestsTo('/v3/chat/submit_tool_outputs');
		expect(submit.query).toEqual({ conversation_id: asked.conversation_id, chat_id: asked.chat_id });
	});

	it('sends an image from n8n binary data: upload, then object_string with its file id', () => {
		const [item] = nodeItems(happy, 'Ask About Image');
		expect(item.json.answer).toBe('I received 1 attachment(s): image pixel.png. Your text: "What is in this picture?".');
		const [upload] = emulator.requestsTo('/v1/files/upload');
		expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		const file = [...emulator.files.values()].find((f) => f.name === 'pixel.png');
		expect(file?.contentType).toBe('image/png');
		expect(file?.bytes.equals(Buffer.from(PIXEL_PNG_BASE64, 'base64'))).toBe(true);
	});

	it('registers the AI tool variant (usableAsTool) with the operations and a tool description', async () => {
		const file = path.join(n8n.userFolder, 'nodes.json');
		const result = await timed(`${target.name}: export:nodes`, () => n8n.cli(['export:nodes', `--output=${file}`]));
		expect(result.code).toBe(0);
		const types = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ name: string; outputs: unknown; properties: Array<{ name: string; options?: Array<{ value: string }> }> }>;
		const tool = types.find((t) => t.name === 'n8n-nodes-coze.cozeChatTool');
		expect(tool).toBeDefined();
		expect(JSON.stringify(tool!.outputs)).toContain('ai_tool');
		const names = tool!.properties.map((p) => p.name);
		expect(names).toEqual(expect.arrayContaining(['toolDescription', 'resource', 'operation', 'botId', 'userId', 'message']));
		const operations = tool!.properties.filter((p) => p.name === 'operation').flatMap((p) => p.options?.map((o) => o.value) ?? []);
		expect(operations).toEqual(expect.arrayContaining(['sendMessage', 'retrieve', 'submitToolOutputs', 'create', 'upload']));
	});

	it('works as a tool of n8n\'s AI Agent: the model fills the message, the agent reads the answer', async () => {
		const before = emulator.requestsTo('/v3/chat').length;
		const result = await timed(`${target.name}: execute AI Agent workflow`, () => n8n.execute('cozeE2eAgentTool1'));
		if (!result.run || result.code !== 0) throw new Error(`agent run failed:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`);
		const asked = emulator.requestsTo('/v3/chat').slice(before);
		expect(asked).toHaveLength(1);
		expect((asked[0].body as { additional_messages: Array<{ content: string }> }).additional_messages[0].content).toBe('What day is 2024-10-01?');
		const [answer] = nodeItems(result.run, 'AI Agent');
		// The model is offered the tool with the description the workflow wrote (Set Manually; left on
		// Set Automatically n8n would ignore it and describe the node generically).
		const offered = emulator.requestsTo('/v1/chat/completions').slice(-2)[0].body as { tools?: Array<{ function: { description: string } }> };
		expect(offered.tools?.map((t) => t.function.description)).toEqual(['Ask the Coze calendar bot a question about dates']);
		// The scripted model answers in words, quoting what the tool found.
		expect(String(answer.json.output)).toBe('I asked the Coze bot. It says: 2024 年 10 月 1 日是星期二。');
		// What the model was given: the tool's simplified output (answer and ids), no usage counters.
		const toolTurns = emulator
			.requestsTo('/v1/chat/completions')
			.flatMap((r) => (r.body as { messages: Array<{ role: string; content?: unknown }> }).messages)
			.filter((m) => m.role === 'tool');
		const given = JSON.stringify(toolTurns.at(-1)?.content);
		log(`${target.name}: the model got from the Coze tool: ${given.slice(0, 300)}`);
		expect(given).toContain('2024 年 10 月 1 日是星期二。');
		expect(given).toContain('conversation_id');
		expect(given).not.toContain('token_count');
		expect(given).not.toContain('reasoning_content');
		// As a tool of AI Agent 2.2, n8n records the tool run's task data itself (addOutputData in
		// n8n-core's supply-data-context sets its own metadata): what the node set does not reach the run
		// data, in either version. docs/operations.md (Token usage and tracing) says so; this tells when a pinned n8n starts keeping it.
		const toolRun = result.run.data.resultData.runData['Coze Chat Tool']?.[0];
		log(`${target.name}: Coze Chat Tool's run metadata: ${JSON.stringify(toolRun?.metadata ?? null).slice(0, 400)}`);
		expect(toolRun?.metadata?.tokenUsage).toBeUndefined();
		expect(toolRun?.metadata?.tracing).toBeUndefined();
	});

	it("sets a user's variables and reads them back; another user keeps the defaults", async () => {
		const result = await timed(`${target.name}: execute variables workflow`, () => n8n.execute('cozeE2eVariables1'));
		if (!result.run || result.code !== 0) throw new Error(`variables run failed:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`);
		expect(nodeItems(result.run, 'Set Variables')[0].json).toEqual({ bot_id: scenarios.memory.botId, user_id: 'e2e-variables-user', set: { name: 'Ada', city: 'Kyoto' } });
		const [read] = nodeItems(result.run, 'Get Variables');
		expect(read.json).toMatchObject({ bot_id: scenarios.memory.botId, user_id: 'e2e-variables-user', variables: { name: 'Ada', city: 'Kyoto' }, not_found: ['shoe_size'] });
		expect(nodeItems(result.run, 'Get Other User')[0].json.variables).toEqual({ name: '', city: 'Hangzhou' });
	});

	it('never prints the token', () => {
		expect(happyStdout).not.toContain(EMULATOR_TOKEN);
		expect(JSON.stringify(happy)).not.toContain(EMULATOR_TOKEN);
		log(`${target.name}: emulator saw ${emulator.requests.length} requests`);
	});
});
