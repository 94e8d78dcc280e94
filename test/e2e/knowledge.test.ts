/**
 * End to end for the Knowledge resource (issue 19): the packed tarball in each pinned real n8n. A
 * text becomes a file through n8n's own Convert to File (a binary in n8n's binary data store, on
 * disk in 2.x), is uploaded into a knowledge base and waited for; a text and a web page are
 * uploaded too; the base's documents are listed, one renamed, the progress read, a failing upload
 * kept under Continue On Fail, a knowledge base created, updated, listed and deleted. A folder
 * sync's pages replace their old copies in parallel while one of them is deleted mid-processing by
 * "another run" (issue 29): only that page's item fails. One `n8n execute` per version.
 */
import { KNOWLEDGE_BASES, PERSONAL_SPACE } from '../emulator/knowledge';
import { TARGETS, log, nodeItems } from './n8n';
import { itNeverPrintsTheToken, useExecutedWorkflow } from './executed';
import { usePackedPackage } from './packed';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, link, nodeBuilder } from './workflows';

const WORKFLOW_ID = 'cozeE2eKnowledge1';
const HANDBOOK = KNOWLEDGE_BASES.handbook.id;
const GUIDE = '# Setup guide\nPlug in the device and hold the button for 3 seconds.';
const WIKI = KNOWLEDGE_BASES.wiki.id;
/** The folder sync's pages; the emulator deletes the one with "VANISH" after its first progress read. */
const PAGES = [
	{ name: 'intro.md', text: '# Intro v2' },
	{ name: 'faq.md', text: '# FAQ v2 (VANISH)' },
	{ name: 'changelog.md', text: '# Changelog v2' },
];
/** The pages' old copies, seeded into the wiki before the run. */
const oldPages = new Map<string, string>();

function knowledgeWorkflow(): Record<string, unknown> {
	const node = nodeBuilder('k');
	const credentials = { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	const coze = (name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		node(name, NODE_TYPE, 1.1, { resource: 'knowledge', ...parameters }, { credentials, ...extra });
	const id = (value: string) => ({ __rl: true, mode: 'id', value });
	const fast = { pollInterval: 0.1 };
	return {
		id: WORKFLOW_ID,
		name: 'Coze e2e: knowledge',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
			node('Guide Text', 'n8n-nodes-base.set', 3.4, { assignments: { assignments: [{ id: 'k1', name: 'guide', value: GUIDE, type: 'string' }] }, options: {} }),
			node('Guide File', 'n8n-nodes-base.convertToFile', 1.1, { operation: 'toText', sourceProperty: 'guide', options: { fileName: 'setup-guide.md' } }),
			coze('Upload File', { operation: 'uploadDocument', knowledgeBaseId: id(HANDBOOK), source: 'binary', binaryPropertyName: 'data', options: fast }),
			coze('Upload Text', { operation: 'uploadDocument', knowledgeBaseId: id(HANDBOOK), source: 'text', text: 'Support hours: 9–17 CET.', documentName: 'hours.txt', options: fast }),
			coze('Upload Page', { operation: 'uploadDocument', knowledgeBaseId: id(HANDBOOK), source: 'url', url: 'https://example.com/help', options: { ...fast, updateInterval: 24, waitUntilProcessed: false } }),
			coze('Upload Broken', { operation: 'uploadDocument', knowledgeBaseId: id(HANDBOOK), source: 'text', text: 'CORRUPT', documentName: 'broken.txt', options: fast }, { onError: 'continueRegularOutput' }),
			coze('List Documents', { operation: 'getManyDocuments', knowledgeBaseId: id(HANDBOOK), returnAll: true }),
			coze('Rename Guide', { operation: 'updateDocument', documentId: "={{ $('Upload File').item.json.document_id }}", updateFields: { name: 'device-setup.md' } }),
			coze('Progress', { operation: 'getProgress', knowledgeBaseId: id(HANDBOOK), documentIds: "={{ $('Upload Page').item.json.document_id }}", options: { ...fast, waitUntilProcessed: true } }),
			coze('Create Base', { operation: 'createBase', workspaceId: id(PERSONAL_SPACE), name: 'E2E Notes', options: { description: 'made by the e2e test' } }),
			coze('Update Base', { operation: 'updateBase', knowledgeBaseId: id('={{ $json.dataset_id }}'), name: 'E2E Notes v2', description: 'renamed' }),
			coze('List Bases', { operation: 'getManyBases', workspaceId: id(PERSONAL_SPACE), returnAll: true }),
			coze('Delete Base', { operation: 'deleteBase', knowledgeBaseId: id("={{ $('Create Base').item.json.dataset_id }}") }, { executeOnce: true }),
			node('Pages', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ pages: PAGES }), options: {} }),
			node('Split Pages', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'pages', options: {} }),
			coze(
				'Sync Pages',
				{ operation: 'uploadDocument', knowledgeBaseId: id(WIKI), source: 'text', text: '={{ $json.text }}', documentName: '={{ $json.name }}', options: { pollInterval: 0.2, concurrency: 3, sameName: 'replace' } },
				{ onError: 'continueRegularOutput' },
			),
		],
		connections: {
			'Manual Trigger': { main: [[link('Guide Text'), link('Upload Text'), link('Upload Page'), link('Upload Broken'), link('Create Base'), link('Pages')]] },
			'Guide Text': { main: [[link('Guide File')]] },
			'Guide File': { main: [[link('Upload File')]] },
			'Upload File': { main: [[link('Rename Guide')]] },
			'Rename Guide': { main: [[link('List Documents')]] },
			'Upload Page': { main: [[link('Progress')]] },
			'Create Base': { main: [[link('Update Base')]] },
			'Update Base': { main: [[link('List Bases')]] },
			'List Bases': { main: [[link('Delete Base')]] },
			Pages: { main: [[link('Split Pages')]] },
			'Split Pages': { main: [[link('Sync Pages')]] },
		},
	};
}

const tarball = usePackedPackage('knowledge');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('Knowledge resource in %s', (_label, target) => {
	const executed = useExecutedWorkflow(target, {
		tarball,
		what: 'execute the knowledge workflow',
		workflow: knowledgeWorkflow,
		prepare: (emulator) => {
			// Long enough processing that the pages wait in one shared progress poll together.
			emulator.knowledge.processPolls = 4;
			for (const page of PAGES) oldPages.set(page.name, emulator.knowledge.seed(WIKI, page.name, `old ${page.name}`).document_id);
		},
	});

	it("Upload Document: a file from n8n's binary store is uploaded, processed, and its bytes arrive unchanged", () => {
		const [item] = nodeItems(executed.run, 'Upload File');
		log(`${target.name}: Upload File output ${JSON.stringify(item.json)}`);
		expect(item.json).toMatchObject({ name: 'setup-guide.md', type: 'md', dataset_id: HANDBOOK, state: 'processed', progress: 100 });
		const stored = executed.emulator.knowledge.documents.get(String(item.json.document_id));
		expect(stored?.content.toString('utf8')).toBe(GUIDE);
		const [create] = executed.emulator.requestsTo('/open_api/knowledge/document/create');
		expect(create.headers['agw-js-conv']).toBe('str');
	});

	it('a text and a web page are uploaded; a document Coze cannot process is an error item under Continue On Fail', () => {
		expect(nodeItems(executed.run, 'Upload Text')[0].json).toMatchObject({ name: 'hours.txt', type: 'txt', state: 'processed' });
		expect(nodeItems(executed.run, 'Upload Page')[0].json).toMatchObject({ name: 'https://example.com/help', state: 'processing', update_type: 1, update_interval: 24 });
		expect(String(nodeItems(executed.run, 'Upload Broken')[0].json.error)).toMatch(/Coze could not process 'broken\.txt' \(document \d{19}, status 9/);
	});

	it('Get Many Documents lists the base (the guide renamed by Update Document); Get Processing Progress waits for the page', () => {
		const names = nodeItems(executed.run, 'List Documents').map((i) => i.json.name);
		expect(names).toEqual(['welcome.md', 'returns-policy.md', 'device-setup.md']);
		expect(nodeItems(executed.run, 'Rename Guide')[0].json).toMatchObject({ document_name: 'device-setup.md', updated: true });
		expect(nodeItems(executed.run, 'Progress').map((i) => [i.json.document_name, i.json.state, i.json.progress])).toEqual([['https://example.com/help', 'processed', 100]]);
	});

	it('a knowledge base is created, updated, listed and deleted', () => {
		const [created] = nodeItems(executed.run, 'Create Base');
		const datasetId = String(created.json.dataset_id);
		expect(datasetId).toMatch(/^\d{19}$/);
		expect(nodeItems(executed.run, 'List Bases').map((i) => i.json.name)).toContain('E2E Notes v2');
		expect(nodeItems(executed.run, 'Delete Base')[0].json).toEqual({ dataset_id: datasetId, deleted: true });
		expect(executed.emulator.knowledge.datasets.has(datasetId)).toBe(false);
	});

	it('a page deleted mid-processing by another run fails its own item only: the others replace their old copies (issue 29)', () => {
		const out = nodeItems(executed.run, 'Sync Pages');
		log(`${target.name}: Sync Pages output ${JSON.stringify(out.map((i) => i.json))}`);
		const { knowledge } = executed.emulator;
		const [gone] = [...knowledge.deletedWhileProcessing];
		expect(knowledge.deletedWhileProcessing.size).toBe(1);
		// The shared poll asked for the deleted page together with others, and Coze refused those requests.
		const asked = executed.emulator.requestsTo(`/v1/datasets/${WIKI}/process`).map((r) => (r.body as { document_ids: string[] }).document_ids);
		expect(asked.some((ids) => ids.includes(gone) && ids.length > 1)).toBe(true);
		expect(out).toHaveLength(3);
		for (const index of [0, 2]) {
			const name = PAGES[index].name;
			expect(out[index].json).toMatchObject({ name, state: 'processed', progress: 100, replaced_document_ids: [oldPages.get(name)] });
			expect(knowledge.documents.has(oldPages.get(name)!)).toBe(false);
		}
		expect(String(out[1].json.error)).toContain('Could not read the processing progress: document not exist: document not found');
		expect(knowledge.documents.has(oldPages.get('faq.md')!)).toBe(true);
		expect(knowledge.documentsOf(WIKI).map((d) => d.content.toString('utf8')).sort()).toEqual(['# Changelog v2', '# Intro v2', '# Old page\nRemoved from the folder long ago.', 'old faq.md']);
	});

	itNeverPrintsTheToken(executed);
});
