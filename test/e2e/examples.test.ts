/**
 * The example workflows in examples/, imported as shipped into real n8n (each pinned version) and
 * run against the Coze emulator:
 * - nightly batch, through its "Run once now" Manual Trigger with `n8n execute` (the CLI can only
 *   start at a Manual Trigger; the Schedule Trigger feeds the very same nodes);
 * - AI Agent with the Coze Chat Tool, AI Agent with Coze plugins, the bot with n8n tools and the manual client-side tool round
 *   trip, with `n8n execute`;
 * - answer with voice, published and called over HTTP: the reply carries the bot's answer and its audio;
 * - folder sync into a knowledge base, run twice with `n8n execute`: the base ends up mirroring the folder;
 * - a bot that sends pictures, published and called over HTTP: the reply is the picture itself;
 * - chatbot with memory, published and called over HTTP like a chat widget: two sessions, two turns
 *   each, turn 2 of each session must see its own turn 1 and never the other session's;
 * - test the draft, then publish, with `n8n execute`: a copy whose prompt misses a fact reports the
 *   failing check and publishes nothing; the shipped one updates the draft, passes and publishes it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { clientToolAnswer, scenarios } from '../emulator/scenarios';
import { PNG_BYTES } from '../emulator/files';
import { KNOWLEDGE_BASES } from '../emulator/knowledge';
import { STORE_HELPER } from '../emulator/bots';
import { NEWS_PLUGIN } from '../emulator/plugins';
import { examplesForImport, parseCsv, prepareBatchFolder, prepareKnowledgeFolder, readExample } from './examples';
import { N8nInstance, REPO_ROOT, TARGETS, freePort, log, nodeItems, packPackage, timed, type RunJson } from './n8n';
import { emulatorCredential, openAiEmulatorCredential } from './workflows';

async function execute(n8n: N8nInstance, id: string): Promise<RunJson> {
	const result = await timed(`${n8n.target.name}: execute ${id}`, () => n8n.execute(id));
	if (!result.run || result.code !== 0) {
		throw new Error(`execute ${id} failed (code ${result.code}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-3000)}`);
	}
	return result.run;
}

/** Posts one chat message to a published Chat Trigger; returns the response body. */
async function postChat(port: number, webhookId: string, sessionId: string, chatInput: string): Promise<string> {
	let response: Response;
	// n8n may answer before it has registered the production webhooks (1.x): 404 means "not yet".
	for (let attempt = 0; ; attempt++) {
		response = await fetch(`http://127.0.0.1:${port}/webhook/${webhookId}/chat`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ action: 'sendMessage', sessionId, chatInput }),
		});
		if (response.status !== 404 || attempt >= 60) break;
		await response.text();
		await new Promise((r) => setTimeout(r, 500));
	}
	const body = await response.text();
	if (response.status !== 200) throw new Error(`chat ${sessionId}: HTTP ${response.status}: ${body.slice(0, 2000)}`);
	return body;
}

/** Sends one chat message to a published Chat Trigger; returns the streamed text of a node. */
async function chat(port: number, webhookId: string, sessionId: string, chatInput: string, fromNode: string): Promise<string> {
	const body = await postChat(port, webhookId, sessionId, chatInput);
	const chunks = body
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line) as { type: string; content?: string; metadata?: { nodeName?: string } });
	const fromCoze = chunks.filter((c) => c.metadata?.nodeName === fromNode);
	expect(fromCoze[0]?.type).toBe('begin');
	expect(fromCoze[fromCoze.length - 1]?.type).toBe('end');
	return fromCoze
		.filter((c) => c.type === 'item')
		.map((c) => c.content)
		.join('');
}

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('examples in %s', (_label, target) => {
	let emulator: CozeEmulator;
	let n8n: N8nInstance;
	let batchFolder: string;
	let knowledgeFolder: string;

	beforeAll(async () => {
		// The emulator as `npm start` runs it (demo bots and answers), since that is where the examples are imported.
		emulator = await startEmulator({ demo: true });
		const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `coze-examples-${target.name}-`));
		batchFolder = path.join(userFolder, 'files', 'coze-batch');
		knowledgeFolder = path.join(userFolder, 'files', 'coze-knowledge');
		// n8n 2.x lets workflows touch files only under N8N_RESTRICT_FILE_ACCESS_TO (default ~/.n8n-files).
		n8n = new N8nInstance(target, { userFolder, env: { N8N_RESTRICT_FILE_ACCESS_TO: path.dirname(batchFolder) } });
		n8n.installPackage(packPackage(path.join(REPO_ROOT, '.e2e-tmp', 'examples')));
		await n8n.importCredentials([emulatorCredential(emulator.url, EMULATOR_TOKEN), openAiEmulatorCredential(emulator.url)]);
		await timed(`${target.name}: import the examples`, () => n8n.importWorkflows([...examplesForImport({ batch: batchFolder, knowledge: knowledgeFolder }), toolTurnedOn()]));
	});

	/** The advanced round trip as its note says to change it: its Local Data Assistant (a Code Tool, not connected as shipped) connected to Tools. */
	function toolTurnedOn(): ReturnType<typeof readExample> {
		const shipped = readExample('clientToolRoundTrip');
		const connections = { ...(shipped.connections as object), 'Local Data Assistant': { ai_tool: [[{ node: 'Ask Coze', type: 'ai_tool', index: 0 }]] } };
		return { ...shipped, id: 'cozeExToolTripOn', name: `${shipped.name} (tool connected)`, connections };
	}

	afterAll(async () => {
		await n8n?.dispose();
		await emulator?.stop();
	});

	it('nightly batch: reads prompts.csv, asks Coze 4 at a time, writes every answer to a CSV in row order', async () => {
		const prompts = prepareBatchFolder(batchFolder);
		const run = await execute(n8n, readExample('nightlyBatch').id);
		expect(nodeItems(run, 'Ask Coze')).toHaveLength(prompts.length);
		const written = fs.readdirSync(batchFolder).filter((f) => /^answers-\d{4}-\d{2}-\d{2}\.csv$/.test(f));
		expect(written).toHaveLength(1);
		const rows = parseCsv(fs.readFileSync(path.join(batchFolder, written[0]), 'utf8'));
		expect(rows.map((r) => [r.id, r.prompt])).toEqual(prompts.map((p) => [p.id, p.prompt]));
		rows.forEach((row) => {
			// The echo bot quotes the prompt: each answer sits in its own prompt's row.
			expect(row.answer).toBe(`Turn 1. You said: "${row.prompt}". This is the start of our conversation.`);
			expect(row.status).toBe('completed');
			expect(Number(row.tokens)).toBe(120);
		});
		const asked = emulator.requestsTo('/v3/chat').map((r) => (r.body as { user_id: string }).user_id);
		// The node's default User ID: one Coze user per workflow outside a chat.
		expect(asked.filter((u) => u === `n8n-workflow-${readExample('nightlyBatch').id}`)).toHaveLength(prompts.length);
	});

	it('AI Agent: the model calls the Coze Chat Tool and answers with the bot\'s reply', async () => {
		const before = emulator.requestsTo('/v3/chat').length;
		const run = await execute(n8n, readExample('aiAgentTool').id);
		const asked = emulator.requestsTo('/v3/chat').slice(before);
		expect(asked).toHaveLength(1);
		expect((asked[0].body as { bot_id: string }).bot_id).toBe(scenarios.plain.botId);
		expect(String(nodeItems(run, 'AI Agent')[0].json.output)).toContain('2024 年 10 月 1 日是星期二。');
	});

	it('AI Agent with Coze plugins: the model fills the plugin tool\'s arguments from its schema and answers with the result', async () => {
		const calls = () => emulator.requests.filter((r) => r.method === 'POST' && r.path === `/v1/plugins/${NEWS_PLUGIN}/tools/call`);
		const before = calls().length;
		const run = await execute(n8n, readExample('aiAgentPlugins').id);
		const sent = calls().slice(before);
		expect(sent).toHaveLength(1);
		expect(sent[0].body).toEqual({ tool_name: 'getToutiaoNews', arguments: { q: 'Hangzhou autumn holiday', count: 3 } });
		// The model is told what the tool does in the plugin's and the tool's own words.
		const asked = emulator.requestsTo('/v1/chat/completions').map((r) => (r.body as { tools?: Array<{ function: { name: string; description: string } }> }).tools ?? []);
		expect(asked.flat().find((t) => t.function.name === 'Toutiao_News')?.function.description).toMatch(/^Toutiao News \(Search the latest news articles from Toutiao\.\): getToutiaoNews/);
		expect(String(nodeItems(run, 'AI Agent')[0].json.output)).toContain('News about Hangzhou autumn holiday');
	});

	it('client-side tool round trip: requires_action → Split Out → Set → Aggregate → Submit Tool Outputs', async () => {
		const run = await execute(n8n, readExample('clientToolRoundTrip').id);
		const asked = nodeItems(run, 'Ask Coze')[0].json;
		expect(asked.status).toBe('requires_action');
		const [answer] = nodeItems(run, 'Submit Tool Outputs');
		expect(answer.json).toMatchObject({ status: 'completed', chat_id: asked.chat_id, conversation_id: asked.conversation_id });
		expect(answer.json.answer).toBe(
			'According to local_data_assistant: {"city":"南京","forecast":"rain","temperature_c":18}',
		);
		const [submit] = emulator.requestsTo('/v3/chat/submit_tool_outputs');
		expect(submit.query).toEqual({ conversation_id: asked.conversation_id, chat_id: asked.chat_id });
		const toolCalls = (asked.required_action as { tool_calls: Array<{ id: string }> }).tool_calls;
		expect((submit.body as { tool_outputs: Array<{ tool_call_id: string }> }).tool_outputs.map((t) => t.tool_call_id)).toEqual(
			toolCalls.map((t) => t.id),
		);
	});

	it('client-side tool round trip with its Local Data Assistant connected (as its note says): Ask Coze answers the plugin itself and takes "Answer without tools"', async () => {
		const run = await execute(n8n, 'cozeExToolTripOn');
		const [answer] = nodeItems(run, 'Ask Coze');
		expect(answer.json).toMatchObject({
			status: 'completed',
			tool_rounds: 1,
			answer: 'According to local_data_assistant: {"city":"南京","forecast":"rain","temperature_c":18}',
		});
		expect((answer.json.tool_calls as Array<{ n8n_node: string }>).map((c) => c.n8n_node)).toEqual(['Local Data Assistant']);
		expect(nodeItems(run, 'Answer without tools')).toHaveLength(1);
		expect(Object.keys(run.data.resultData.runData)).not.toContain('Submit Tool Outputs');
	});

	it('Coze bot with n8n tools: the Code Tool and the sub-workflow answer the plugins, the answer holds both outputs', async () => {
		const run = await execute(n8n, readExample('botWithN8nTools').id);
		const [answer] = nodeItems(run, 'Ask Coze');
		const weather = 'Kyoto: 17°C and cloudy';
		const outfit = JSON.stringify([{ outfit: 'a light jacket' }]); // the Workflow Tool's items, pretty-printed JSON sent compact
		expect(answer.json).toMatchObject({ status: 'completed', tool_rounds: 2, answer: clientToolAnswer([weather, outfit]) });
		expect((answer.json.tool_calls as Array<{ n8n_node: string }>).map((c) => c.n8n_node)).toEqual(['Get Local Weather', 'Suggest Outfit']);
	});

	it('answer with voice: published, a chat message is answered with the bot\'s text, spoken by Text to Speech', async () => {
		const workflow = readExample('answerWithVoice');
		const webhookId = workflow.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger')?.webhookId as string;
		const published = await n8n.cli(
			target.n8n.startsWith('1.') ? ['update:workflow', `--id=${workflow.id}`, '--active=true'] : ['publish:workflow', `--id=${workflow.id}`],
		);
		if (published.code !== 0) throw new Error(`publish failed:\n${published.stdout}\n${published.stderr}`);
		const port = await freePort();
		const server = await timed(`${target.name}: n8n start (voice example)`, () => n8n.start(port));
		const before = emulator.requestsTo('/v1/audio/speech').length;
		const body = await postChat(port, webhookId, 'session-voice', 'Read me the forecast.').finally(() => n8n.stopProcess(server));
		const reply = JSON.parse(body) as Record<string, unknown>;
		const answer = 'Turn 1. You said: "Read me the forecast.". This is the start of our conversation.';
		expect(reply).toMatchObject({ audio_file: 'answer.mp3', voice_id: '7426720361733046281' });
		// The chat shows `output` only: the answer, then the audio's file name and size, as the note says.
		const kb = (Number(reply.audio_bytes) / 1024).toFixed(1);
		expect(reply.output).toBe(`${answer}\n\n🔊 answer.mp3 (${kb} KB) is in the binary field data of Speak the Answer`);
		// Real MP3 audio about as long as saying the answer takes (not a few bytes that play 0:00).
		expect(Number(reply.audio_bytes)).toBeGreaterThan(10_000);
		const spoken = emulator.requestsTo('/v1/audio/speech').slice(before);
		expect(spoken.map((r) => r.body)).toEqual([{ input: answer, voice_id: '7426720361733046281', response_format: 'mp3', speed: 1, sample_rate: 24000 }]);
	});

	it('a bot that sends pictures: published, a POST is answered with the picture the bot\'s answer showed, as image/png', async () => {
		const workflow = readExample('botSendsPictures');
		const published = await n8n.cli(
			target.n8n.startsWith('1.') ? ['update:workflow', `--id=${workflow.id}`, '--active=true'] : ['publish:workflow', `--id=${workflow.id}`],
		);
		if (published.code !== 0) throw new Error(`publish failed:\n${published.stdout}\n${published.stderr}`);
		const port = await freePort();
		const server = await timed(`${target.name}: n8n start (pictures example)`, () => n8n.start(port));
		let response: Response | undefined;
		let body = Buffer.alloc(0);
		try {
			// n8n may answer before it has registered the production webhooks (1.x): 404 means "not yet".
			for (let attempt = 0; attempt < 60; attempt++) {
				response = await fetch(`http://127.0.0.1:${port}/webhook/coze-picture`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ message: 'Paint me a sunset' }),
				});
				body = Buffer.from(await response.arrayBuffer());
				if (response.status !== 404) break;
				await new Promise((r) => setTimeout(r, 500));
			}
		} finally {
			await n8n.stopProcess(server);
		}
		expect(response?.status).toBe(200);
		expect(response?.headers.get('content-type')).toMatch(/^image\/png/);
		expect(body.equals(PNG_BYTES)).toBe(true);
		// Fetched from the file host without the Coze token.
		const fetched = emulator.requests.filter((r) => r.path.startsWith('/files/sunset'));
		expect(fetched.length).toBeGreaterThan(0);
		for (const request of fetched) expect(request.headers.authorization).toBeUndefined();
	});

	it('folder sync: every file becomes a processed document, the page gone from the folder is deleted; a second run replaces and prunes', async () => {
		const wiki = KNOWLEDGE_BASES.wiki.id;
		const names = prepareKnowledgeFolder(knowledgeFolder);
		const documents = () => emulator.knowledge.documentsOf(wiki);
		const first = await execute(n8n, readExample('syncFolder').id);
		const uploaded = nodeItems(first, 'Upload to Coze');
		expect(uploaded.map((i) => [i.json.name, i.json.state])).toEqual(names.map((name) => [name, 'processed']));
		expect(nodeItems(first, 'Delete them')[0].json).toMatchObject({ deleted: true });
		expect(documents().map((d) => d.name).sort()).toEqual(names);
		for (const name of names) {
			expect(documents().find((d) => d.name === name)?.content.toString('utf8')).toBe(fs.readFileSync(path.join(knowledgeFolder, name), 'utf8'));
		}

		// A file changes, one is removed: the next run replaces the first and prunes the second.
		const before = new Map(documents().map((d) => [d.name, d.document_id]));
		fs.writeFileSync(path.join(knowledgeFolder, 'pricing.md'), '# Pricing\n\nEverything is free this month.\n');
		fs.rmSync(path.join(knowledgeFolder, 'faq.md'));
		const second = await execute(n8n, readExample('syncFolder').id);
		const replaced = nodeItems(second, 'Upload to Coze').find((i) => i.json.name === 'pricing.md');
		expect(replaced?.json.replaced_document_ids).toEqual([before.get('pricing.md')]);
		expect(nodeItems(second, 'Delete them')[0].json).toMatchObject({ deleted_document_ids: [before.get('faq.md')] });
		expect(documents().map((d) => d.name).sort()).toEqual(['getting-started.md', 'pricing.md']);
		expect(documents().find((d) => d.name === 'pricing.md')?.content.toString('utf8')).toContain('Everything is free');
		const creates = emulator.requestsTo('/open_api/knowledge/document/create');
		expect(creates.every((r) => r.headers['agw-js-conv'] === 'str')).toBe(true);
	});

	it('chatbot with memory: published, two sessions × two turns over HTTP, each session keeps its own Coze conversation', async () => {
		const workflow = readExample('chatbotWithMemory');
		const webhookId = workflow.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger')?.webhookId as string;
		// 2.x publishes workflows; 1.x activates them.
		const published = await n8n.cli(
			target.n8n.startsWith('1.') ? ['update:workflow', `--id=${workflow.id}`, '--active=true'] : ['publish:workflow', `--id=${workflow.id}`],
		);
		if (published.code !== 0) throw new Error(`publish failed:\n${published.stdout}\n${published.stderr}`);
		const port = await freePort();
		const server = await timed(`${target.name}: n8n start (chatbot example)`, () => n8n.start(port));
		const before = emulator.requestsTo('/v3/chat').length;
		const say = (session: string, text: string) => chat(port, webhookId, session, text, 'Ask Coze');

		const alice1 = await say('session-alice', 'My name is Alice.');
		const bob1 = await say('session-bob', 'My name is Bob.');
		const alice2 = await say('session-alice', 'What is my name?');
		const bob2 = await say('session-bob', 'What is my name?');
		const chats = emulator.requestsTo('/v3/chat').slice(before);

		// Where the state lives: the workflow's static data in n8n's database, under the node's name.
		await n8n.stopProcess(server);
		const file = path.join(n8n.userFolder, 'exported.json');
		const exported = await n8n.cli(['export:workflow', `--id=${workflow.id}`, `--output=${file}`]);
		if (exported.code !== 0) throw new Error(`export failed:\n${exported.stdout}\n${exported.stderr}`);
		const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ staticData?: Record<string, unknown> }>;
		log(`${target.name} chatbot: ${JSON.stringify([alice1, bob1, alice2, bob2])}; static data ${JSON.stringify(saved[0].staticData)}`);

		expect(alice1).toBe('Turn 1. You said: "My name is Alice.". This is the start of our conversation.');
		expect(bob1).toBe('Turn 1. You said: "My name is Bob.". This is the start of our conversation.');
		expect(alice2).toBe('Turn 2. You said: "What is my name?". Before that you said: "My name is Alice.".');
		expect(bob2).toBe('Turn 2. You said: "What is my name?". Before that you said: "My name is Bob.".');
		// Every chat names its conversation: the node starts a key's conversation itself (carrying the
		// key's digest), and each session's two turns share one.
		const conversations = chats.map((c) => c.query.conversation_id);
		expect(conversations.every((id) => /^\d+$/.test(String(id)))).toBe(true);
		expect([conversations[2], conversations[3]]).toEqual([conversations[0], conversations[1]]);
		expect(conversations[0]).not.toBe(conversations[1]);
		expect(chats.map((c) => (c.body as { user_id: string }).user_id)).toEqual(['session-alice', 'session-bob', 'session-alice', 'session-bob']);
		const map = (saved[0].staticData?.['node:Ask Coze'] as { conversationsByKey?: Array<[string, string]> })?.conversationsByKey;
		// A digest per session (keyed with the instance id), never the session id itself.
		expect(map).toHaveLength(2);
		expect(map?.every(([key]) => /^[0-9a-f]{64}$/.test(key))).toBe(true);
		expect(JSON.stringify(saved[0].staticData)).not.toContain('session-');
		expect(map?.map(([, conversation]) => conversation)).toEqual([conversations[0], conversations[1]]);
	});

	it('test the draft, then publish: a draft missing a fact is reported and not published; the shipped prompt passes and is published', async () => {
		const workflow = readExample('testTheDraft');
		const promptOf = (w: typeof workflow) => {
			const settings = w.nodes.find((n) => n.name === 'New draft prompt')?.parameters.assignments as { assignments: Array<{ name: string; value: string }> };
			return settings.assignments.find((a) => a.name === 'prompt')!;
		};
		const shippedPrompt = promptOf(workflow).value;
		const helper = () => emulator.bots.bots.get(STORE_HELPER.id)!;
		const publishedBefore = helper().online?.version;

		// A copy whose new prompt leaves out the shipping fact: that check fails, nothing is published.
		const failing = structuredClone(workflow);
		failing.id = 'cozeExPromptOps2';
		failing.name = `${workflow.name} (missing a fact)`;
		promptOf(failing).value = 'You are the Acme Store helper. The store opens at 8 am on weekdays. Returns are accepted within 30 days.';
		await n8n.importWorkflows([failing]);
		const chatsBefore = emulator.requestsTo('/v3/chat').length;
		const failed = await execute(n8n, failing.id);
		const [report] = nodeItems(failed, 'What failed');
		expect(report.json).toMatchObject({ result: 'not published: the draft failed checks', checks: '2 of 3 passed' });
		expect(report.json.failed).toEqual([{ question: 'Is shipping free?', expected: 'over 50 euros', answer: 'I don\'t know that: it is not in my instructions.', passed: false }]);
		expect(failed.data.resultData.runData.Publish).toBeUndefined();
		expect(emulator.requestsTo('/v1/bot/publish')).toHaveLength(0);
		expect(helper().draft.prompt).toBe(promptOf(failing).value);
		expect(helper().online?.version).toBe(publishedBefore);
		const asked = emulator.requestsTo('/v3/chat').slice(chatsBefore);
		expect(asked.map((r) => (r.body as { publish_status?: string }).publish_status)).toEqual(['unpublished_draft', 'unpublished_draft', 'unpublished_draft']);

		const passed = await execute(n8n, workflow.id);
		expect(nodeItems(passed, 'Update the draft')[0].json).toMatchObject({ bot_id: STORE_HELPER.id, changed: ['prompt_info'] });
		expect(nodeItems(passed, 'Ask the draft').map((i) => i.json.answer)).toEqual([
			'The store opens at 8 am on weekdays.',
			'Returns are accepted within 30 days.',
			'Shipping is free for orders over 50 euros.',
		]);
		const [published] = nodeItems(passed, 'Published');
		expect(published.json).toMatchObject({ result: 'published', checks: '3 of 3 passed' });
		expect(published.json.version).toBe(helper().online?.version);
		expect(helper().online?.version).not.toBe(publishedBefore);
		expect(helper().online?.config.prompt).toBe(shippedPrompt);
		expect(emulator.requestsTo('/v1/bot/publish').map((r) => r.body)).toEqual([{ bot_id: STORE_HELPER.id, connector_ids: ['1024'] }]);
		// Only the prompt was sent: the rest of the agent is as it was.
		expect(emulator.requestsTo('/v1/bot/update').map((r) => Object.keys(r.body as object))).toEqual([['bot_id', 'prompt_info'], ['bot_id', 'prompt_info']]);
	});
});
