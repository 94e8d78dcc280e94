/**
 * Coze's knowledge API: knowledge bases (datasets: GET/POST /v1/datasets, PUT/DELETE
 * /v1/datasets/{id}, POST /v1/datasets/{id}/process) and their documents
 * (POST /open_api/knowledge/document/create|list|update|delete). Shapes from coze-js
 * resources/datasets, cozepy datasets and Coze Studio's idl/data/knowledge (which serves all of them).
 *
 * The document endpoints answer their fields beside `code` (no `data`), and send 19-digit ids as
 * numbers unless asked with `Agw-Js-Conv: str` (both SDKs send it); the ids are read exactly anyway.
 */
import type { IDataObject } from 'n8n-workflow';

import { cancelSignal, ItemBudget, LIMITS } from '../boundaries/budget';
import { CozeApiError, TransportError } from '../core/errors';
import { hasMorePages } from '../core/paging';
import { SharedPoll, type KeyReading, type SharedPollSource } from '../core/polling';
import type { RawBody } from '../transport/wire';
import type { FilesApi } from './file';
import type { CozeHttp } from './http';
import type { WorkspacesApi } from './space';

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

/** How often Coze fetches a web page document again. */
export interface UpdateRule extends IDataObject {
	update_type: 0 | 1;
	update_interval: number;
}

/** What Update Document changes: the name, and a web page's update rule. */
export interface DocumentUpdate extends IDataObject {
	document_id: string;
	document_name?: string;
	update_rule?: UpdateRule;
}

/** One document to add: a file's bytes (a text is a .txt file), or a web page Coze fetches. */
export type DocumentSource =
	| { kind: 'file'; name: string; data: Buffer; fileType: string; mimeType?: string }
	| { kind: 'web'; name: string; url: string; updateRule: UpdateRule };

const idOf = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export class KnowledgeApi {
	constructor(
		private readonly http: CozeHttp,
		private readonly files: FilesApi,
		private readonly workspaces: WorkspacesApi,
	) {}

	/** One page of a workspace's knowledge bases. */
	async listDatasets(query: { spaceId: string; name?: string; formatType?: number; pageNum: number; pageSize: number }): Promise<{ datasets: Dataset[]; total: number | undefined }> {
		const qs: IDataObject = { space_id: query.spaceId, page_num: query.pageNum, page_size: query.pageSize };
		if (query.name) qs.name = query.name;
		if (query.formatType !== undefined) qs.format_type = query.formatType;
		const data = await this.http.data<IDataObject | undefined>('GET', DATASETS_PATH, { qs });
		const list = Array.isArray(data?.dataset_list) ? (data.dataset_list as IDataObject[]) : [];
		const datasets = list.map((dataset) => ({ ...dataset, dataset_id: idOf(dataset.dataset_id), space_id: idOf(dataset.space_id), name: String(dataset.name ?? '') }));
		const total = Number(data?.total_count);
		return { datasets, total: Number.isFinite(total) ? total : undefined };
	}

	async createDataset(dataset: { name: string; space_id: string; format_type: number; description?: string; file_id?: string }): Promise<{ dataset_id: string }> {
		const data = await this.http.data<IDataObject | undefined>('POST', DATASETS_PATH, { body: dataset });
		const datasetId = idOf(data?.dataset_id);
		if (datasetId === '') throw new CozeApiError({ msg: 'Coze answered the creation of the knowledge base without a dataset_id' });
		return { dataset_id: datasetId };
	}

	/** Coze replaces name, description and icon together: what is not sent is cleared. */
	async updateDataset(datasetId: string, fields: { name: string; description: string; file_id?: string }): Promise<void> {
		await this.http.data('PUT', `${DATASETS_PATH}/${datasetId}`, { body: fields });
	}

	async deleteDataset(datasetId: string): Promise<void> {
		await this.http.data('DELETE', `${DATASETS_PATH}/${datasetId}`);
	}

	/** The processing progress of documents of one knowledge base. */
	async documentProgress(datasetId: string, documentIds: string[]): Promise<DocumentProgress[]> {
		return await documentProgress(this.http, datasetId, documentIds);
	}

	/**
	 * Adds one document. Coze's cloud takes a file as base64 in the request (coze-js, cozepy); Coze
	 * Studio reads only an uploaded object (its CreateDocument takes `tos_uri` and its format from
	 * `format_type`), so there the file goes through POST /v1/files/upload first, named with its
	 * lower-case extension (Studio takes the type from the name as it is). Studio takes no web pages
	 * (its SourceInfo has no web_url). The JSON body is sent as bytes, so a large upload counts as
	 * activity while it leaves.
	 */
	async createDocument(datasetId: string, source: DocumentSource, chunkStrategy: ChunkStrategy): Promise<DocumentInfo> {
		const studio = (await this.workspaces.dialect()) === 'studio';
		const activity = `uploading '${source.name}' to knowledge base ${datasetId}`;
		let request: IDataObject;
		if (source.kind === 'web') {
			if (studio) {
				throw new CozeApiError({ msg: `Web pages are not supported by this Coze server (self-hosted Coze Studio adds files and texts only): '${source.url}' was not sent` });
			}
			request = { dataset_id: datasetId, document_bases: [{ name: source.name, source_info: { web_url: source.url, document_source: 1 }, update_rule: source.updateRule }], chunk_strategy: chunkStrategy };
		} else if (studio) {
			const fileType = source.fileType.toLowerCase();
			if (!STUDIO_TEXT_TYPES.includes(fileType)) {
				throw new CozeApiError({
					msg: `'${source.name}' (${fileType}) was not sent: on self-hosted Coze Studio the node adds text documents only (${STUDIO_TEXT_TYPES.join(', ')}); tables and images need Studio's own editor`,
				});
			}
			const base = source.name.replace(/\.[A-Za-z0-9]+$/, '').replace(/[\\/]/g, '_') || 'document';
			const fileName = `${base}.${fileType}`;
			const uploaded = await this.files.uploadBytes({ data: source.data, fileName, mimeType: source.mimeType });
			if (typeof uploaded.uri !== 'string' || uploaded.uri === '') {
				throw new CozeApiError({ msg: `Coze Studio stored '${fileName}' but answered without its uri, which a knowledge document needs` });
			}
			request = { dataset_id: datasetId, format_type: FORMAT_TYPES.text, document_bases: [{ name: source.name, source_info: { tos_uri: uploaded.uri, document_source: 0 } }], chunk_strategy: chunkStrategy };
		} else {
			request = { dataset_id: datasetId, document_bases: [{ name: source.name, source_info: { file_base64: FILE_BASE64, file_type: source.fileType } }], chunk_strategy: chunkStrategy };
		}
		const rawBody = jsonWithBase64(request, source.kind === 'web' || studio ? undefined : source.data);
		const envelope = await this.http.envelope('POST', `${DOCUMENT_PATH}/create`, { rawBody, headers: STRING_IDS, activity });
		const [created] = documentInfos(envelope.document_infos);
		if (!created || created.document_id === '') {
			throw new CozeApiError({ msg: `Coze accepted the upload of '${source.name}' but answered without its document_id`, logid: (envelope.detail as IDataObject | undefined)?.logid as string | undefined });
		}
		return created;
	}

	/** One page (from 1) of a knowledge base's documents (Coze Studio's ListDocumentRequest: page, size). */
	async listDocuments(query: { datasetId: string; page: number; size: number }): Promise<{ documents: DocumentInfo[]; total: number | undefined }> {
		// Coze Studio counts pages from 0 (its ListDocument: offset = page * size); the cloud from 1.
		const studio = (await this.workspaces.dialect()) === 'studio';
		const envelope = await this.http.envelope('POST', `${DOCUMENT_PATH}/list`, {
			body: { dataset_id: query.datasetId, page: studio ? query.page - 1 : query.page, size: query.size },
			headers: STRING_IDS,
			readOnly: true,
		});
		const total = Number(envelope.total);
		return { documents: documentInfos(envelope.document_infos), total: Number.isFinite(total) ? total : undefined };
	}

	/** A knowledge base's documents, page after page, up to `limit`. */
	async listAllDocuments(datasetId: string, limit = Infinity): Promise<DocumentInfo[]> {
		const all: DocumentInfo[] = [];
		for (let page = 1; all.length < limit; page++) {
			const answer = await this.listDocuments({ datasetId, page, size: DOCUMENT_PAGE_SIZE });
			all.push(...answer.documents);
			if (!hasMorePages({ received: answer.documents.length, seen: all.length, total: answer.total })) break;
			if (page >= MAX_DOCUMENT_PAGES) {
				throw new CozeApiError({ msg: `Knowledge base ${datasetId} lists more than ${MAX_DOCUMENT_PAGES * DOCUMENT_PAGE_SIZE} documents; the node reads at most that many` });
			}
		}
		return all.slice(0, limit);
	}

	async updateDocument(update: DocumentUpdate): Promise<void> {
		await this.http.envelope('POST', `${DOCUMENT_PATH}/update`, { body: update, headers: STRING_IDS });
	}

	/** Deletes documents (Coze takes up to 100 per call). */
	async deleteDocuments(documentIds: string[]): Promise<void> {
		await this.http.envelope('POST', `${DOCUMENT_PATH}/delete`, { body: { document_ids: documentIds }, headers: STRING_IDS });
	}

	/**
	 * Waits until Coze is done processing `documentIds` (processed or failed) and answers their last
	 * progress. The polling is shared: every item of this node run waiting on the same knowledge base
	 * is served by one request per `pollMs` for all their documents (see progressPoll), so a batch of
	 * uploads does not multiply the progress requests; yet each document has its own outcome, so a
	 * document Coze cannot report on (deleted while processing) fails its own item only. When this
	 * item's Timeout strikes first, the error says the upload is done and how far processing got; the
	 * other items wait on.
	 */
	async waitUntilProcessed(datasetId: string, documentIds: string[], pollMs: number): Promise<DocumentProgress[]> {
		const { budget } = this.http;
		const poll = progressPoll(this.http, datasetId, pollMs);
		const watches = documentIds.map((id) => poll.watch(id, budget.deadline));
		const outcome = await budget.waitFor(Promise.all(watches.map((w) => w.done)), 'waiting for Coze to process the documents').then(
			(progress) => ({ progress }),
			(error: unknown) => ({ error }),
		);
		// An item that stops waiting (done, timed out, canceled) takes its documents off the poll.
		for (const w of watches) w.stop();
		if ('progress' in outcome) return outcome.progress;
		const error = outcome.error;
		if (budget.canceled) throw error instanceof TransportError && error.reason === 'canceled' ? error : budget.canceledError('waiting for Coze to process the documents');
		const uploaded = 'The upload itself is done: check later with Knowledge → Get Processing Progress';
		if (!budget.spent) {
			// A progress read that failed for this item's documents: Coze's error, saying the upload is in.
			if (!(error instanceof CozeApiError) || (error instanceof TransportError && error.reason === 'canceled')) throw error;
			throw new CozeApiError({ code: error.code, msg: `Could not read the processing progress: ${error.msg}`, logid: error.logid, httpStatus: error.httpStatus, hint: `${uploaded}.` });
		}
		const seen = documentIds.map((id) => poll.lastSeen(id)).filter((p): p is DocumentProgress => p !== undefined);
		const pending = seen.filter((entry) => documentState(entry.status) === 'processing');
		const shown = (pending.length > 0 ? pending : seen).map((entry) => `'${entry.document_name}' (${entry.document_id}) at ${entry.progress}%`);
		throw new CozeApiError({
			msg: `Coze was still processing ${shown.length > 0 ? shown.join(', ') : `document ${documentIds.join(', ')}`} after ${budget.timeoutSeconds} s`,
			hint: `${uploaded}, or raise Options → Timeout.`,
		});
	}
}

/**
 * What Coze Studio's text knowledge bases parse (its document parser at 4f786d6). Its tables need a
 * column layout and its images a caption setting, which the node does not send: on Studio it adds
 * text documents only, and says so before anything is sent.
 */
const STUDIO_TEXT_TYPES = ['pdf', 'txt', 'doc', 'docx', 'md'];

/** Stands in the request for the document's base64 until the body is sent (see jsonWithBase64). */
const FILE_BASE64 = '\u0000n8n-coze-file-base64\u0000';

/**
 * The JSON body of a request whose file_base64 is written while it is sent: the JSON text before and
 * after it, and the file's bytes once, never as a base64 string plus its JSON text plus their bytes.
 */
function jsonWithBase64(request: IDataObject, file: Buffer | undefined): RawBody {
	const text = JSON.stringify(request);
	const marker = JSON.stringify(FILE_BASE64).slice(1, -1);
	const at = file ? text.indexOf(marker) : -1;
	if (!file || at < 0) return { parts: [Buffer.from(text, 'utf8')], contentType: 'application/json' };
	return {
		parts: [Buffer.from(text.slice(0, at), 'utf8'), { base64Of: file }, Buffer.from(text.slice(at + marker.length), 'utf8')],
		contentType: 'application/json',
	};
}

/** Documents per list request, and a bound on pages (a server that never ends its list cannot hold the item). */
const DOCUMENT_PAGE_SIZE = 100;
const MAX_DOCUMENT_PAGES = 200;

function documentInfos(value: unknown): DocumentInfo[] {
	const list = Array.isArray(value) ? (value as IDataObject[]) : [];
	return list.map((info) => ({ ...info, document_id: idOf(info.document_id), name: String(info.name ?? ''), status: Number(info.status) }));
}

/** POST /v1/datasets/{id}/process: the processing progress of documents of one knowledge base. */
async function documentProgress(http: CozeHttp, datasetId: string, documentIds: string[]): Promise<DocumentProgress[]> {
	const path = `${DATASETS_PATH}/${datasetId}/process`;
	const data = await http.data<IDataObject | undefined>('POST', path, {
		body: { document_ids: documentIds },
		readOnly: true,
		activity: 'waiting for Coze to report the processing progress',
	});

	const list = Array.isArray(data?.data) ? (data.data as IDataObject[]) : [];
	return list.map((entry) => ({
		...entry,
		document_id: idOf(entry.document_id),
		document_name: String(entry.document_name ?? ''),
		status: Number(entry.status),
		progress: Number(entry.progress ?? 0),
	}));
}

const progressPolls = new WeakMap<object, Map<string, SharedPoll<DocumentProgress>>>();

/**
 * The one progress poll of a knowledge base within a node run (a SharedPoll, core/polling.ts):
 * POST /v1/datasets/{id}/process for all documents waited for. A document Coze is done with
 * settles its waiters; one it leaves out fails them. Each request is given up at the latest
 * deadline of those waiting for its documents, and after LIMITS.pollRequestMs in any case; one
 * that runs out of time, or is canceled, fails all it asked for (no other request would do
 * better), any other failure is narrowed down to the document it is about.
 */
function progressPoll(http: CozeHttp, datasetId: string, pollMs: number): SharedPoll<DocumentProgress> {
	const { context } = http;
	let perRun = progressPolls.get(context);
	if (!perRun) progressPolls.set(context, (perRun = new Map()));
	const key = `${datasetId}:${pollMs}`;
	let poll = perRun.get(key);
	if (poll) return poll;
	const signal = cancelSignal(context);
	const activity = 'waiting for Coze to process the documents';
	const source: SharedPollSource<DocumentProgress> = {
		read: async (ids, deadline) => {
			const seconds = Math.max(0, Math.round((deadline - Date.now()) / 100) / 10);
			const budget = new ItemBudget(signal, seconds, deadline, 'the time limit of one progress request');
			const progress = await documentProgress(http.withBudget(budget), datasetId, ids);
			const readings = new Map<string, KeyReading<DocumentProgress>>();
			for (const entry of progress) readings.set(entry.document_id, { state: documentState(entry.status) === 'processing' ? 'pending' : 'done', value: entry });
			for (const id of ids.filter((id) => !readings.has(id))) {
				readings.set(id, { state: 'failed', error: new CozeApiError({ msg: `Coze reported no processing progress for document ${id} of knowledge base ${datasetId}` }) });
			}
			return readings;
		},
		failsAll: (error) => error instanceof TransportError && ['canceled', 'timeout', 'idle'].includes(error.reason),
		// Between reads: the execution's cancel signal only (each waiter leaves at its own deadline).
		...new ItemBudget(signal, 0).clock(activity),
	};
	perRun.set(key, (poll = new SharedPoll(source, pollMs, () => LIMITS.pollRequestMs)));
	return poll;
}
