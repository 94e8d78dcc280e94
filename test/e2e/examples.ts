/**
 * The importable example workflows in examples/, as the e2e suite and `npm start` import them.
 * They point at the emulator's bots and the "Coze (local emulator)" / "OpenAI (emulator)"
 * credentials, so they run offline as shipped. The only things changed on import are the folders
 * of the nightly batch and the folder sync (one value in their settings node each), which must be
 * real folders n8n may use.
 */
import * as fs from 'fs';
import * as path from 'path';

import { REPO_ROOT } from './n8n';

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

export const EXAMPLES = {
	nightlyBatch: 'nightly-batch.json',
	chatbotWithMemory: 'chatbot-with-memory.json',
	aiAgentTool: 'ai-agent-tool.json',
	aiAgentPlugins: 'ai-agent-coze-plugins.json',
	clientToolRoundTrip: 'client-tool-round-trip.json',
	botWithN8nTools: 'coze-bot-with-n8n-tools.json',
	answerWithVoice: 'answer-with-voice.json',
	syncFolder: 'sync-folder-to-knowledge.json',
	testTheDraft: 'test-the-draft-then-publish.json',
	botSendsPictures: 'bot-sends-pictures.json',
} as const;

export type ExampleName = keyof typeof EXAMPLES;

interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; webhookId?: string }>;
	[key: string]: unknown;
}

export function readExample(name: ExampleName): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, EXAMPLES[name]), 'utf8')) as WorkflowJson;
}

/** The folders the examples that read files use. */
export interface ExampleFolders {
	/** The nightly batch's prompts.csv and answers. */
	batch: string;
	/** The folder the knowledge sync mirrors. */
	knowledge: string;
}

/** All examples, with the nightly batch and the folder sync pointed at their folders. */
export function examplesForImport(folders: ExampleFolders): WorkflowJson[] {
	return (Object.keys(EXAMPLES) as ExampleName[]).map((name) => {
		const workflow = readExample(name);
		if (name === 'nightlyBatch') return withFolder(workflow, 'Batch settings', folders.batch);
		if (name === 'syncFolder') return withFolder(workflow, 'Sync settings', folders.knowledge);
		return workflow;
	});
}

/** A copy of `workflow` whose settings node `settingsNode` has `folder` as its folder. */
export function withFolder(workflow: WorkflowJson, settingsNode: string, folder: string): WorkflowJson {
	const copy = structuredClone(workflow);
	const settings = copy.nodes.find((n) => n.name === settingsNode);
	const assignments = (settings?.parameters.assignments as { assignments?: Array<{ name: string; value: unknown }> } | undefined)
		?.assignments;
	const folderField = assignments?.find((a) => a.name === 'folder');
	if (!folderField) throw new Error(`examples/${copy.name}: no "folder" field in its "${settingsNode}" node`);
	folderField.value = folder;
	return copy;
}

export const KNOWLEDGE_SAMPLES_DIR = path.join(EXAMPLES_DIR, 'knowledge-folder');

/** Fills the sync's folder with the sample documents of examples/knowledge-folder; returns their names. */
export function prepareKnowledgeFolder(folder: string): string[] {
	fs.mkdirSync(folder, { recursive: true });
	const names = fs.readdirSync(KNOWLEDGE_SAMPLES_DIR).sort();
	for (const name of names) fs.copyFileSync(path.join(KNOWLEDGE_SAMPLES_DIR, name), path.join(folder, name));
	return names;
}

/** Creates the batch folder with the sample prompts.csv; returns the prompt rows. */
export function prepareBatchFolder(folder: string): Array<{ id: string; prompt: string }> {
	fs.mkdirSync(folder, { recursive: true });
	const csv = fs.readFileSync(path.join(EXAMPLES_DIR, 'nightly-batch-prompts.csv'), 'utf8');
	fs.writeFileSync(path.join(folder, 'prompts.csv'), csv);
	return parseCsv(csv);
}

/** A small RFC 4180 reader (quoted fields, doubled quotes), enough for the sample files. */
export function parseCsv(text: string): Array<Record<string, string>> & Array<{ id: string; prompt: string }> {
	text = text.replace(/^\uFEFF/, ''); // n8n's Convert to File starts its CSV with a byte order mark
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			row.push(field);
			field = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else field += c;
	}
	if (field !== '' || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	const [header, ...body] = rows.filter((r) => r.length > 1 || r[0] !== '');
	return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) as never;
}
