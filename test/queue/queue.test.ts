/**
 * The node in n8n's queue mode: Redis + Postgres + n8n 2.41.1 main (EXECUTIONS_MODE=queue) + two
 * `n8n worker`s, started once for this file. Executions come in through a published webhook on
 * main, run on the workers, and are asserted from Postgres (execution_entity + execution_data) and
 * the Coze emulator's request log. Which worker ran an execution comes from each worker's own log
 * ("Worker started execution <id>"): n8n keeps no worker id in the database.
 */
import * as path from 'path';

import { createTestApp, OAuthEmulator, type TestApp } from '../emulator/oauth';
import { PNG_BYTES } from '../emulator/files';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { scenarios } from '../emulator/scenarios';
import { REPO_ROOT, log, packPackage, timed } from '../e2e/n8n';
import { emulatorCredential } from '../e2e/workflows';
import { QueueCluster, readCmdline, type StoredExecution } from './cluster';
import { cleanup, descendants, isAlive, killTree, sleep } from './services';
import { batchBodies, callWebhook, createConversation, postCounts, postedMessage, postedMessages, waitFor } from './workload';
import { JWT_CREDENTIAL_ID, JWT_CREDENTIAL_NAME, KNOWLEDGE_UPLOAD_NODE, QUEUE_WORKFLOWS, SEND_NODE, picturesWorkflow, batchWorkflow, jwtWorkflow, knowledgeWorkflow, memoryWorkflow, parallelWorkflow, slowWorkflow, type BatchBody } from './workflows';

const packDir = path.join(REPO_ROOT, '.e2e-tmp', 'queue');
let emulator: CozeEmulator;
let cluster: QueueCluster;

let oauth: OAuthEmulator;
let jwtApp: TestApp;

beforeAll(async () => {
	const started = Date.now();
	emulator = await startEmulator();
	const credentials: unknown[] = [emulatorCredential(emulator.url, EMULATOR_TOKEN)];
	const workflows = QUEUE_WORKFLOWS.map((w) => w.json);
	// Scenario 4b: the OAuth JWT credential, its token endpoint in the emulator.
	oauth = OAuthEmulator.install(emulator);
	jwtApp = createTestApp('pkcs8');
	oauth.registerApp(jwtApp);
	credentials.push({
		id: JWT_CREDENTIAL_ID,
		name: JWT_CREDENTIAL_NAME,
		type: 'cozeJwtApi',
		data: { region: 'custom', baseUrl: emulator.url, appId: jwtApp.appId, fingerprint: jwtApp.keyId, privateKey: jwtApp.privateKeyPem, lifetime: 86399 },
	});
	workflows.push(jwtWorkflow.json);
	const tarball = await timed('queue: npm pack', () => packPackage(cleanup.dir(packDir)));
	cluster = await QueueCluster.start({
		workers: 2,
		tarball,
		credentials,
		workflows,
		// n8n's defaults are 60 s and 30 s: same outcome for a killed worker, just later.
		lockDurationMs: 10_000,
		stalledIntervalMs: 5_000,
	});
	log(`queue: setup took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
	const leftovers = cluster ? await timed('queue: teardown', () => cluster.stop()) : [];
	await emulator?.stop();
	cleanup.removeDir(packDir);
	// Every process stopped by pid and every temp dir removed (checked inside stop()).
	expect(leftovers).toEqual([]);
});

function sendOutput(execution: StoredExecution) {
	const runs = execution.data.resultData.runData[SEND_NODE];
	if (!runs) throw new Error(`execution ${execution.id}: ${SEND_NODE} did not run (${execution.status}: ${execution.data.resultData.error?.message})`);
	return runs[0].data?.main[0] ?? [];
}

function webhookInput(execution: StoredExecution): BatchBody {
	return execution.data.resultData.runData.Webhook[0].data!.main[0][0].json.body as BatchBody;
}

function countBy<T>(values: T[]): Map<T, number> {
	const counts = new Map<T, number>();
	for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
	return counts;
}

describe('n8n 2.41.1 queue mode: main + 2 workers, Redis, Postgres', () => {
	it('1. runs 20 ten-item executions started at once across both workers: every item answered once, in order, paired', async () => {
		const after = await cluster.lastExecutionId();
		const bodies = batchBodies('s1', 20, 10);
		const started = Date.now();
		const results = await Promise.all(bodies.map((body) => callWebhook(cluster, batchWorkflow.path, body)));
		log(`scenario 1: 20 executions × 10 items in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));

		const executions = await cluster.executions(batchWorkflow.id, { afterId: after });
		expect(executions).toHaveLength(20);
		const answered: string[] = [];
		for (const execution of executions) {
			expect(execution).toMatchObject({ status: 'success', finished: true, mode: 'webhook' });
			const questions = webhookInput(execution).items.map((i) => i.question);
			const out = sendOutput(execution);
			expect(out).toHaveLength(10);
			out.forEach((item, i) => {
				expect(item.pairedItem).toEqual({ item: i });
				expect(item.json).toMatchObject({ status: 'completed', answer: `Answer to: ${questions[i]}`, bot_id: scenarios.latency.botId });
				answered.push(item.json.answer as string);
			});
		}
		// All 200 questions answered, each exactly once.
		const expected = bodies.flatMap((b) => b.items.map((i) => `Answer to: ${i.question}`));
		expect([...answered].sort()).toEqual([...expected].sort());
		// Coze saw each question exactly once: no chat was created twice, on any worker.
		const counts = postCounts(emulator);
		for (const body of bodies) for (const { question } of body.items) expect([question, counts.get(question)]).toEqual([question, 1]);
		const chatIds = executions.flatMap((e) => sendOutput(e).map((i) => i.json.chat_id));
		expect(new Set(chatIds).size).toBe(200);

		const byWorker = cluster.executionsByWorker();
		const ranOn = executions.map((e) => byWorker.get(e.id));
		const perWorker = countBy(ranOn);
		log(`scenario 1: executions per worker ${JSON.stringify(Object.fromEntries(perWorker))}`);
		expect(ranOn.every((w) => w !== undefined)).toBe(true);
		expect(perWorker.get('worker-1')).toBeGreaterThan(0);
		expect(perWorker.get('worker-2')).toBeGreaterThan(0);
	});

	it('2. runs Items in Parallel on the workers; items of one conversation still go one at a time, in order', async () => {
		const bot = scenarios.latency.botId;
		// 12 items: conversation A ×4, conversation B ×4, 4 without a conversation (a new one each).
		const bodyFor = async (tag: string): Promise<{ body: BatchBody; a: string; b: string }> => {
			const [a, b] = [await createConversation(emulator, bot), await createConversation(emulator, bot)];
			const items = Array.from({ length: 4 }, (_, k) => [
				{ question: `${tag} A${k + 1}`, conversationId: a },
				{ question: `${tag} B${k + 1}`, conversationId: b },
				{ question: `${tag} new${k + 1}` },
			]).flat();
			return { body: { items }, a, b };
		};
		// The chats Coze got for one conversation, in the order they arrived.
		const userTurns = (conversationId: string) =>
			emulator
				.requestsTo('/v3/chat')
				.filter((r) => r.query.conversation_id === conversationId)
				.map(postedMessage);

		// One execution alone: how many of its chats were open at once (Items in Parallel = 4).
		const single = await bodyFor('s2-single');
		let after = await cluster.lastExecutionId();
		emulator.maxOpenStreams = 0;
		const first = await callWebhook(cluster, parallelWorkflow.path, single.body);
		expect(first.status).toBe(200);
		const alone = emulator.maxOpenStreams;
		log(`scenario 2: one execution, 12 items, Items in Parallel 4: ${alone} chats open at most`);
		expect(alone).toBeGreaterThanOrEqual(2);
		expect(alone).toBeLessThanOrEqual(4);
		const [execution] = await cluster.executions(parallelWorkflow.id, { afterId: after });
		expect(execution.status).toBe('success');
		expect(cluster.executionsByWorker().get(execution.id)).toMatch(/^worker-/);
		const out = sendOutput(execution);
		expect(out.map((i) => i.pairedItem)).toEqual(single.body.items.map((_, i) => ({ item: i })));
		expect(out.map((i) => i.json.answer)).toEqual(single.body.items.map((i) => `Answer to: ${i.question}`));
		// The emulator answers 4016 to a second chat in a busy conversation (the execution would have
		// failed), and each conversation's chats reached Coze in item order.
		expect(userTurns(single.a)).toEqual(['s2-single A1', 's2-single A2', 's2-single A3', 's2-single A4']);
		expect(userTurns(single.b)).toEqual(['s2-single B1', 's2-single B2', 's2-single B3', 's2-single B4']);
		expect(out.filter((i) => i.json.conversation_id === single.a)).toHaveLength(4);

		// 12 such executions at once (more than one worker's 10 job slots): both workers run them.
		const many = await Promise.all(Array.from({ length: 12 }, (_, n) => bodyFor(`s2-run${n}`)));
		after = await cluster.lastExecutionId();
		const results = await Promise.all(many.map((m) => callWebhook(cluster, parallelWorkflow.path, m.body)));
		expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
		const executions = await cluster.executions(parallelWorkflow.id, { afterId: after });
		expect(executions.map((e) => e.status)).toEqual(Array(12).fill('success'));
		for (const e of executions) {
			const input = webhookInput(e);
			expect(sendOutput(e).map((i) => [i.pairedItem, i.json.answer])).toEqual(input.items.map((item, i) => [{ item: i }, `Answer to: ${item.question}`]));
		}
		for (const [n, m] of many.entries()) {
			expect(userTurns(m.a)).toEqual([1, 2, 3, 4].map((k) => `s2-run${n} A${k}`));
			expect(userTurns(m.b)).toEqual([1, 2, 3, 4].map((k) => `s2-run${n} B${k}`));
		}
		const perWorker = countBy(executions.map((e) => cluster.executionsByWorker().get(e.id)));
		log(`scenario 2: 12 executions per worker ${JSON.stringify(Object.fromEntries(perWorker))}, ${emulator.maxOpenStreams} chats open at most`);
		expect(perWorker.get('worker-1')).toBeGreaterThan(0);
		expect(perWorker.get('worker-2')).toBeGreaterThan(0);
		const counts = postCounts(emulator);
		for (const m of many) for (const { question } of m.body.items) expect(counts.get(question)).toBe(1);
	});

	it("5. files posted to a webhook reach Coze's knowledge base from the workers, read from n8n's database binary store", async () => {
		const files = Array.from({ length: 6 }, (_, n) => ({ name: `queue-doc-${n}.md`, text: `# Queue document ${n}\n${'x'.repeat(200 * n)}` }));
		const after = await cluster.lastExecutionId();
		const answers = await Promise.all(
			files.map(async (file) => {
				const form = new FormData();
				form.append('data', new Blob([file.text], { type: 'text/markdown' }), file.name);
				const response = await fetch(`${cluster.mainUrl}/webhook/${knowledgeWorkflow.path}`, { method: 'POST', body: form });
				return { status: response.status, body: (await response.json()) as Array<Record<string, unknown>> };
			}),
		);
		expect(answers.map((a) => a.status)).toEqual(Array(files.length).fill(200));
		for (const [n, answer] of answers.entries()) {
			expect(answer.body).toEqual([expect.objectContaining({ name: files[n].name, state: 'processed', progress: 100 })]);
			const stored = emulator.knowledge.documents.get(String(answer.body[0].document_id));
			expect(stored?.content.toString('utf8')).toBe(files[n].text);
		}
		const executions = await cluster.executions(knowledgeWorkflow.id, { afterId: after });
		expect(executions.map((e) => e.status)).toEqual(Array(files.length).fill('success'));
		for (const e of executions) {
			expect(cluster.executionsByWorker().get(e.id)).toMatch(/^worker-/);
			const [item] = e.data.resultData.runData[KNOWLEDGE_UPLOAD_NODE][0].data!.main[0];
			expect(item.pairedItem).toEqual({ item: 0 });
		}
		// The bytes the workers read were in Postgres (n8n 2.x's binary data mode in queue mode is `database`).
		const stored = await cluster.postgres.query<{ fileName: string }>(`select "fileName" from binary_data where "fileName" like 'queue-doc-%' order by "fileName"`);
		expect(stored.map((row) => row.fileName)).toEqual(files.map((file) => file.name));
		const perWorker = countBy(executions.map((e) => cluster.executionsByWorker().get(e.id)));
		log(`scenario 5: ${files.length} uploads, per worker ${JSON.stringify(Object.fromEntries(perWorker))}`);
	});

	it("6. files out: the bot's picture and document, downloaded on a worker, are kept in n8n's database binary store and answered to the caller", async () => {
		const after = await cluster.lastExecutionId();
		let response: Response | undefined;
		let body = Buffer.alloc(0);
		for (let attempt = 0; attempt < 60; attempt++) {
			response = await fetch(`${cluster.mainUrl}/webhook/${picturesWorkflow.path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ message: 'Paint me a sunset' }),
			});
			body = Buffer.from(await response.arrayBuffer());
			if (response.status !== 404) break;
			await sleep(500);
		}
		expect(response?.status).toBe(200);
		expect(response?.headers.get('content-type')).toMatch(/^image\/png/);
		expect(body.equals(PNG_BYTES)).toBe(true);
		const [execution] = await cluster.executions(picturesWorkflow.id, { afterId: after });
		expect(execution.status).toBe('success');
		expect(cluster.executionsByWorker().get(execution.id)).toMatch(/^worker-/);
		const [item] = execution.data.resultData.runData[SEND_NODE][0].data!.main[0];
		expect((item.json.files as Array<{ name: string }>).map((file) => file.name)).toEqual(['sunset.png', 'Quarterly report 季度.pdf', 'sunset-copy.png']);
		// The bytes are in Postgres (binary data mode `database` in queue mode), not in the execution's JSON.
		const stored = await cluster.postgres.query<{ fileName: string }>(
			`select "fileName" from binary_data where "fileName" in ('sunset.png', 'Quarterly report 季度.pdf', 'sunset-copy.png') order by "fileName"`,
		);
		expect(stored.map((row) => row.fileName)).toEqual(expect.arrayContaining(['Quarterly report 季度.pdf', 'sunset-copy.png', 'sunset.png']));
		for (const request of emulator.requests.filter((r) => r.path.startsWith('/files/'))) expect(request.headers.authorization).toBeUndefined();
	});

	// Placed before scenario 3, which takes a worker away (jest runs tests in file order).
	it('4b. OAuth JWT: the token one worker minted (kept in the credential, in Postgres) is the one the other worker uses', async () => {
		const mintsBefore = oauth.mints;
		const after = await cluster.lastExecutionId();
		// One call at a time until both workers ran one: the first mints, every later one must reuse.
		const ran: string[] = [];
		for (let call = 0; call < 8 && new Set(ran).size < 2; call++) {
			const result = await callWebhook(cluster, jwtWorkflow.path, { items: [{ question: `s4b call ${call}` }] });
			const latest = (await cluster.executions(jwtWorkflow.id, { afterId: after })).at(-1);
			if (result.status !== 200) {
				throw new Error(`JWT call ${call}: HTTP ${result.status}; execution ${latest?.id} ${latest?.status}: ${JSON.stringify(latest?.data.resultData.error ?? latest?.data.resultData.runData[SEND_NODE]?.[0]?.error)}`);
			}
			ran.push(cluster.executionsByWorker().get(latest?.id ?? '') ?? '?');
		}
		log(`scenario 4b: JWT executions ran on ${JSON.stringify(ran)}; tokens minted: ${oauth.mints - mintsBefore}`);
		expect(new Set(ran)).toEqual(new Set(['worker-1', 'worker-2']));
		const executions = await cluster.executions(jwtWorkflow.id, { afterId: after });
		expect(executions.map((e) => e.status)).toEqual(ran.map(() => 'success'));
		// Exactly one token for the whole cluster, and every chat (on either worker) carried it.
		expect(oauth.mints - mintsBefore).toBe(1);
		const bearers = emulator
			.requestsTo('/v3/chat')
			.filter((r) => postedMessage(r).startsWith('s4b call'))
			.map((r) => r.headers.authorization);
		expect(bearers).toHaveLength(ran.length);
		expect(new Set(bearers).size).toBe(1);
		expect(bearers[0]).toMatch(/^Bearer czs_/);
		// The credential row holds it encrypted: neither the token nor the private key in plain text.
		const [row] = await cluster.postgres.query<{ data: string }>(`select data from credentials_entity where id = '${JWT_CREDENTIAL_ID}'`);
		const token = String(bearers[0]).slice('Bearer '.length);
		expect(row.data).not.toContain(token);
		expect(row.data).not.toContain(jwtApp.privateKeyPem.split('\n')[1]);
		for (const e of executions) expect(JSON.stringify(e.data)).not.toContain(token);
	});

	/*
	 * 4a. Chatbot memory across workers. Measured on n8n 2.41.1 (and read in its source): a webhook
	 * execution that main puts in the queue reaches the worker WITHOUT the workflow's static data (the
	 * execution's workflow snapshot has no staticData and the job says loadStaticData: false), and each
	 * worker saves its own copy over the stored one. So Conversation Key does not rely on static data:
	 * a key's conversation carries a digest of the key in its Coze meta_data, and a key the static data
	 * does not know is looked up in the bot's conversation list. This proves it: one session across
	 * both workers, then two sessions started at once on the two workers, three turns each.
	 */
	it('4a. chatbot memory: Conversation Key continues each session\'s conversation on either worker, also for sessions started at once', async () => {
		const executionOf = async (question: string) => {
			const rows = await cluster.executions(memoryWorkflow.id);
			const execution = rows.find((e) => e.data.resultData.runData.Webhook && webhookInput(e).items[0].question === question);
			if (!execution) throw new Error(`no execution of ${memoryWorkflow.id} for "${question}"`);
			return execution;
		};
		// One webhook call: its execution, the worker that ran it, and what Send Message answered.
		const ask = async (question: string, session: string) => {
			const result = await callWebhook(cluster, memoryWorkflow.path, { items: [{ question, session }] });
			const execution = await executionOf(question);
			if (result.status !== 200 || execution.status !== 'success') {
				throw new Error(`"${question}": HTTP ${result.status}; execution ${execution.id} ${execution.status}: ${JSON.stringify(execution.data.resultData.error ?? execution.data.resultData.runData[SEND_NODE]?.[0]?.error)}`);
			}
			const out = sendOutput(execution)[0].json;
			return { question, execution, worker: cluster.executionsByWorker().get(execution.id) ?? '?', conversationId: out.conversation_id as string, answer: out.answer as string };
		};
		const turn = (n: number, said: string, before?: string) =>
			`Turn ${n}. You said: "${said}". ${before === undefined ? 'This is the start of our conversation.' : `Before that you said: "${before}".`}`;
		const lookups = () => emulator.requestsTo('/v1/conversations').length;

		// Session "s4a", one call at a time, until both workers ran one: one conversation throughout.
		const calls: Array<Awaited<ReturnType<typeof ask>> & { lookups: number }> = [];
		while (calls.length < 8 && new Set(calls.map((c) => c.worker)).size < 2) {
			const before = lookups();
			const call = await ask(`s4a call ${calls.length + 1}`, 's4a');
			calls.push({ ...call, lookups: lookups() - before });
		}
		log(
			`scenario 4a: session s4a, ${calls.length} calls one at a time, ran on ${JSON.stringify(calls.map((c) => c.worker))}; ` +
				`conversations ${JSON.stringify(calls.map((c) => c.conversationId))}; conversation-list reads per call ${JSON.stringify(calls.map((c) => c.lookups))}`,
		);
		expect(new Set(calls.map((c) => c.worker))).toEqual(new Set(['worker-1', 'worker-2']));
		calls.forEach((c, i) => expect(c.answer).toBe(turn(i + 1, c.question, i === 0 ? undefined : calls[i - 1].question)));
		expect(new Set(calls.map((c) => c.conversationId)).size).toBe(1);
		// The worker never had the static data: the conversation was found in Coze (a read per call).
		const [snapshot] = await cluster.postgres.query<{ keys: string[] }>(
			`select array(select json_object_keys("workflowData")) as keys from execution_data where "executionId" = ${calls[1].execution.id}`,
		);
		expect(snapshot.keys).toEqual(expect.arrayContaining(['nodes', 'connections']));
		expect(snapshot.keys).not.toContain('staticData');
		for (const c of calls.slice(1)) expect(c.lookups).toBeGreaterThanOrEqual(1);

		// Two new sessions at once, one on each worker (rounds whose two calls ran on one worker are
		// retried with new sessions), then both sessions twice more, again at once.
		let round = 0;
		let firsts: Array<Awaited<ReturnType<typeof ask>>> = [];
		while (round < 6 && new Set(firsts.map((p) => p.worker)).size < 2) {
			round++;
			firsts = await Promise.all(['x', 'y'].map((s) => ask(`s4a-${s}${round} call 1`, `s4a-${s}${round}`)));
			log(`scenario 4a: concurrent round ${round}: ${firsts.map((p) => `${p.question} on ${p.worker} (${p.execution.startedAt} – ${p.execution.stoppedAt})`).join(', ')}`);
		}
		expect(new Set(firsts.map((p) => p.worker))).toEqual(new Set(['worker-1', 'worker-2']));
		const sessions = firsts.map((p) => p.question.replace(/ call 1$/, ''));
		const bySession = sessions.map((_, i) => [firsts[i]]);
		for (const n of [2, 3]) {
			const next = await Promise.all(sessions.map((s) => ask(`${s} call ${n}`, s)));
			next.forEach((call, i) => bySession[i].push(call));
		}
		log(
			`scenario 4a: concurrent sessions ${JSON.stringify(sessions)}: workers ${JSON.stringify(bySession.map((calls) => calls.map((c) => c.worker)))}, ` +
				`conversations ${JSON.stringify(bySession.map((calls) => calls.map((c) => c.conversationId)))}`,
		);
		for (const calls of bySession) {
			expect(new Set(calls.map((c) => c.conversationId)).size).toBe(1);
			calls.forEach((c, i) => expect(c.answer).toBe(turn(i + 1, c.question, i === 0 ? undefined : calls[i - 1].question)));
		}
		expect(bySession[0][0].conversationId).not.toBe(bySession[1][0].conversationId);
	});

	it('3. a worker killed (SIGKILL) mid-stream: n8n fails its executions, the chat is never re-sent, the other worker finishes', async () => {
		const after = await cluster.lastExecutionId();
		const streamsClosedBefore = emulator.streamsClosedByClient;
		// 12 one-item executions of a bot that streams for 3 s: more than one worker's 10 slots.
		const bodies: BatchBody[] = Array.from({ length: 12 }, (_, n) => ({ items: [{ question: `s3 run ${n}` }] }));
		const calls = bodies.map((body) => callWebhook(cluster, slowWorkflow.path, body));
		// Executions in Postgres `running` whose chats Coze has all received are mid-stream (the bot
		// streams for 3 s). Wait for all 12 chats, then kill the worker running most executions.
		const runningByWorker = async () => {
			const byWorker = cluster.executionsByWorker();
			const running = (await cluster.postgres.query<{ id: string }>(`select id::text as id from execution_entity where "workflowId" = '${slowWorkflow.id}' and id > ${after} and status = 'running'`)).map((r) => r.id);
			return cluster.workers.map((w) => ({ worker: w, running: running.filter((id) => byWorker.get(id) === w.name) }));
		};
		await waitFor('all 12 chats to be streaming', () => (postedMessages(emulator).filter((m) => m.startsWith('s3 run')).length === 12 ? true : undefined), 60_000, 50);
		await sleep(500); // a few answer pieces are out
		const [target, other] = (await runningByWorker()).sort((a, b) => b.running.length - a.running.length);
		const [victim, survivor] = [target.worker, other.worker];
		const killedMidRun = target.running;
		const postedBeforeKill = postedMessages(emulator).filter((m) => m.startsWith('s3 run')).length;
		const victimPid = victim.child.pid as number;
		const victimChildren = descendants(victimPid);
		process.kill(victimPid, 'SIGKILL');
		const killedAt = Date.now();
		await waitFor('the worker to die', () => (victim.child.signalCode ? true : undefined), 10_000, 20);
		// Its task runner is not n8n's to clean up any more: ours, by pid.
		const orphans = victimChildren.filter(isAlive);
		log(`scenario 3: killed ${victim.name} (pid ${victimPid}); its children ${JSON.stringify(victimChildren)}, still alive: ${JSON.stringify(orphans.map((p) => `${p} ${readCmdline(p)}`))}`);
		for (const pid of orphans) killTree(pid, 'SIGKILL');

		// n8n notices a dead worker only when its job lock expires (lock duration), the other worker's
		// stalled-job check fails the job (maxStalledCount 0), and main re-checks the status for 30 s.
		const executions = await waitFor(
			'all 12 executions to end',
			async () => {
				const rows = await cluster.executions(slowWorkflow.id, { afterId: after });
				return rows.length === 12 && rows.every((e) => !['new', 'running'].includes(e.status)) ? rows : undefined;
			},
			150_000,
			1000,
		);
		const byWorker = cluster.executionsByWorker();
		const onVictim = executions.filter((e) => byWorker.get(e.id) === victim.name);
		const onSurvivor = executions.filter((e) => byWorker.get(e.id) === survivor.name);
		log(`scenario 3: ${postedBeforeKill} of 12 chats posted at the kill; ${victim.name} ran ${onVictim.length} executions (${killedMidRun.length} running at the kill), ${survivor.name} ${onSurvivor.length}`);
		expect(killedMidRun.length).toBeGreaterThan(0);
		expect(onSurvivor.length).toBeGreaterThan(0);
		expect(onVictim.length + onSurvivor.length).toBe(12);
		log(`scenario 3: all executions over, the killed ones reported, after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
		for (const e of onVictim) {
			log(`scenario 3: execution ${e.id} on ${victim.name}: status ${e.status}, finished ${e.finished}, error "${e.data.resultData.error?.message}", nodes run: ${JSON.stringify(Object.keys(e.data.resultData.runData))}`);
			// Running at the kill: failed. Otherwise it had finished before, or had just been taken.
			expect(killedMidRun.includes(e.id) ? ['error'] : ['success', 'error']).toContain(e.status);
			if (e.status === 'success') continue;
			expect(e.finished).toBe(false);
			expect(e.data.resultData.error?.message).toMatch(/failed to be processed too many times/);
		}
		const killed = onVictim.filter((e) => e.status === 'error');
		// The kill cut streams: the emulator saw the client go away mid-answer.
		const cut = emulator.streamsClosedByClient - streamsClosedBefore;
		log(`scenario 3: ${cut} streams cut by the kill, ${killed.length} executions failed`);
		expect(cut).toBeGreaterThan(0);
		// What the webhook callers got. A killed execution keeps no run data (not even the Webhook
		// node's), so callers are matched to the finished executions by their question.
		const results = await Promise.all(calls.map((call) => Promise.race([call, sleep(20_000).then(() => undefined)])));
		const finishedQuestions = new Set(executions.filter((e) => e.status === 'success').map((e) => webhookInput(e).items[0].question));
		const answers = bodies.map((body, i) => ({
			question: body.items[0].question,
			ranOn: finishedQuestions.has(body.items[0].question) ? 'finished' : 'killed',
			http: results[i]?.status ?? 'no answer within 20 s',
			body: results[i] ? JSON.stringify(results[i]!.body).slice(0, 100) : '',
		}));
		log(`scenario 3: webhook answers ${JSON.stringify(answers)}`);
		expect(answers.filter((a) => a.ranOn === 'finished').map((a) => a.http)).toEqual(Array(12 - killed.length).fill(200));
		expect(answers.filter((a) => a.ranOn === 'killed').map((a) => a.http)).toEqual(Array(killed.length).fill(500));

		// The survivor's executions finished normally.
		for (const e of onSurvivor) {
			expect(e.status).toBe('success');
			expect(sendOutput(e)[0].json.answer).toBe(Array.from({ length: 10 }, (_, i) => `step ${i + 1}. `).join(''));
		}
		// Coze got every chat once: nobody re-ran the killed executions or re-sent their chats,
		// also not after n8n had given up on them.
		await sleep(2000);
		const counts = postCounts(emulator);
		for (const { items } of bodies) expect([items[0].question, counts.get(items[0].question)]).toEqual([items[0].question, 1]);

		// The cluster keeps working with the one worker left.
		const before = await cluster.lastExecutionId();
		const again = await callWebhook(cluster, batchWorkflow.path, batchBodies('s3-after', 1, 2)[0]);
		expect(again.status).toBe(200);
		const [next] = await cluster.executions(batchWorkflow.id, { afterId: before });
		expect(next.status).toBe('success');
		expect(cluster.executionsByWorker().get(next.id)).toBe(survivor.name);
	});


});
