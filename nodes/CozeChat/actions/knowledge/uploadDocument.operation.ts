import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import {
	documentState,
	type ChunkStrategy,
	type DocumentInfo,
	type DocumentSource,
} from '../../api/knowledge';
import { LIMITS } from '../../boundaries/budget';
import { parametersOf, type ItemParameters } from '../../boundaries/parameters';
import { CozeApiError } from '../../core/errors';
import { PerRun } from '../../core/perRun';
import { concurrencyOption, inputBinaryField, inputBinaryFieldOf, sortedOptions, timeoutSecondsOf } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import {
	documentJson,
	KNOWLEDGE_BASE_FIELD,
	knowledgeBaseLocator,
	knowledgePollIntervalOption,
	knowledgeTimeoutOption,
	pollMsOf,
	updateRuleOf,
} from './common';

type Source = 'binary' | 'url' | 'text';
type SameName = 'keepBoth' | 'replace' | 'skip';

const properties: INodeProperties[] = [
	knowledgeBaseLocator,
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A file from an input binary field (Read Files, Google Drive, S3, HTTP Request…)' },
			{ name: 'Text', value: 'text', description: 'Text from a field or an expression, saved as a .txt document' },
			{ name: 'Web Page', value: 'url', description: 'A public web page Coze fetches itself' },
		],
		default: 'binary',
	},
	{
		...inputBinaryField('The name of the input binary field containing the file; its extension (pdf, txt, docx, md…) tells Coze its type'),
		displayOptions: { show: { source: ['binary'] } },
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		displayOptions: { show: { source: ['text'] } },
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/help/returns',
		displayOptions: { show: { source: ['url'] } },
	},
	{
		displayName: 'Document Name',
		name: 'documentName',
		type: 'string',
		default: '',
		placeholder: 'e.g. returns-policy.md',
		description: 'The name the document gets in Coze; empty takes the file name (Binary File) or the URL (Web Page)',
		displayOptions: { show: { source: ['binary', 'url'] } },
	},
	{
		displayName: 'Document Name',
		name: 'documentName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. returns-policy.txt',
		description: 'The name the document gets in Coze',
		displayOptions: { show: { source: ['text'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([
			{
				displayName: 'Auto Update Every (Hours)',
				name: 'updateInterval',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Web Page only: how often Coze fetches the page again (at least 24); 0 means never',
			},
			concurrencyOption,
			{
				displayName: 'Custom Chunking',
				name: 'customChunking',
				type: 'fixedCollection',
				default: {},
				description: 'How Coze splits documents into segments. It applies to the first upload into an empty knowledge base only (later uploads keep its rules); without it Coze chunks automatically.',
				options: [
					{
						displayName: 'Rules',
						name: 'rules',
						values: [
							{ displayName: 'Separator', name: 'separator', type: 'string', default: '\\n', description: 'Where segments end; \\n is a line break' },
							{ displayName: 'Max Segment Length (Tokens)', name: 'maxTokens', type: 'number', typeOptions: { minValue: 100, maxValue: 2000 }, default: 800 },
							{ displayName: 'Remove Extra Spaces', name: 'removeExtraSpaces', type: 'boolean', default: false, description: 'Whether to collapse runs of spaces, line breaks and tabs' },
							{ displayName: 'Remove URLs and Emails', name: 'removeUrlsEmails', type: 'boolean', default: false, description: 'Whether to drop every URL and email address' },
						],
					},
				],
			},
			knowledgePollIntervalOption,
			{
				displayName: 'Same-Named Documents',
				name: 'sameName',
				type: 'options',
				options: [
					{ name: 'Keep Both', value: 'keepBoth', description: 'Upload; documents of the same name stay' },
					{ name: 'Replace', value: 'replace', description: 'Upload, wait until Coze processed it, then delete the documents of the same name (a failed upload keeps the old)' },
					{ name: 'Skip', value: 'skip', description: 'Do not upload when a document of the same name is there (one Coze failed to process does not count: it is replaced); output that document' },
				],
				default: 'keepBoth',
				description: 'What to do when the knowledge base already has a document of this name (for keeping it in sync with a folder). Items of the same name run one after another.',
			},
			knowledgeTimeoutOption,
			{
				displayName: 'Wait Until Processed',
				name: 'waitUntilProcessed',
				type: 'boolean',
				default: true,
				description: 'Whether to wait until Coze has split and indexed the document (a document Coze fails to process fails the item); otherwise the item is output as soon as Coze accepted the upload',
			},
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['uploadDocument'] } }, properties);

/**
 * Each item is its own upload, so items may run side by side (Coze's "too many" slows them down);
 * when same-named documents are replaced or skipped, items of one name go one after another, so the
 * last of them is what stays.
 */
export const parallelism = itemsInParallel((parameters) => {
	const sameName = parameters.choice<SameName>('options.sameName', 'Options → Same-Named Documents', ['keepBoth', 'replace', 'skip'], 'keepBoth');
	if (sameName === 'keepBoth') return undefined;
	return `document:${parameters.locatorId(KNOWLEDGE_BASE_FIELD)}:${documentNameOf(parameters, sourceOf(parameters))}`;
});

/** The item's time: Options → Timeout (Seconds), waiting for processing included. */
export const timeoutSeconds = timeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const datasetId = parameters.locatorId(KNOWLEDGE_BASE_FIELD);
	const source = sourceOf(parameters);
	const sameName = parameters.choice<SameName>('options.sameName', 'Options → Same-Named Documents', ['keepBoth', 'replace', 'skip'], 'keepBoth');
	const wait = parameters.boolean('options.waitUntilProcessed', 'Options → Wait Until Processed', true);
	const pollMs = pollMsOf(parameters);
	const chunkStrategy = chunkStrategyOf(parameters);
	const document = await documentSourceOf(parameters, source);
	const paired = { item: itemIndex };

	// What to do about documents of this name already there.
	const known = sameName === 'keepBoth' ? undefined : await coze.budget.waitFor(knownDocuments(coze, datasetId), `listing the documents of knowledge base ${datasetId}`);
	const sameNamed = known?.documents.filter((d) => d.name === document.name) ?? [];
	if (sameName === 'skip') {
		const present = sameNamed.find((d) => documentState(d.status) !== 'failed');
		if (present) return [{ json: { ...documentJson(datasetId, present), skipped: true }, pairedItem: paired }];
	}
	// Skip replaces only documents Coze failed to process.
	const toDelete = sameName === 'replace' ? sameNamed : sameNamed.filter((d) => documentState(d.status) === 'failed');

	const created = await coze.knowledge.createDocument(datasetId, document, chunkStrategy);
	known?.add(created);
	let json: IDataObject = documentJson(datasetId, created);
	// The old document goes only once the new one is processed, even with Wait Until Processed off.
	if (wait || toDelete.length > 0) {
		const waited = await coze.knowledge.waitUntilProcessed(datasetId, [created.document_id], pollMs).then(
			([progress]) => ({ progress }),
			(error: unknown) => ({ error }),
		);
		if ('error' in waited) throw toDelete.length > 0 ? withOldKept(waited.error, toDelete) : waited.error;
		const { status, progress: percent, remaining_time, status_descript } = waited.progress;
		known?.update(created.document_id, status);
		json = documentJson(datasetId, { ...created, status }, { progress: percent, remaining_time, ...(status_descript === undefined ? {} : { status_descript }) });
		if (json.state !== 'processed') {
			throw new CozeApiError({
				msg: `Coze could not process '${document.name}' (document ${created.document_id}, status ${status}${typeof status_descript === 'string' && status_descript ? `: ${status_descript}` : ''})`,
				hint: `Coze keeps the failed document in the knowledge base${toDelete.length > 0 ? ', and the old one of that name was kept' : ''}: fix the file and upload it again, or delete it.`,
			});
		}
	}
	if (toDelete.length > 0) {
		const ids = toDelete.map((d) => d.document_id);
		const deleted = await coze.knowledge.deleteDocuments(ids).then(
			() => undefined,
			(error: unknown) => error,
		);
		if (deleted !== undefined) throw oldNotDeleted(deleted, document.name, created.document_id, ids);
		known?.remove(ids);
		json.replaced_document_ids = ids;
	}
	return [{ json, pairedItem: paired }];
}

/** An error while waiting to replace: it also says the old documents are still there. */
function withOldKept(error: unknown, old: DocumentInfo[]): unknown {
	if (!(error instanceof CozeApiError)) return error;
	return new CozeApiError({
		code: error.code,
		msg: `${error.msg} (the old document${old.length > 1 ? 's' : ''} of that name ${old.map((d) => d.document_id).join(', ')} ${old.length > 1 ? 'were' : 'was'} kept)`,
		logid: error.logid,
		httpStatus: error.httpStatus,
		hint: error.hint,
	});
}

/** Coze's error (code, logid) for a delete that failed after the new document went in, saying so. */
function oldNotDeleted(error: unknown, name: string, documentId: string, ids: string[]): CozeApiError {
	const original = error instanceof CozeApiError ? error : undefined;
	return new CozeApiError({
		code: original?.code,
		msg: `'${name}' was uploaded as document ${documentId}, but the old document${ids.length > 1 ? 's' : ''} ${ids.join(', ')} could not be deleted: ${original?.msg ?? String((error as Error)?.message ?? error)}`,
		logid: original?.logid,
		httpStatus: original?.httpStatus,
		hint: 'Both are in the knowledge base now: delete the old one with Knowledge → Delete Documents.',
	});
}

function sourceOf(parameters: ItemParameters): Source {
	return parameters.choice<Source>('source', 'Source', ['binary', 'url', 'text'], 'binary');
}

/** The name the document gets, without reading a file's bytes. */
function documentNameOf(parameters: ItemParameters, source: Source): string {
	if (source === 'text') return parameters.text('documentName', 'Document Name', { required: true });
	const given = parameters.text('documentName', 'Document Name');
	if (given !== '') return given;
	if (source === 'url') return parameters.text('url', 'URL', { required: true });
	const property = inputBinaryFieldOf(parameters);
	const binary = parameters.context.helpers.assertBinaryData(parameters.itemIndex, property);
	return binary.fileName || `${property}.${binary.fileExtension ?? 'bin'}`;
}

/** What to upload, read and checked before anything is sent. */
async function documentSourceOf(parameters: ItemParameters, source: Source): Promise<DocumentSource> {
	const name = documentNameOf(parameters, source);
	if (source === 'url') {
		const url = parameters.text('url', 'URL', { required: true });
		if (!/^https?:\/\/[^\s/]+/i.test(url)) parameters.fail(`URL: '${url}' is not a web address (http:// or https://)`);
		return { kind: 'web', name, url, updateRule: updateRuleOf(parameters, 'options.updateInterval', 'Options → Auto Update Every (Hours)') };
	}
	if (source === 'text') {
		const data = Buffer.from(parameters.text('text', 'Text', { required: true, keepSpaces: true }), 'utf8');
		if (data.length > LIMITS.maxDocumentBytes) parameters.fail(`Text is ${data.length} bytes long; the node uploads at most ${LIMITS.maxDocumentBytes} bytes per document`);
		return { kind: 'file', name, data, fileType: 'txt', mimeType: 'text/plain' };
	}
	const property = inputBinaryFieldOf(parameters);
	const { context, itemIndex } = parameters;
	const binary = context.helpers.assertBinaryData(itemIndex, property);
	const fileName = binary.fileName ?? '';
	const fileType = (binary.fileExtension || /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1] || '').toLowerCase();
	if (fileType === '') {
		parameters.fail(
			`Input Binary Field '${property}': the file${fileName ? ` '${fileName}'` : ''} has no extension, so Coze cannot tell its type`,
			'Give the file a name with its extension (pdf, txt, doc, docx, md, csv, xlsx…), e.g. with Options → File Name in the node that made it.',
		);
	}
	const tooLarge = (bytes: number) =>
		parameters.fail(`Input Binary Field '${property}': '${fileName}' is ${bytes} bytes; the node uploads at most ${LIMITS.maxDocumentBytes} bytes per document`);
	// n8n knows the size of a file in its binary store without reading it.
	if (binary.bytes !== undefined && binary.bytes > LIMITS.maxDocumentBytes) tooLarge(binary.bytes);
	const data = await context.helpers.getBinaryDataBuffer(itemIndex, property);
	if (data.length > LIMITS.maxDocumentBytes) tooLarge(data.length);
	return { kind: 'file', name, data, fileType, mimeType: binary.mimeType };
}

/** Options → Custom Chunking, or Coze's automatic chunking. */
function chunkStrategyOf(parameters: ItemParameters): ChunkStrategy {
	const custom = parameters.raw('options.customChunking', 'Options → Custom Chunking', {}) as IDataObject | undefined;
	if (!custom || typeof custom.rules !== 'object' || custom.rules === null) return { chunk_type: 0 };
	const label = 'Options → Custom Chunking →';
	const separator = parameters.text('options.customChunking.rules.separator', `${label} Separator`, { keepSpaces: true, default: '\\n' });
	if (separator === '') parameters.fail(`${label} Separator is empty: enter where segments end (\\n is a line break)`);
	return {
		chunk_type: 1,
		// Typed as \n in the editor; Coze wants the character.
		separator: separator.replace(/\\n/g, '\n').replace(/\\t/g, '\t'),
		max_tokens: parameters.number('options.customChunking.rules.maxTokens', `${label} Max Segment Length (Tokens)`, { default: 800, min: 100, max: 2000, integer: true, unit: 'tokens' }),
		remove_extra_spaces: parameters.boolean('options.customChunking.rules.removeExtraSpaces', `${label} Remove Extra Spaces`, false),
		remove_urls_emails: parameters.boolean('options.customChunking.rules.removeUrlsEmails', `${label} Remove URLs and Emails`, false),
	};
}

/**
 * A knowledge base's documents as this run knows them: listed once per run (under the operation
 * time limit, not any one item's Timeout: each item waits for it within its own), then kept up to
 * date with what the run's own items upload and delete.
 */
interface KnownDocuments {
	readonly documents: DocumentInfo[];
	add(document: DocumentInfo): void;
	/** A document's status once Coze is done with it. */
	update(id: string, status: number): void;
	remove(ids: string[]): void;
}

const listings = new PerRun<KnownDocuments>();

async function knownDocuments(coze: CozeClient, datasetId: string): Promise<KnownDocuments> {
	return await listings.get(coze.http.context, datasetId, async () => {
		let documents = await coze.shared().knowledge.listAllDocuments(datasetId);
		return {
			get documents() {
				return documents;
			},
			add: (document) => {
				documents = [...documents, document];
			},
			update: (id, status) => {
				documents = documents.map((d) => (d.document_id === id ? { ...d, status } : d));
			},
			remove: (ids) => {
				documents = documents.filter((d) => !ids.includes(d.document_id));
			},
		};
	});
}
