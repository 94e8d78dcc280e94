/**
 * Knowledge resource against the emulator over real sockets, in n8n-core's execution context:
 * knowledge bases (Get Many, Create, Update, Delete), documents (Upload from a binary field, a text
 * or a web page, with Wait Until Processed; Get Many, Update, Delete; Get Processing Progress),
 * same-named documents for folder syncs, 4013 during a bulk upload, the pickers, Coze Studio.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { LIMITS } from '../../nodes/CozeChat/boundaries/budget';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { ARCHIVE_COUNT, KNOWLEDGE_BASES, PERSONAL_SPACE, TEAM_SPACE } from '../emulator/knowledge';
import { CozeEmulator, EMULATOR_TOKEN } from '../emulator/server';
import { runListSearch } from '../harness';
import { useEmulator } from './emulatorSetup';
import { rejectionOf, runCoze } from './helpers';

const emulator = useEmulator();
const id = (value: string) => ({ __rl: true, mode: 'id', value });
const HANDBOOK = KNOWLEDGE_BASES.handbook.id;
const fast = { pollInterval: 0.1 };

const fileItem = (fileName: string, text: string, mimeType = 'text/markdown'): INodeExecutionData => ({
	json: { fileName },
	binary: { data: { data: Buffer.from(text, 'utf8').toString('base64'), mimeType, fileName } },
});
const upload = (extra: Record<string, unknown> = {}) => ({
	resource: 'knowledge',
	operation: 'uploadDocument',
	knowledgeBaseId: id(HANDBOOK),
	...extra,
	options: { ...fast, ...((extra.options as object | undefined) ?? {}) },
});
const createRequests = () => emulator.requestsTo('/open_api/knowledge/document/create');

describe('Knowledge → Upload Document', () => {
	it('uploads an input binary file, waits until Coze processed it, and outputs the document with its progress', async () => {
		const [item] = await runCoze(emulator, upload(), { items: [fileItem('shipping.md', '# Shipping\nWe ship worldwide.')] });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({ name: 'shipping.md', dataset_id: HANDBOOK, status: 1, state: 'processed', progress: 100, type: 'md' });
		expect(String(item.json.document_id)).toMatch(/^\d{19}$/);
		const [request] = createRequests();
		expect(request.headers['agw-js-conv']).toBe('str');
		expect(request.body).toEqual({
			dataset_id: HANDBOOK,
			document_bases: [{ name: 'shipping.md', source_info: { file_base64: Buffer.from('# Shipping\nWe ship worldwide.').toString('base64'), file_type: 'md' } }],
			chunk_strategy: { chunk_type: 0 },
		});
		// Processing took two progress reads.
		expect(emulator.requestsTo(`/v1/datasets/${HANDBOOK}/process`).map((r) => r.body)).toEqual([
			{ document_ids: [item.json.document_id] },
			{ document_ids: [item.json.document_id] },
		]);
		expect(emulator.knowledge.documents.get(String(item.json.document_id))?.content.toString('utf8')).toBe('# Shipping\nWe ship worldwide.');
	});

	it('without waiting, the item is out as soon as Coze accepted the upload (state processing)', async () => {
		const [item] = await runCoze(emulator, upload({ options: { waitUntilProcessed: false } }), { items: [fileItem('a.md', 'A')] });
		expect(item.json).toMatchObject({ state: 'processing', status: 0 });
		expect(emulator.requestsTo(`/v1/datasets/${HANDBOOK}/process`)).toHaveLength(0);
	});

	it('uploads a text as a .txt document, and a web page with its auto-update rule', async () => {
		const [text] = await runCoze(emulator, upload({ source: 'text', text: '  Opening hours: 9–17  ', documentName: 'hours.txt' }));
		expect(text.json).toMatchObject({ name: 'hours.txt', state: 'processed', type: 'txt' });
		expect((createRequests()[0].body as { document_bases: unknown[] }).document_bases[0]).toEqual({
			name: 'hours.txt',
			source_info: { file_base64: Buffer.from('  Opening hours: 9–17  ').toString('base64'), file_type: 'txt' },
		});
		const [page] = await runCoze(emulator, upload({ source: 'url', url: 'https://example.com/help/returns', options: { updateInterval: 48 } }));
		expect(page.json).toMatchObject({ name: 'https://example.com/help/returns', state: 'processed', update_type: 1, update_interval: 48 });
		expect((createRequests()[1].body as { document_bases: unknown[] }).document_bases[0]).toEqual({
			name: 'https://example.com/help/returns',
			source_info: { web_url: 'https://example.com/help/returns', document_source: 1 },
			update_rule: { update_type: 1, update_interval: 48 },
		});
	});

	it('a first upload into an empty knowledge base carries the chunking rules (custom ones when given)', async () => {
		const rules = { separator: '\\n\\n', maxTokens: 500, removeExtraSpaces: true, removeUrlsEmails: false };
		const [item] = await runCoze(emulator, upload({ knowledgeBaseId: id(KNOWLEDGE_BASES.empty.id), options: { customChunking: { rules } } }), { items: [fileItem('first.md', 'First')] });
		expect(item.json.state).toBe('processed');
		expect((createRequests()[0].body as { chunk_strategy: unknown }).chunk_strategy).toEqual({ chunk_type: 1, separator: '\n\n', max_tokens: 500, remove_extra_spaces: true, remove_urls_emails: false });
	});

	it("wrong input fails before anything is sent, naming the field", async () => {
		const noExtension = await rejectionOf(runCoze(emulator, upload(), { items: [fileItem('README', 'x', 'application/octet-stream')] }));
		expect(noExtension.message).toContain("Input Binary Field 'data': the file 'README' has no extension");
		const missing = await rejectionOf(runCoze(emulator, upload({ binaryPropertyName: 'attachment' }), { items: [fileItem('a.md', 'x')] }));
		expect(missing.message).toMatch(/attachment/);
		expect(missing.message).not.toContain('Coze error');
		const interval = await rejectionOf(runCoze(emulator, upload({ source: 'url', url: 'https://example.com', options: { updateInterval: 12 } })));
		expect(interval.message).toContain('Options → Auto Update Every (Hours): 12 is not allowed');
		const url = await rejectionOf(runCoze(emulator, upload({ source: 'url', url: 'example.com/page' })));
		expect(url.message).toContain("URL: 'example.com/page' is not a web address");
		const chunk = await rejectionOf(runCoze(emulator, upload({ options: { customChunking: { rules: { maxTokens: 5000 } } } }), { items: [fileItem('a.md', 'x')] }));
		expect(chunk.message).toContain('Options → Custom Chunking → Max Segment Length (Tokens): 5000 is not allowed');
		const base = await rejectionOf(runCoze(emulator, upload({ knowledgeBaseId: id('handbook') }), { items: [fileItem('a.md', 'x')] }));
		expect(base.message).toContain("Knowledge Base: 'handbook' is not a Coze knowledge base ID");
		expect(createRequests()).toHaveLength(0);
	});

	it("Coze's errors name code and message: an unknown knowledge base, a file type it does not take; Continue On Fail keeps each item", async () => {
		const unknown = await rejectionOf(runCoze(emulator, upload({ knowledgeBaseId: id('7420000000000009999') }), { items: [fileItem('a.md', 'x')] }));
		expect(unknown.message).toContain('4000');
		expect(unknown.message).toContain('dataset_id 7420000000000009999 does not exist');
		const items = [fileItem('logo.png', 'PNG', 'image/png'), fileItem('ok.md', 'fine')];
		const out = await runCoze(emulator, upload(), { items, continueOnFail: true });
		expect(String(out[0].json.error)).toContain("file type 'png' is not supported by this knowledge base");
		expect(out[1].json).toMatchObject({ name: 'ok.md', state: 'processed' });
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('a document Coze fails to process fails the item with its reason; Continue On Fail keeps it', async () => {
		const error = await rejectionOf(runCoze(emulator, upload(), { items: [fileItem('broken.md', 'CORRUPT bytes')] }));
		expect(error.message).toMatch(/Coze could not process 'broken\.md' \(document \d{19}, status 9: failed to parse the file: the document is damaged\)/);
		const [item] = await runCoze(emulator, upload(), { items: [fileItem('broken.md', 'CORRUPT bytes')], continueOnFail: true });
		expect(String(item.json.error)).toContain('could not process');
	});

	it("the item's Timeout bounds the wait: the error says the upload is done and how far processing got", async () => {
		emulator.knowledge.processPolls = 1000;
		const started = Date.now();
		const error = await rejectionOf(runCoze(emulator, upload({ options: { timeout: 1, pollInterval: 0.2 } }), { items: [fileItem('slow.md', 'slow')] }));
		expect(Date.now() - started).toBeLessThan(5000);
		expect(error.message).toMatch(/Coze was still processing 'slow\.md' \(\d{19}\) at \d+% after 1 s/);
		expect(String(error.description ?? '')).toContain('Get Processing Progress');
		expect(createRequests()).toHaveLength(1);
	});

	it('items waiting in parallel share one progress poll: one request asks for all their documents', async () => {
		emulator.knowledge.processPolls = 3;
		const items = Array.from({ length: 5 }, (_, i) => fileItem(`shared-${i}.md`, `Shared ${i}`));
		const out = await runCoze(emulator, upload({ options: { concurrency: 5, pollInterval: 0.2 } }), { items });
		expect(out.map((i) => [i.json.name, i.json.state])).toEqual(items.map((i) => [i.json.fileName, 'processed']));
		const polls = emulator.requestsTo(`/v1/datasets/${HANDBOOK}/process`).map((r) => (r.body as { document_ids: string[] }).document_ids);
		// Five items polling on their own would have sent 15 requests of one document each.
		expect(polls.length).toBeLessThan(10);
		expect(Math.max(...polls.map((ids) => ids.length))).toBeGreaterThan(1);
		expect(new Set(polls.flat())).toEqual(new Set(out.map((i) => String(i.json.document_id))));
	});

	it("one item's Timeout ends its own wait only: the others finish, and the poll stops once nobody waits", async () => {
		const items = [fileItem('fast-1.md', 'one'), fileItem('stuck.md', 'SLOW'), fileItem('fast-2.md', 'two')];
		const out = await runCoze(emulator, upload({ options: { concurrency: 3, pollInterval: 0.2, timeout: 2 } }), { items, continueOnFail: true });
		expect(out[0].json).toMatchObject({ name: 'fast-1.md', state: 'processed' });
		expect(String(out[1].json.error)).toMatch(/Coze was still processing 'stuck\.md' \(\d{19}\) at \d+% after 2 s/);
		expect(out[2].json).toMatchObject({ name: 'fast-2.md', state: 'processed' });
		const polled = emulator.requestsTo(`/v1/datasets/${HANDBOOK}/process`).length;
		await new Promise((resolve) => setTimeout(resolve, 800));
		expect(emulator.requestsTo(`/v1/datasets/${HANDBOOK}/process`).length).toBe(polled);
	});

	it("a progress request for one document that Coze refuses fails that item, with Coze's error", async () => {
		emulator.failNext(`/v1/datasets/${HANDBOOK}/process`, 1, 200, { contentType: 'application/json', body: '{"code":4000,"msg":"document_ids is invalid"}' });
		const [item] = await runCoze(emulator, upload(), { items: [fileItem('x-1.md', 'one')], continueOnFail: true });
		expect(String(item.json.error)).toContain('Could not read the processing progress: document_ids is invalid');
		expect(item.json).toMatchObject({ code: 4000 });
		expect(String(item.json.description)).toContain('The upload itself is done');
		expect(emulator.requestsTo(`/v1/datasets/${HANDBOOK}/process`)).toHaveLength(1);
	});

	/** Coze refuses progress requests naming several documents (`times` of them), answering the others. */
	const refuseBatches = (times: number) => {
		emulator.routes.unshift((request) => {
			const ids = (request.body as { document_ids?: string[] } | undefined)?.document_ids ?? [];
			if (request.path !== `/v1/datasets/${HANDBOOK}/process` || ids.length < 2 || times-- <= 0) return false;
			emulator.json(request.res, 200, { code: 4000, msg: 'document_ids is invalid' });
			return true;
		});
	};
	const progressRequests = () => emulator.requestsTo(`/v1/datasets/${HANDBOOK}/process`).map((r) => (r.body as { document_ids: string[] }).document_ids);

	it('a refused request for several documents is asked again by halves: a refusal none of them alone gets fails no item', async () => {
		emulator.knowledge.processPolls = 4;
		refuseBatches(1);
		const items = [fileItem('y-1.md', 'one'), fileItem('y-2.md', 'two'), fileItem('y-3.md', 'three')];
		const out = await runCoze(emulator, upload({ options: { concurrency: 3, pollInterval: 0.2 } }), { items, continueOnFail: true });
		expect(out.map((i) => [i.json.name, i.json.state])).toEqual([['y-1.md', 'processed'], ['y-2.md', 'processed'], ['y-3.md', 'processed']]);
		const polls = progressRequests();
		const refused = polls.findIndex((ids) => ids.length > 1);
		// The halves of the refused request, asked right after it.
		const asked = polls[refused];
		const half = Math.ceil(asked.length / 2);
		expect(polls.slice(refused + 1, refused + 3).map((ids) => ids.join())).toEqual(asked.length === 2 ? [asked[0], asked[1]] : [asked.slice(0, half).join(), asked.slice(half).join()]);
	});

	it('when Coze refuses every progress request, each item fails with its own error after a bounded number of requests', async () => {
		emulator.routes.unshift((request) => {
			if (request.path !== `/v1/datasets/${HANDBOOK}/process`) return false;
			emulator.json(request.res, 200, { code: 5000, msg: 'internal error' });
			return true;
		});
		emulator.knowledge.processPolls = 4;
		const items = Array.from({ length: 4 }, (_, i) => fileItem(`z-${i}.md`, `${i}`));
		const out = await runCoze(emulator, upload({ options: { concurrency: 4, pollInterval: 0.2 } }), { items, continueOnFail: true });
		for (const item of out) expect(String(item.json.error)).toContain('Could not read the processing progress: internal error');
		// Each document once on its own, plus the requests for several that were split: at most 2n - 1.
		const polls = progressRequests();
		const ids = items.map((i) => emulator.knowledge.documentsOf(HANDBOOK).find((d) => d.name === i.json.fileName)!.document_id);
		expect(polls.filter((asked) => asked.length === 1).map(([only]) => only).sort()).toEqual(ids.sort());
		expect(polls.length).toBeLessThanOrEqual(2 * items.length - 1);
	});

	it('a document deleted while processing (by an overlapping run) fails its own item only: the others in the same poll are processed, and Replace swaps their old copies', async () => {
		emulator.knowledge.processPolls = 4;
		const old = ['a.md', 'b.md', 'c.md', 'd.md'].map((name) => emulator.knowledge.seed(HANDBOOK, name, `old ${name}`));
		const items = [fileItem('a.md', 'new a'), fileItem('b.md', 'new b'), fileItem('c.md', 'new c, VANISH'), fileItem('d.md', 'new d')];
		const out = await runCoze(emulator, upload({ options: { concurrency: 4, pollInterval: 0.2, sameName: 'replace' } }), { items, continueOnFail: true });
		const vanished = emulator.knowledge.deletedWhileProcessing;
		expect(vanished.size).toBe(1);
		const [gone] = [...vanished];
		// The poll did ask for the deleted document together with others, and Coze refused those requests.
		expect(progressRequests().some((ids) => ids.includes(gone) && ids.length > 1)).toBe(true);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		for (const index of [0, 1, 3]) {
			expect(out[index].json).toMatchObject({ name: items[index].json.fileName, state: 'processed', status: 1, progress: 100, replaced_document_ids: [old[index].document_id] });
			expect(emulator.knowledge.documents.has(old[index].document_id)).toBe(false);
		}
		expect(out[2].json).toMatchObject({ code: 105000012 });
		expect(String(out[2].json.error)).toContain('Could not read the processing progress: document not exist: document not found');
		expect(String(out[2].json.error)).toContain(`the old document of that name ${old[2].document_id} was kept`);
		expect(emulator.knowledge.documents.has(old[2].document_id)).toBe(true);
		expect(emulator.knowledge.documentsOf(HANDBOOK).filter((d) => d.name !== 'welcome.md' && d.name !== 'returns-policy.md').map((d) => d.content.toString('utf8')).sort()).toEqual(['new a', 'new b', 'new d', 'old c.md']);
		// Only the request that named the deleted document alone singled it out; it was not asked for again after that.
		const alone = progressRequests().filter((ids) => ids.length === 1 && ids[0] === gone);
		expect(alone).toHaveLength(1);
		expect(progressRequests().indexOf(alone[0])).toBe(progressRequests().map((ids) => ids.includes(gone)).lastIndexOf(true));
	});

	it('without Continue On Fail the run fails on the deleted document, not on one that processed fine', async () => {
		emulator.knowledge.processPolls = 4;
		const items = [fileItem('fine-1.md', 'one'), fileItem('gone.md', 'VANISH'), fileItem('fine-2.md', 'two')];
		const error = await rejectionOf(runCoze(emulator, upload({ options: { concurrency: 3, pollInterval: 0.2 } }), { items }));
		expect(error.message).toContain('document not exist: document not found');
		const gone = emulator.knowledge.documentsOf(HANDBOOK).map((d) => d.name);
		expect(gone).not.toContain('gone.md');
		for (const name of ['fine-1.md', 'fine-2.md']) expect(emulator.knowledge.documentsOf(HANDBOOK).find((d) => d.name === name)?.status).toBe(1);
	});

	it('a progress request that hangs is bounded by the latest deadline of its waiters; each waiter leaves at its own', async () => {
		emulator.knowledge.hangProgress = true;
		const started = Date.now();
		const out = await runCoze(emulator, upload({ options: { concurrency: 2, timeout: 1 } }), { items: [fileItem('h-1.md', 'one'), fileItem('h-2.md', 'two')], continueOnFail: true });
		const finished = Date.now();
		expect(finished - started).toBeLessThan(4000);
		for (const item of out) expect(String(item.json.error)).toMatch(/Coze was still processing document \d{19} after 1 s/);
		// The poll does not keep the hanging request open once every waiter's deadline passed.
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(emulator.knowledge.hungProgress.length).toBeGreaterThan(0);
		for (const hung of emulator.knowledge.hungProgress) {
			expect(hung.closedAt).toBeDefined();
			expect(hung.closedAt! - started).toBeLessThan(3000);
		}
	});

	describe('with a shorter limit for one progress request', () => {
		const pollRequestMs = LIMITS.pollRequestMs;
		beforeAll(() => (LIMITS.pollRequestMs = 1500));
		afterAll(() => (LIMITS.pollRequestMs = pollRequestMs));

		it('an item without a Timeout is not held by a hanging progress request: it fails after that limit, saying the upload is done', async () => {
			emulator.knowledge.hangProgress = true;
			const started = Date.now();
			const [item] = await runCoze(emulator, upload({ options: { timeout: 0 } }), { items: [fileItem('stuck.md', 'x')], continueOnFail: true });
			expect(Date.now() - started).toBeLessThan(5000);
			expect(String(item.json.error)).toContain('Could not read the processing progress: Timed out after 1.5 s while waiting for Coze to report the processing progress');
			expect(String(item.json.description)).toContain('The upload itself is done');
			// The node closed the hanging request itself (the emulator hears of it a moment later).
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(emulator.knowledge.hungProgress).toHaveLength(1);
			expect(emulator.knowledge.hungProgress[0].closedAt! - started).toBeLessThan(2500);
		});
	});

	it('Same-Named Documents → Replace: the new document goes in, then the old one of that name is deleted', async () => {
		const old = emulator.knowledge.documentsOf(HANDBOOK).find((d) => d.name === 'welcome.md')!;
		const [item] = await runCoze(emulator, upload({ options: { sameName: 'replace' } }), { items: [fileItem('welcome.md', '# Welcome v2')] });
		expect(item.json).toMatchObject({ name: 'welcome.md', state: 'processed', replaced_document_ids: [old.document_id] });
		const names = emulator.knowledge.documentsOf(HANDBOOK).map((d) => d.name).sort();
		expect(names).toEqual(['returns-policy.md', 'welcome.md']);
		expect(emulator.knowledge.documents.has(old.document_id)).toBe(false);
		expect(emulator.requestsTo('/open_api/knowledge/document/delete').map((r) => r.body)).toEqual([{ document_ids: [old.document_id] }]);
	});

	it('Replace keeps the old document when the new one fails to process', async () => {
		const old = emulator.knowledge.documentsOf(HANDBOOK).find((d) => d.name === 'welcome.md')!;
		const [item] = await runCoze(emulator, upload({ options: { sameName: 'replace' } }), { items: [fileItem('welcome.md', 'CORRUPT')], continueOnFail: true });
		expect(String(item.json.error)).toContain('could not process');
		expect(emulator.knowledge.documents.has(old.document_id)).toBe(true);
		expect(emulator.requestsTo('/open_api/knowledge/document/delete')).toHaveLength(0);
	});

	it('Replace waits for the new document even with Wait Until Processed off, and keeps the old one when it fails', async () => {
		const old = emulator.knowledge.documentsOf(HANDBOOK).find((d) => d.name === 'welcome.md')!;
		const [failed] = await runCoze(emulator, upload({ options: { sameName: 'replace', waitUntilProcessed: false } }), { items: [fileItem('welcome.md', 'CORRUPT')], continueOnFail: true });
		expect(String(failed.json.error)).toContain("Coze could not process 'welcome.md'");
		expect(emulator.knowledge.documents.has(old.document_id)).toBe(true);
		// The next run replaces both: the old document and the one Coze failed to process.
		const broken = emulator.knowledge.documentsOf(HANDBOOK).find((d) => d.name === 'welcome.md' && d.status === 9)!;
		const [replaced] = await runCoze(emulator, upload({ options: { sameName: 'replace', waitUntilProcessed: false } }), { items: [fileItem('welcome.md', 'v2')] });
		expect(replaced.json).toMatchObject({ state: 'processed', replaced_document_ids: [old.document_id, broken.document_id] });
		expect(emulator.knowledge.documentsOf(HANDBOOK).filter((d) => d.name === 'welcome.md').map((d) => d.content.toString('utf8'))).toEqual(['v2']);
	});

	it('same-named items of one run go one after another: with Replace the last one stays, with Skip the first', async () => {
		const items = [fileItem('notes.md', 'first'), fileItem('other.md', 'x'), fileItem('notes.md', 'second')];
		const out = await runCoze(emulator, upload({ options: { sameName: 'replace', concurrency: 3 } }), { items });
		expect(out[2].json.replaced_document_ids).toEqual([out[0].json.document_id]);
		const notes = emulator.knowledge.documentsOf(HANDBOOK).filter((d) => d.name === 'notes.md');
		expect(notes.map((d) => d.content.toString('utf8'))).toEqual(['second']);
		const skipped = await runCoze(emulator, upload({ options: { sameName: 'skip', concurrency: 3 } }), { items: [fileItem('fresh.md', 'a'), fileItem('fresh.md', 'b')] });
		expect(skipped[1].json).toMatchObject({ skipped: true, document_id: skipped[0].json.document_id });
		expect(emulator.knowledge.documentsOf(HANDBOOK).filter((d) => d.name === 'fresh.md')).toHaveLength(1);
	});

	it('a custom base URL whose /v1/workspaces is missing (a proxy answering 404) is still the cloud: files go as base64', async () => {
		emulator.publicRoutes.unshift((request) => {
			if (request.path !== '/v1/workspaces') return false;
			request.res.writeHead(404, { 'Content-Type': 'text/plain' });
			request.res.end('404 page not found');
			return true;
		});
		const [item] = await runCoze(emulator, upload(), { items: [fileItem('proxied.md', 'via a proxy')] });
		expect(item.json.state).toBe('processed');
		expect(emulator.requestsTo('/v1/files/upload')).toHaveLength(0);
		const [create] = createRequests();
		expect((create.body as { document_bases: Array<{ source_info: Record<string, unknown> }> }).document_bases[0].source_info.file_base64).toBeDefined();
	});

	it('within one run, Skip sees what an earlier item of that name ended as: a failed one is replaced', async () => {
		const out = await runCoze(emulator, upload({ options: { sameName: 'skip' } }), { items: [fileItem('again.md', 'CORRUPT'), fileItem('again.md', 'good')], continueOnFail: true });
		expect(String(out[0].json.error)).toContain('could not process');
		expect(out[1].json).toMatchObject({ state: 'processed', replaced_document_ids: [expect.any(String)] });
		expect(emulator.knowledge.documentsOf(HANDBOOK).filter((d) => d.name === 'again.md').map((d) => d.content.toString('utf8'))).toEqual(['good']);
	});

	it('Skip does not count a document Coze failed to process: it uploads again and deletes the failed one', async () => {
		await runCoze(emulator, upload(), { items: [fileItem('flaky.md', 'CORRUPT')], continueOnFail: true });
		const failed = emulator.knowledge.documentsOf(HANDBOOK).find((d) => d.name === 'flaky.md')!;
		expect(failed.status).toBe(9);
		const [item] = await runCoze(emulator, upload({ options: { sameName: 'skip' } }), { items: [fileItem('flaky.md', 'fixed')] });
		expect(item.json).toMatchObject({ state: 'processed', replaced_document_ids: [failed.document_id] });
		expect(item.json.skipped).toBeUndefined();
		expect(emulator.knowledge.documentsOf(HANDBOOK).filter((d) => d.name === 'flaky.md').map((d) => d.status)).toEqual([1]);
	});

	it("an old document Coze will not delete: the error keeps Coze's code and says both are in", async () => {
		emulator.failNext('/open_api/knowledge/document/delete', 1, 200, { contentType: 'application/json', body: '{"code":4000,"msg":"document is in use"}' });
		const [item] = await runCoze(emulator, upload({ options: { sameName: 'replace' } }), { items: [fileItem('welcome.md', 'v3')], continueOnFail: true });
		expect(item.json).toMatchObject({ code: 4000 });
		expect(String(item.json.error)).toMatch(/'welcome\.md' was uploaded as document \d{19}, but the old document \d{19} could not be deleted: document is in use/);
		expect(String(item.json.description)).toContain('Delete Documents');
	});

	it('Skip outputs the document already there and uploads nothing; a batch lists the knowledge base once', async () => {
		const items = [fileItem('welcome.md', 'x'), fileItem('new-1.md', 'one'), fileItem('new-2.md', 'two')];
		const out = await runCoze(emulator, upload({ options: { sameName: 'skip', concurrency: 3 } }), { items });
		expect(out[0].json).toMatchObject({ name: 'welcome.md', skipped: true, state: 'processed' });
		expect(out.slice(1).map((i) => [i.json.name, i.json.state])).toEqual([['new-1.md', 'processed'], ['new-2.md', 'processed']]);
		expect(createRequests()).toHaveLength(2);
		expect(emulator.requestsTo('/open_api/knowledge/document/list')).toHaveLength(1);
	});

	it('a bulk upload Coze answers with 4013 ("too many") slows down and lands every file, in input order', async () => {
		emulator.knowledge.uploadRateLimit = { max: 4, windowMs: 1000 };
		const items = Array.from({ length: 10 }, (_, i) => fileItem(`page-${i}.md`, `Page ${i}`));
		const out = await runCoze(emulator, upload({ options: { concurrency: 5, waitUntilProcessed: false } }), { items });
		expect(out.map((i) => i.json.name)).toEqual(items.map((i) => i.json.fileName));
		expect(out.every((i) => i.json.state === 'processing')).toBe(true);
		expect(emulator.knowledge.rateLimitedUploads).toBeGreaterThan(0);
		expect(emulator.knowledge.documentsOf(HANDBOOK)).toHaveLength(2 + 10);
	}, 60_000);
});

describe('Knowledge → documents', () => {
	it('Get Many Documents pages through the list; ids stay exact even when Coze sends them as numbers', async () => {
		emulator.knowledge.numericIds = true;
		for (let i = 0; i < 150; i++) {
			const [name, text] = [`n-${i}.md`, `${i}`];
			await runCoze(emulator, upload({ options: { waitUntilProcessed: false } }), { items: [fileItem(name, text)] });
		}
		const all = await runCoze(emulator, { resource: 'knowledge', operation: 'getManyDocuments', knowledgeBaseId: id(HANDBOOK), returnAll: true });
		expect(all).toHaveLength(152);
		const expected = emulator.knowledge.documentsOf(HANDBOOK).map((d) => d.document_id);
		expect(all.map((i) => i.json.document_id)).toEqual(expected);
		expect(emulator.requestsTo('/open_api/knowledge/document/list').map((r) => r.body)).toEqual([
			{ dataset_id: HANDBOOK, page: 1, size: 100 },
			{ dataset_id: HANDBOOK, page: 2, size: 100 },
		]);
		const some = await runCoze(emulator, { resource: 'knowledge', operation: 'getManyDocuments', knowledgeBaseId: id(HANDBOOK), limit: 2 });
		expect(some.map((i) => i.json.name)).toEqual(['welcome.md', 'returns-policy.md']);
		expect(some[0].json).toMatchObject({ dataset_id: HANDBOOK, state: 'processed' });
	}, 60_000);

	it('a list (a POST that only reads) is sent again after a 503; an upload never is (it may have reached Coze)', async () => {
		emulator.failNext('/open_api/knowledge/document/list', 1, 503);
		const listed = await runCoze(emulator, { resource: 'knowledge', operation: 'getManyDocuments', knowledgeBaseId: id(HANDBOOK), returnAll: true });
		expect(listed).toHaveLength(2);
		expect(emulator.requestsTo('/open_api/knowledge/document/list')).toHaveLength(2);
		emulator.failNext('/open_api/knowledge/document/create', 1, 503);
		const error = await rejectionOf(runCoze(emulator, upload(), { items: [fileItem('once.md', 'once')] }));
		expect(error.message).toContain('503');
		expect(createRequests()).toHaveLength(1);
	});

	it('Update Document renames and sets the auto-update rule; Delete Documents deletes by id', async () => {
		const [doc] = emulator.knowledge.documentsOf(HANDBOOK);
		const [updated] = await runCoze(emulator, { resource: 'knowledge', operation: 'updateDocument', documentId: doc.document_id, updateFields: { name: 'hello.md', updateInterval: 72 } });
		expect(updated.json).toEqual({ document_id: doc.document_id, document_name: 'hello.md', update_rule: { update_type: 1, update_interval: 72 }, updated: true });
		expect(emulator.knowledge.documents.get(doc.document_id)).toMatchObject({ name: 'hello.md', update_type: 1, update_interval: 72 });
		const nothing = await rejectionOf(runCoze(emulator, { resource: 'knowledge', operation: 'updateDocument', documentId: doc.document_id, updateFields: {} }));
		expect(nothing.message).toContain('Update Fields: add the Name or Auto Update Every (Hours)');

		const ids = emulator.knowledge.documentsOf(HANDBOOK).map((d) => d.document_id);
		const [deleted] = await runCoze(emulator, { resource: 'knowledge', operation: 'deleteDocuments', documentIds: ids.join(', ') });
		expect(deleted.json).toEqual({ deleted_document_ids: ids, deleted: true });
		expect(emulator.knowledge.documentsOf(HANDBOOK)).toHaveLength(0);
		const wrong = await rejectionOf(runCoze(emulator, { resource: 'knowledge', operation: 'deleteDocuments', documentIds: 'abc' }));
		expect(wrong.message).toContain("Document IDs: 'abc' is not a Coze ID");
		const gone = await rejectionOf(runCoze(emulator, { resource: 'knowledge', operation: 'deleteDocuments', documentIds: ids[0] }));
		expect(gone.message).toContain(`document_id ${ids[0]} does not exist`);
	});

	it('Get Processing Progress answers each document as it is, or waits until all are done', async () => {
		const out = await runCoze(emulator, upload({ options: { waitUntilProcessed: false } }), { items: [fileItem('p1.md', 'one'), fileItem('p2.md', 'CORRUPT')] });
		const ids = out.map((i) => String(i.json.document_id));
		const progress = { resource: 'knowledge', operation: 'getProgress', knowledgeBaseId: id(HANDBOOK), documentIds: ids };
		const now = await runCoze(emulator, progress);
		expect(now.map((i) => [i.json.document_name, i.json.state, i.json.progress])).toEqual([['p1.md', 'processing', 50], ['p2.md', 'processing', 50]]);
		const done = await runCoze(emulator, { ...progress, options: { waitUntilProcessed: true, pollInterval: 0.1 } });
		expect(done.map((i) => [i.json.document_name, i.json.state])).toEqual([['p1.md', 'processed'], ['p2.md', 'failed']]);
		expect(done[1].json.status_descript).toContain('damaged');
	});
});

describe('Knowledge → knowledge bases', () => {
	it('Create Knowledge Base answers its id; Update replaces name, description and icon; Delete removes it and its documents', async () => {
		const [created] = await runCoze(emulator, { resource: 'knowledge', operation: 'createBase', workspaceId: id(PERSONAL_SPACE), name: 'Support FAQ', options: { description: 'Answers for support' } });
		const datasetId = String(created.json.dataset_id);
		expect(created.json).toMatchObject({ name: 'Support FAQ', space_id: PERSONAL_SPACE, format_type: 0, description: 'Answers for support' });
		expect(emulator.requestsTo('/v1/datasets')[0].body).toEqual({ name: 'Support FAQ', space_id: PERSONAL_SPACE, format_type: 0, description: 'Answers for support' });

		await runCoze(emulator, { resource: 'knowledge', operation: 'updateBase', knowledgeBaseId: { __rl: true, mode: 'url', value: `https://www.coze.cn/space/${PERSONAL_SPACE}/knowledge/${datasetId}` }, name: 'Support FAQ v2' });
		expect(emulator.knowledge.datasets.get(datasetId)).toMatchObject({ name: 'Support FAQ v2', description: '' });
		expect(emulator.requestsTo(`/v1/datasets/${datasetId}`)[0].body).toEqual({ name: 'Support FAQ v2', description: '' });

		await runCoze(emulator, upload({ knowledgeBaseId: id(datasetId) }), { items: [fileItem('faq.md', 'Q&A')] });
		const [deleted] = await runCoze(emulator, { resource: 'knowledge', operation: 'deleteBase', knowledgeBaseId: id(datasetId) });
		expect(deleted.json).toEqual({ dataset_id: datasetId, deleted: true });
		expect(emulator.knowledge.datasets.has(datasetId)).toBe(false);
		expect(emulator.knowledge.documentsOf(datasetId)).toHaveLength(0);
	});

	it('a name over 100 characters fails before anything is sent', async () => {
		const error = await rejectionOf(runCoze(emulator, { resource: 'knowledge', operation: 'createBase', workspaceId: id(PERSONAL_SPACE), name: 'n'.repeat(101) }));
		expect(error.message).toContain('Name is 101 characters long; Coze allows at most 100');
		expect(emulator.requestsTo('/v1/datasets')).toHaveLength(0);
	});

	it('Get Many Knowledge Bases: Limit, Return All over pages of 100, filters by name and format', async () => {
		const some = await runCoze(emulator, { resource: 'knowledge', operation: 'getManyBases', workspaceId: id(TEAM_SPACE), limit: 3 });
		expect(some.map((i) => i.json.name)).toEqual(['Price Lists', 'Archive 001', 'Archive 002']);
		const all = await runCoze(emulator, { resource: 'knowledge', operation: 'getManyBases', workspaceId: id(TEAM_SPACE), returnAll: true });
		expect(all).toHaveLength(ARCHIVE_COUNT + 1);
		expect(emulator.requestsTo('/v1/datasets').slice(1).map((r) => r.query.page_num)).toEqual(['1', '2']);
		const tables = await runCoze(emulator, { resource: 'knowledge', operation: 'getManyBases', workspaceId: id(TEAM_SPACE), returnAll: true, filters: { formatType: 'table' } });
		expect(tables.map((i) => i.json.dataset_id)).toEqual([KNOWLEDGE_BASES.prices.id]);
		const named = await runCoze(emulator, { resource: 'knowledge', operation: 'getManyBases', workspaceId: id(PERSONAL_SPACE), returnAll: true, filters: { name: 'Handbook' } });
		expect(named.map((i) => i.json)).toEqual([expect.objectContaining({ dataset_id: HANDBOOK, name: 'Product Handbook', doc_count: 2, file_list: ['welcome.md', 'returns-policy.md'] })]);
	});

	it('the pickers list knowledge bases of every workspace (by name or id) and the workspaces', async () => {
		const search = (method: string, filter?: string, paginationToken?: string) =>
			runListSearch({ node: new CozeChat(), credentialType: new CozeApi(), credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN }, method, filter, paginationToken });
		const handbook = await search('searchKnowledgeBases', 'Handbook');
		expect(handbook.results).toEqual([{ name: 'Product Handbook (Personal)', value: HANDBOOK, url: undefined }]);
		const byId = await search('searchKnowledgeBases', KNOWLEDGE_BASES.prices.id);
		expect(byId.results.map((r) => r.value)).toEqual([KNOWLEDGE_BASES.prices.id]);
		const first = await search('searchKnowledgeBases');
		expect(first.results.length).toBeGreaterThanOrEqual(30);
		expect(first.paginationToken).toBeDefined();
		const spaces = await search('searchWorkspaces', 'team');
		expect(spaces.results).toEqual([{ name: 'Team Space', value: TEAM_SPACE, url: undefined }]);
	});
});

describe('Knowledge on a self-hosted Coze Studio', () => {
	let studio: CozeEmulator;
	beforeAll(async () => {
		studio = new CozeEmulator({ dialect: 'studio' });
		await studio.start();
	});
	afterAll(async () => studio.stop());

	it('a file goes up through /v1/files/upload and into the document as its tos_uri (Studio ignores base64); text too', async () => {
		studio.knowledge.reset();
		const [item] = await runCoze(studio, upload(), { items: [fileItem('studio.md', '# Self-hosted\nRuns on our server.')] });
		expect(item.json).toMatchObject({ name: 'studio.md', state: 'processed' });
		const [stored] = studio.requestsTo('/v1/files/upload');
		expect(stored).toBeDefined();
		const create = studio.requestsTo('/open_api/knowledge/document/create').at(-1)!;
		const base = (create.body as { document_bases: Array<{ source_info: Record<string, unknown> }>; format_type: number });
		expect(base.format_type).toBe(0);
		expect(base.document_bases[0].source_info).toEqual({ tos_uri: expect.stringMatching(/^bot_files\/\d+\/studio\.md$/), document_source: 0 });
		expect(studio.knowledge.documents.get(String(item.json.document_id))?.content.toString('utf8')).toBe('# Self-hosted\nRuns on our server.');
		const [text] = await runCoze(studio, upload({ source: 'text', text: 'Opening hours: 9–17', documentName: 'hours' }));
		expect(text.json).toMatchObject({ name: 'hours', state: 'processed' });
		expect(studio.knowledge.documents.get(String(text.json.document_id))?.content.toString('utf8')).toBe('Opening hours: 9–17');
	});

	it('an upper-case extension reaches Studio in lower case; tables and images fail before anything is sent', async () => {
		studio.knowledge.reset();
		const [item] = await runCoze(studio, upload(), { items: [fileItem('Report.PDF', '%PDF-1.4 report', 'application/pdf')] });
		expect(item.json).toMatchObject({ name: 'Report.PDF', state: 'processed' });
		const create = studio.requestsTo('/open_api/knowledge/document/create').at(-1)!;
		expect((create.body as { document_bases: Array<{ source_info: { tos_uri: string } }> }).document_bases[0].source_info.tos_uri).toMatch(/\/Report\.pdf$/);
		const before = studio.requests.length;
		const out = await runCoze(studio, upload(), { items: [fileItem('prices.csv', 'a,b', 'text/csv'), fileItem('logo.png', 'PNG', 'image/png')], continueOnFail: true });
		for (const refused of out) expect(String(refused.json.error)).toMatch(/was not sent: on self-hosted Coze Studio the node adds text documents only \(pdf, txt, doc, docx, md\)/);
		expect(studio.requests.slice(before).map((r) => r.path)).not.toContain('/v1/files/upload');
	});

	it("lists documents from Studio's page 0, so none is skipped and same-named ones are found", async () => {
		studio.knowledge.reset();
		for (let i = 0; i < 120; i++) await runCoze(studio, upload({ options: { waitUntilProcessed: false } }), { items: [fileItem(`s-${i}.md`, `${i}`)] });
		const listed = await runCoze(studio, { resource: 'knowledge', operation: 'getManyDocuments', knowledgeBaseId: id(HANDBOOK), returnAll: true });
		expect(listed.map((i) => i.json.name)).toEqual(studio.knowledge.documentsOf(HANDBOOK).map((d) => d.name));
		expect(listed).toHaveLength(122);
		expect(studio.requestsTo('/open_api/knowledge/document/list').slice(-2).map((r) => (r.body as { page: number }).page)).toEqual([0, 1]);
		const old = studio.knowledge.documentsOf(HANDBOOK).find((d) => d.name === 'welcome.md')!;
		const [replaced] = await runCoze(studio, upload({ options: { sameName: 'replace' } }), { items: [fileItem('welcome.md', 'v2')] });
		expect(replaced.json.replaced_document_ids).toEqual([old.document_id]);
	}, 60_000);

	it('a web page fails before anything is sent; the pickers say to enter the ID', async () => {
		const before = studio.requests.length;
		const page = await rejectionOf(runCoze(studio, upload({ source: 'url', url: 'https://example.com' })));
		expect(page.message).toContain('Web pages are not supported by this Coze server (self-hosted Coze Studio adds files and texts only)');
		expect(studio.requests.slice(before).map((r) => r.path)).not.toContain('/open_api/knowledge/document/create');
		const picker = await rejectionOf(
			runListSearch({ node: new CozeChat(), credentialType: new CozeApi(), credentials: { region: 'custom', baseUrl: studio.url, accessToken: EMULATOR_TOKEN }, method: 'searchKnowledgeBases' }),
		);
		expect(picker.message).toContain('paste the knowledge base');
	});
});
