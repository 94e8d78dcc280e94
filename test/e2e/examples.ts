/**
 * The importable example workflows in examples/, as the e2e suite and `npm start` import them.
 * They point at the emulator's bots and the "Coze (local emulator)" / "OpenAI (emulator)"
 * credentials, so they run offline as shipped. The only thing changed on import is the nightly
 * batch's folder (one value in its "Batch settings" node), which must be a real folder n8n may use.
 */
import * as fs from 'fs';
import * as path from 'path';

import { REPO_ROOT } from './n8n';

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

export const EXAMPLES = {
	nightlyBatch: 'nightly-batch.json',
	chatbotWithMemory: 'chatbot-with-memory.json',
	aiAgentTool: 'ai-agent-tool.json',
	clientToolRoundTrip: 'client-tool-round-trip.json',
	botWithN8nTools: 'coze-bot-with-n8n-tools.json',
	answerWithVoice: 'answer-with-voice.json',
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

/** All examples, with the nightly batch pointed at `batchFolder`. */
export function examplesForImport(batchFolder: string): WorkflowJson[] {
	return (Object.keys(EXAMPLES) as ExampleName[]).map((name) => {
		const workflow = readExample(name);
		return name === 'nightlyBatch' ? withBatchFolder(workflow, batchFolder) : workflow;
	});
}

export function withBatchFolder(workflow: WorkflowJson, folder: string): WorkflowJson {
	const copy = structuredClone(workflow);
	const settings = copy.nodes.find((n) => n.name === 'Batch settings');
	const assignments = (settings?.parameters.assignments as { assignments?: Array<{ name: string; value: unknown }> } | undefined)
		?.assignments;
	const folderField = assignments?.find((a) => a.name === 'folder');
	if (!folderField) throw new Error('examples/nightly-batch.json: no "folder" field in its "Batch settings" node');
	folderField.value = folder;
	return copy;
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
