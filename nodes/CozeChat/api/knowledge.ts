/**
 * Coze's knowledge API: knowledge bases (datasets: GET/POST /v1/datasets, PUT/DELETE
 * /v1/datasets/{id}, POST /v1/datasets/{id}/process) and their documents
 * (POST /open_api/knowledge/document/create|list|update|delete). Shapes from coze-js
 * resources/datasets, cozepy datasets and Coze Studio's idl/data/knowledge (which serves all of them).
 *
 * The document endpoints answer their fields beside `code` (no `data`), and send 19-digit ids as
 * numbers unless asked with `Agw-Js-Conv: str` (both SDKs send it); the ids are read exactly anyway.
 */
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import type { ItemBudget } from '../boundaries/budget';
import { CozeApiError, TransportError } from '../core/errors';
import { cozeApiEnvelope, cozeApiRequest } from '../transport/request';

export const DATASETS_PATH = '/v1/datasets';
const DOCUMENT_PATH = '/open_api/knowledge/document';

/** Asks the knowledge API for ids as strings (coze-js datasets/documents, cozepy). */
const STRING_IDS = { 'Agw-Js-Conv': 'str' };

/** A knowledge base's format (Coze's format_type). */
export const FORMAT_TYPES = { text: 0, table: 1, image: 2 } as const;
export type FormatName = keyof typeof FORMAT_TYPES;

export interface Dataset extends IDataObject {
	dataset_id: string;
	name: string;
}

export interface DocumentInfo extends IDataObject {
	document_id: string;
	name: string;
	status: number;
}

export interface DocumentProgress extends IDataObject {
	document_id: string;
	document_name: string;
	status: number;
	progress: number;
}

/** What Coze's document status numbers mean (cozepy DocumentStatus; Coze Studio's common.DocumentStatus). */
export type DocumentState = 'processing' | 'processed' | 'failed' | 'deleted' | 'unknown';

export function documentState(status: unknown): DocumentState {
	switch (Number(status)) {
		case 0: // processing
		case 4: // Studio: being re-segmented
		case 5: // Studio: being refreshed
			return 'processing';
		case 1:
			return 'processed';
		case 2: // Studio: "Disable — failure"
		case 9:
			return 'failed';
		case 3:
			return 'deleted';
		default:
			return 'unknown';
	}
}

/** Chunking of a knowledge base's documents, set by its first upload (cozepy DocumentChunkStrategy). */
export interface ChunkStrategy extends IDataObject {
	chunk_type: 0 | 1;
	separator?: string;
	max_tokens?: number;
	remove_extra_spaces?: boolean;
	remove_urls_emails?: boolean;
}

/** One document to create: a local file as base64, or a web page. */
export interface DocumentBase extends IDataObject {
	name: string;
	source_info: { file_base64: string; file_type: string } | { web_url: string; document_source: 1 };
	update_rule?: { update_type: 0 | 1; update_interval: number };
}

type Context = IExecuteFunctions | ILoadOptionsFunctions;

const idOf = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** One page of a workspace's knowledge bases. */
export async function listDatasets(
	context: Context,
	query: { spaceId: string; name?: string; formatType?: number; pageNum: number; pageSize: number },
	budget?: ItemBudget,
): Promise<{ datasets: Dataset[]; total: number | undefined }> {
	const qs: IDataObject = { space_id: query.spaceId, page_num: query.pageNum, page_size: query.pageSize };
	if (query.name) qs.name = query.name;
	if (query.formatType !== undefined) qs.format_type = query.formatType;
	const data = (await cozeApiRequest.call(context, 'GET', DATASETS_PATH, { qs, budget })) as IDataObject | undefined;
	const list = Array.isArray(data?.dataset_list) ? (data.dataset_list as IDataObject[]) : [];
	const datasets = list.map((dataset) => ({ ...dataset, dataset_id: idOf(dataset.dataset_id), space_id: idOf(dataset.space_id), name: String(dataset.name ?? '') }));
	const total = Number(data?.total_count);
	return { datasets, total: Number.isFinite(total) ? total : undefined };
}

export async function createDataset(
	context: IExecuteFunctions,
	dataset: { name: string; space_id: string; format_type: number; description?: string; file_id?: string },
	budget?: ItemBudget,
): Promise<{ dataset_id: string }> {
	const data = (await cozeApiRequest.call(context, 'POST', DATASETS_PATH, { body: dataset, budget })) as IDataObject | undefined;
	const datasetId = idOf(data?.dataset_id);
	if (datasetId === '') throw new CozeApiError({ msg: 'Coze answered the creation of the knowledge base without a dataset_id' });
	return { dataset_id: datasetId };
}

/** Coze replaces name, description and icon together: what is not sent is cleared. */
export async function updateDataset(
	context: IExecuteFunctions,
	datasetId: string,
	fields: { name: string; description: string; file_id?: string },
	budget?: ItemBudget,
): Promise<void> {
	await cozeApiRequest.call(context, 'PUT', `${DATASETS_PATH}/${datasetId}`, { body: fields, budget });
}

export async function deleteDataset(context: IExecuteFunctions, datasetId: string, budget?: ItemBudget): Promise<void> {
	await cozeApiRequest.call(context, 'DELETE', `${DATASETS_PATH}/${datasetId}`, { budget });
}

/** The processing progress of documents of one knowledge base. */
export async function documentProgress(
	context: IExecuteFunctions,
	datasetId: string,
	documentIds: string[],
	budget?: ItemBudget,
): Promise<DocumentProgress[]> {
	const path = `${DATASETS_PATH}/${datasetId}/process`;
	const data = (await cozeApiRequest.call(context, 'POST', path, {
		body: { document_ids: documentIds },
		budget,
		readOnly: true,
		activity: 'waiting for Coze to report the processing progress',
	})) as IDataObject | undefined;
	const list = Array.isArray(data?.data) ? (data.data as IDataObject[]) : [];
	return list.map((entry) => ({
		...entry,
		document_id: idOf(entry.document_id),
		document_name: String(entry.document_name ?? ''),
		status: Number(entry.status),
		progress: Number(entry.progress ?? 0),
	}));
}

/** Creates documents (Coze takes up to 10 per call) and answers what it created. */
export async function createDocuments(
	context: IExecuteFunctions,
	request: { dataset_id: string; document_bases: DocumentBase[]; chunk_strategy?: ChunkStrategy; format_type?: number },
	budget?: ItemBudget,
	activity?: string,
): Promise<DocumentInfo[]> {
	const envelope = await cozeApiEnvelope.call(context, 'POST', `${DOCUMENT_PATH}/create`, { body: request, budget, headers: STRING_IDS, activity });
	return documentInfos(envelope.document_infos);
}

/** One page of a knowledge base's documents (Coze Studio's ListDocumentRequest: page, size). */
export async function listDocuments(
	context: IExecuteFunctions,
	query: { datasetId: string; page: number; size: number },
	budget?: ItemBudget,
): Promise<{ documents: DocumentInfo[]; total: number | undefined }> {
	const envelope = await cozeApiEnvelope.call(context, 'POST', `${DOCUMENT_PATH}/list`, {
		body: { dataset_id: query.datasetId, page: query.page, size: query.size },
		budget,
		headers: STRING_IDS,
		readOnly: true,
	});
	const total = Number(envelope.total);
	return { documents: documentInfos(envelope.document_infos), total: Number.isFinite(total) ? total : undefined };
}

export async function updateDocument(
	context: IExecuteFunctions,
	update: { document_id: string; document_name?: string; update_rule?: DocumentBase['update_rule'] },
	budget?: ItemBudget,
): Promise<void> {
	await cozeApiEnvelope.call(context, 'POST', `${DOCUMENT_PATH}/update`, { body: update, budget, headers: STRING_IDS });
}

/** Deletes documents (Coze takes up to 100 per call). */
export async function deleteDocuments(context: IExecuteFunctions, documentIds: string[], budget?: ItemBudget): Promise<void> {
	await cozeApiEnvelope.call(context, 'POST', `${DOCUMENT_PATH}/delete`, { body: { document_ids: documentIds }, budget, headers: STRING_IDS });
}

function documentInfos(value: unknown): DocumentInfo[] {
	const list = Array.isArray(value) ? (value as IDataObject[]) : [];
	return list.map((info) => ({ ...info, document_id: idOf(info.document_id), name: String(info.name ?? ''), status: Number(info.status) }));
}

/**
 * Polls the progress of `documentIds` every `pollMs` until none is processing, and answers the
 * last progress. When the item's Timeout strikes first (during a poll or a pause), the error says
 * the documents were uploaded and still being processed, with how far they got.
 */
export async function waitUntilProcessed(
	context: IExecuteFunctions,
	datasetId: string,
	documentIds: string[],
	pollMs: number,
	budget: ItemBudget,
): Promise<DocumentProgress[]> {
	let last: DocumentProgress[] = [];
	const stillProcessing = () => {
		const pending = last.filter((entry) => documentState(entry.status) === 'processing');
		const shown = (pending.length > 0 ? pending : last).map((entry) => `'${entry.document_name}' (${entry.document_id}) at ${entry.progress}%`);
		return new CozeApiError({
			msg: `Coze was still processing ${shown.length > 0 ? shown.join(', ') : `document ${documentIds.join(', ')}`} after ${budget.timeoutSeconds} s`,
			hint: 'The upload itself is done: check later with Knowledge → Get Processing Progress, or raise Options → Timeout.',
		});
	};
	const orStillProcessing = (failure: unknown): never => {
		throw failure instanceof TransportError && failure.reason === 'timeout' ? stillProcessing() : failure;
	};
	for (;;) {
		last = await documentProgress(context, datasetId, documentIds, budget).catch(orStillProcessing);
		const known = new Set(last.map((entry) => entry.document_id));
		const missing = documentIds.filter((id) => !known.has(id));
		if (missing.length > 0) {
			throw new CozeApiError({ msg: `Coze reported no processing progress for document ${missing.join(', ')} of knowledge base ${datasetId}` });
		}
		if (!last.some((entry) => documentState(entry.status) === 'processing')) return last;
		const remaining = budget.remainingMs();
		if (remaining !== undefined && pollMs >= remaining) throw stillProcessing();
		await budget.sleep(pollMs, 'waiting for Coze to process the documents').catch(orStillProcessing);
	}
}
