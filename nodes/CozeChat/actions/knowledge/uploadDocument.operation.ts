import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import {
	createDocuments,
	deleteDocuments,
	listDocuments,
	waitUntilProcessed,
	type ChunkStrategy,
	type DocumentBase,
	type DocumentInfo,
} from '../../api/knowledge';
import type { ItemBudget } from '../../boundaries/budget';
import { parametersOf, type ItemParameters } from '../../boundaries/parameters';
import { CozeApiError } from '../../core/errors';
import { hasMorePages } from '../../core/paging';
import { concurrencyOption, sortedOptions } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import { documentJson, KNOWLEDGE_BASE_FIELD, knowledgeBaseLocator, knowledgeBudgetOf, knowledgeTimeoutOption, pollIntervalOption, pollMsOf } from './common';

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
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'data',
		hint: 'The name of the input binary field containing the file; its extension (pdf, txt, docx, md…) tells Coze its type',
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
			pollIntervalOption,
			{
				displayName: 'Same-Named Documents',
				name: 'sameName',
				type: 'options',
				options: [
					{ name: 'Keep Both', value: 'keepBoth', description: 'Upload; documents of the same name stay' },
					{ name: 'Replace', value: 'replace', description: 'Upload, then delete the documents of the same name that were there before this run (only once the new one is in: a failed upload keeps the old)' },
					{ name: 'Skip', value: 'skip', description: 'Do not upload when a document of the same name is there; output that document' },
				],
				default: 'keepBoth',
				description: 'What to do when the knowledge base already has a document of this name (for keeping it in sync with a folder)',
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

/** Each item is its own upload, so items may run side by side (Coze's "too many" slows them down). */
export const parallelism = itemsInParallel();

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const datasetId = parameters.locatorId(KNOWLEDGE_BASE_FIELD);
	const source = parameters.choice<Source>('source', 'Source', ['binary', 'url', 'text'], 'binary');
	const sameName = parameters.choice<SameName>('options.sameName', 'Options → Same-Named Documents', ['keepBoth', 'replace', 'skip'], 'keepBoth');
	const wait = parameters.boolean('options.waitUntilProcessed', 'Options → Wait Until Processed', true);
	const pollMs = pollMsOf(parameters);
	const chunkStrategy = chunkStrategyOf(parameters);
	const budget = knowledgeBudgetOf(this, parameters);
	const document = await documentBaseOf(parameters, source);
	const paired = { item: itemIndex };

	const sameNamed = sameName === 'keepBoth' ? [] : (await documentsBeforeThisRun(this, datasetId, budget)).filter((d) => d.name === document.name);
	if (sameName === 'skip' && sameNamed.length > 0) {
		return [{ json: { ...documentJson(datasetId, sameNamed[0]), skipped: true }, pairedItem: paired }];
	}

	const [created] = await createDocuments(
		this,
		{ dataset_id: datasetId, document_bases: [document], chunk_strategy: chunkStrategy },
		budget,
		`uploading '${document.name}' to knowledge base ${datasetId}`,
	);
	if (!created || created.document_id === '') {
		throw new CozeApiError({ msg: `Coze accepted the upload of '${document.name}' but answered without its document_id` });
	}
	let json: IDataObject = documentJson(datasetId, created);
	if (wait) {
		const [progress] = await waitUntilProcessed(this, datasetId, [created.document_id], pollMs, budget);
		// The document as created, with how its processing ended.
		const { status, progress: percent, remaining_time, status_descript } = progress;
		json = documentJson(datasetId, { ...created, status }, { progress: percent, remaining_time, ...(status_descript === undefined ? {} : { status_descript }) });
		if (json.state !== 'processed') {
			throw new CozeApiError({
				msg: `Coze could not process '${document.name}' (document ${created.document_id}, status ${progress.status}${typeof progress.status_descript === 'string' && progress.status_descript ? `: ${progress.status_descript}` : ''})`,
				hint: 'Coze keeps the failed document in the knowledge base: fix the file and upload it again (Same-Named Documents: Replace), or delete it.',
			});
		}
	}
	if (sameName === 'replace' && sameNamed.length > 0) {
		const replaced = sameNamed.map((d) => d.document_id);
		await deleteDocuments(this, replaced, budget).catch((error: unknown) => {
			throw new CozeApiError({
				msg: `'${document.name}' was uploaded as document ${created.document_id}, but the old document${replaced.length > 1 ? 's' : ''} ${replaced.join(', ')} could not be deleted: ${(error as Error).message}`,
			});
		});
		json.replaced_document_ids = replaced;
	}
	return [{ json, pairedItem: paired }];
}

/** What to upload, read and checked before anything is sent. */
async function documentBaseOf(parameters: ItemParameters, source: Source): Promise<DocumentBase> {
	if (source === 'url') {
		const url = parameters.text('url', 'URL', { required: true });
		if (!/^https?:\/\/[^\s/]+/i.test(url)) parameters.fail(`URL: '${url}' is not a web address (http:// or https://)`);
		const hours = parameters.number('options.updateInterval', 'Options → Auto Update Every (Hours)', { default: 0, min: 0, integer: true, unit: 'hours', minNote: '0 means never' });
		if (hours > 0 && hours < 24) parameters.fail(`Options → Auto Update Every (Hours): ${hours} is not allowed (Coze updates a page at most every 24 hours; 0 means never)`);
		return {
			name: parameters.text('documentName', 'Document Name') || url,
			source_info: { web_url: url, document_source: 1 },
			update_rule: hours > 0 ? { update_type: 1, update_interval: hours } : { update_type: 0, update_interval: 24 },
		};
	}
	if (source === 'text') {
		const text = parameters.text('text', 'Text', { required: true, keepSpaces: true });
		const name = parameters.text('documentName', 'Document Name', { required: true });
		return { name, source_info: { file_base64: Buffer.from(text, 'utf8').toString('base64'), file_type: 'txt' } };
	}
	const property = parameters.text('binaryPropertyName', 'Input Binary Field', { required: true });
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
	const data = await context.helpers.getBinaryDataBuffer(itemIndex, property);
	const name = parameters.text('documentName', 'Document Name') || fileName || `${property}.${fileType}`;
	return { name, source_info: { file_base64: data.toString('base64'), file_type: fileType } };
}

/** Options → Custom Chunking, or Coze's automatic chunking. */
function chunkStrategyOf(parameters: ItemParameters): ChunkStrategy {
	const custom = parameters.raw('options.customChunking', 'Options → Custom Chunking', {}) as IDataObject | undefined;
	if (!custom || typeof custom.rules !== 'object' || custom.rules === null) return { chunk_type: 0 };
	const label = 'Options → Custom Chunking →';
	const separator = parameters.text('options.customChunking.rules.separator', `${label} Separator`, { keepSpaces: true, default: '\\n' });
	return {
		chunk_type: 1,
		// Typed as \n in the editor; Coze wants the character.
		separator: separator.replace(/\\n/g, '\n').replace(/\\t/g, '\t') || '\n',
		max_tokens: parameters.number('options.customChunking.rules.maxTokens', `${label} Max Segment Length (Tokens)`, { default: 800, min: 100, max: 2000, integer: true, unit: 'tokens' }),
		remove_extra_spaces: parameters.boolean('options.customChunking.rules.removeExtraSpaces', `${label} Remove Extra Spaces`, false),
		remove_urls_emails: parameters.boolean('options.customChunking.rules.removeUrlsEmails', `${label} Remove URLs and Emails`, false),
	};
}

/** Documents per list request while looking for same-named ones. */
const LIST_PAGE_SIZE = 100;
const MAX_LIST_PAGES = 200;
const listings = new WeakMap<object, Map<string, Promise<DocumentInfo[]>>>();

/**
 * The knowledge base's documents as they were when the node first looked in this run: read once
 * per execution and knowledge base, so a batch of uploads lists it once, and "Replace" never
 * deletes what another item of the same run has just uploaded.
 */
async function documentsBeforeThisRun(context: IExecuteFunctions, datasetId: string, budget: ItemBudget): Promise<DocumentInfo[]> {
	let perBase = listings.get(context);
	if (!perBase) listings.set(context, (perBase = new Map()));
	let listing = perBase.get(datasetId);
	if (!listing) {
		listing = (async () => {
			const all: DocumentInfo[] = [];
			for (let page = 1; page <= MAX_LIST_PAGES; page++) {
				const answer = await listDocuments(context, { datasetId, page, size: LIST_PAGE_SIZE }, budget);
				all.push(...answer.documents);
				if (!hasMorePages({ received: answer.documents.length, seen: all.length, total: answer.total })) break;
			}
			return all;
		})();
		// A failed listing is not kept: the next item tries again.
		listing.catch(() => perBase!.delete(datasetId));
		perBase.set(datasetId, listing);
	}
	return await listing;
}
