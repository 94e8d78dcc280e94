/**
 * Coze's knowledge API in the shapes of coze-js resources/datasets, cozepy datasets (and its tests)
 * and Coze Studio's idl/data/knowledge: knowledge bases under /v1/datasets (`{code, msg, data}`),
 * documents under /open_api/knowledge/document/* (fields beside `code`, no `data`). The document
 * endpoints send 19-digit ids as JSON numbers unless asked with `Agw-Js-Conv: str` — as Coze's
 * gateway does — so a client that parses them with JSON.parse sees them rounded.
 *
 * Processing is simulated: a new document is at status 0 for `processPolls` progress reads (1000
 * when its content holds "SLOW"), then 1 (processed), or 9 with a status_descript when its content
 * holds "CORRUPT". A document whose content holds "VANISH" is deleted right after its first progress
 * read, as an overlapping run (the folder-sync example started twice) would delete it; a document
 * deleted while processing, that way or through /document/delete, makes every later progress
 * request that names it fail as a whole (no progress for the others it names either). Coze Studio
 * fails that request: its GetDocumentProgress checks every id (ErrKnowledgeDocumentNotExistCode
 * 105000012, "document not exist: document not found"), and a progress bar it cannot read fails
 * the whole request (105000023); the cloud's answer is assumed to be the same envelope (HTTP 200).
 * `hangProgress` keeps progress requests unanswered (a server that hangs). Assumed, not sourced:
 * the error codes and texts for an unknown knowledge base or document, an unsupported file type, a
 * first upload without chunk_strategy and more than 10 documents per request (Coze's generic 4000
 * "invalid parameter", HTTP 200), and Coze Studio's refusal of a web page (code 105000001; its
 * SourceInfo has no web_url, so it cannot take one); 4013 for too many uploads is Coze's documented
 * rate-limit code.
 */
import type { IncomingHttpHeaders } from 'http';

import { newId, newLogId } from './ids';
import type { CozeEmulator, EmulatorRoute } from './server';

export const PERSONAL_SPACE = '7400000000000100001';
export const TEAM_SPACE = '7400000000000100002';

/** The knowledge bases every emulator starts with. */
export const KNOWLEDGE_BASES = {
	handbook: { id: '7420000000000000001', name: 'Product Handbook', space: PERSONAL_SPACE, format: 0 },
	empty: { id: '7420000000000000002', name: 'Empty Notes', space: PERSONAL_SPACE, format: 0 },
	prices: { id: '7420000000000000003', name: 'Price Lists', space: TEAM_SPACE, format: 1 },
	/** What the folder-sync example keeps in sync; it starts with a page the folder no longer has. */
	wiki: { id: '7420000000000000004', name: 'Team Wiki', space: PERSONAL_SPACE, format: 0 },
} as const;

/** How many archive knowledge bases the team space holds besides Price Lists (two pages of 100). */
export const ARCHIVE_COUNT = 104;

const FILE_TYPES: Record<number, string[]> = { 0: ['pdf', 'txt', 'doc', 'docx', 'md'], 1: ['csv', 'xls', 'xlsx'], 2: ['png', 'jpg', 'jpeg', 'webp'] };

export interface EmulatedDocument {
	document_id: string;
	dataset_id: string;
	name: string;
	type: string;
	size: number;
	char_count: number;
	format_type: number;
	source_type: number;
	status: number;
	status_descript?: string;
	hit_count: number;
	slice_count: number;
	create_time: number;
	update_time: number;
	update_type: number;
	update_interval: number;
	web_url?: string;
	tos_uri: string;
	chunk_strategy: Record<string, unknown>;
	/** The uploaded bytes (a web page's URL for web documents). */
	content: Buffer;
	pollsLeft: number;
	pollsTotal: number;
	fails: boolean;
	/** Deleted by "another run" right after its first progress read ("VANISH" in its content). */
	vanishes: boolean;
	/** Why processing fails (default: a damaged file). */
	failReason?: string;
}

interface EmulatedDataset {
	dataset_id: string;
	name: string;
	description: string;
	space_id: string;
	format_type: number;
	icon_file_id?: string;
	status: number;
	create_time: number;
	update_time: number;
	chunk_strategy?: Record<string, unknown>;
}

const now = () => Math.floor(Date.now() / 1000);

export class KnowledgeEmulator {
	readonly datasets = new Map<string, EmulatedDataset>();
	readonly documents = new Map<string, EmulatedDocument>();
	/** Progress reads a new document stays at status 0 for. */
	processPolls = 2;
	/** At most `max` document uploads per `windowMs`; more are answered 4013 (a bulk upload's limit). */
	uploadRateLimit: { max: number; windowMs: number } | undefined;
	/** Send document ids as JSON numbers even when asked for strings (a gateway that ignores Agw-Js-Conv). */
	numericIds = false;
	/** Uploads answered 4013 so far. */
	rateLimitedUploads = 0;
	/** Documents deleted while Coze was still processing them: a progress request naming one fails. */
	readonly deletedWhileProcessing = new Set<string>();
	/** Progress requests are held open without an answer (a hanging server). */
	hangProgress = false;
	/** Progress requests that were held open, and when the client gave up on each (closed it). */
	readonly hungProgress: Array<{ documentIds: string[]; at: number; closedAt?: number }> = [];
	private uploadTimes: number[] = [];

	constructor(private readonly emulator: CozeEmulator) {
		this.reset();
	}

	/** Back to the knowledge bases and documents every emulator starts with, and default behaviour. */
	reset(): void {
		this.datasets.clear();
		this.documents.clear();
		this.processPolls = 2;
		this.uploadRateLimit = undefined;
		this.rateLimitedUploads = 0;
		this.numericIds = false;
		this.uploadTimes = [];
		this.deletedWhileProcessing.clear();
		this.hangProgress = false;
		this.hungProgress.length = 0;
		const created = now() - 86400;
		const add = (id: string, name: string, space: string, format: number) =>
			this.datasets.set(id, { dataset_id: id, name, description: '', space_id: space, format_type: format, status: 1, create_time: created, update_time: created });
		for (const base of Object.values(KNOWLEDGE_BASES)) add(base.id, base.name, base.space, base.format);
		for (let i = 1; i <= ARCHIVE_COUNT; i++) add(String(7420000000000001000n + BigInt(i)), `Archive ${String(i).padStart(3, '0')}`, TEAM_SPACE, 0);
		this.datasets.get(KNOWLEDGE_BASES.handbook.id)!.chunk_strategy = { chunk_type: 0 };
		this.datasets.get(KNOWLEDGE_BASES.prices.id)!.chunk_strategy = { chunk_type: 0 };
		this.datasets.get(KNOWLEDGE_BASES.wiki.id)!.chunk_strategy = { chunk_type: 0 };
		this.seed(KNOWLEDGE_BASES.handbook.id, 'welcome.md', '# Welcome\nThe handbook of our products.');
		this.seed(KNOWLEDGE_BASES.handbook.id, 'returns-policy.md', '# Returns\nReturns are accepted within 30 days.');
		this.seed(KNOWLEDGE_BASES.wiki.id, 'old-page.md', '# Old page\nRemoved from the folder long ago.');
	}

	/** Adds a processed Markdown document to a knowledge base (what an earlier upload left there). */
	seed(datasetId: string, name: string, text: string): EmulatedDocument {
		const document = this.newDocument(datasetId, name, 'md', Buffer.from(text, 'utf8'), 0);
		document.status = 1;
		document.pollsLeft = 0;
		document.slice_count = 1;
		this.documents.set(document.document_id, document);
		return document;
	}

	/** Deletes documents as Coze does; one still processing is remembered (see deletedWhileProcessing). */
	deleteDocuments(ids: string[]): void {
		for (const id of ids) {
			if (this.documents.get(id)?.status === 0) this.deletedWhileProcessing.add(id);
			this.documents.delete(id);
		}
	}

	/** The documents of a knowledge base, oldest first. */
	documentsOf(datasetId: string): EmulatedDocument[] {
		return [...this.documents.values()].filter((d) => d.dataset_id === datasetId);
	}

	readonly route: EmulatorRoute = async (request) => {
		const { res, method, path } = request;
		const body = (request.body ?? {}) as Record<string, unknown>;
		const fail = (msg: string, code = 4000) => (this.emulator.json(res, 200, { code, msg }), true);

		if (path === '/v1/datasets' && method === 'GET') {
			const space = request.query.space_id;
			if (!space || ![PERSONAL_SPACE, TEAM_SPACE].includes(space)) return fail(`space_id ${space ?? ''} is invalid`);
			const size = Number(request.query.page_size ?? 10);
			const page = Number(request.query.page_num ?? 1);
			if (!(Number.isInteger(size) && size >= 1 && size <= 300) || !(Number.isInteger(page) && page >= 1)) return fail('page_num must be ≥ 1 and page_size in [1, 300]');
			const name = request.query.name ?? '';
			const format = request.query.format_type;
			const list = [...this.datasets.values()].filter((d) => d.space_id === space && d.name.includes(name) && (format === undefined || String(d.format_type) === format));
			return this.emulator.ok(res, { dataset_list: list.slice((page - 1) * size, page * size).map((d) => this.publicDataset(d)), total_count: list.length }), true;
		}
		if (path === '/v1/datasets' && method === 'POST') {
			const name = typeof body.name === 'string' ? body.name : '';
			if (name === '' || [...name].length > 100) return fail('name is required and at most 100 characters');
			if (typeof body.space_id !== 'string' || ![PERSONAL_SPACE, TEAM_SPACE].includes(body.space_id)) return fail(`space_id ${String(body.space_id)} is invalid`);
			if (body.format_type !== 0 && body.format_type !== 2) return fail('format_type must be 0 (text) or 2 (image)');
			const id = newId();
			const time = now();
			this.datasets.set(id, { dataset_id: id, name, description: typeof body.description === 'string' ? body.description : '', space_id: body.space_id, format_type: body.format_type, icon_file_id: typeof body.file_id === 'string' ? body.file_id : undefined, status: 1, create_time: time, update_time: time });
			return this.emulator.ok(res, { dataset_id: id }), true;
		}
		const one = /^\/v1\/datasets\/(\d+)(\/process)?$/.exec(path);
		if (one) {
			const dataset = this.datasets.get(one[1]);
			if (!dataset) return fail(`dataset_id ${one[1]} does not exist`);
			if (one[2] && method === 'POST') {
				const ids = Array.isArray(body.document_ids) ? body.document_ids.map(String) : [];
				if (this.hangProgress) {
					const hung: (typeof this.hungProgress)[number] = { documentIds: ids, at: Date.now() };
					this.hungProgress.push(hung);
					request.res.on('close', () => (hung.closedAt = Date.now()));
					return true;
				}
				// Assumed for the cloud (see the top of this file): the whole request fails, nothing for the others.
				const gone = ids.find((id) => this.deletedWhileProcessing.has(id));
				if (gone) return fail('document not exist: document not found', 105000012);
				const documents = ids
					.map((id) => this.documents.get(id))
					.filter((d): d is EmulatedDocument => d !== undefined && d.dataset_id === dataset.dataset_id);
				const data = documents.map((d) => this.progressOf(d));
				// Another run deletes a "VANISH" document once it was seen processing.
				this.deleteDocuments(documents.filter((d) => d.vanishes && d.status === 0).map((d) => d.document_id));
				return this.emulator.ok(res, { data }), true;
			}
			if (!one[2] && method === 'PUT') {
				const name = typeof body.name === 'string' ? body.name : '';
				if (name === '' || [...name].length > 100) return fail('name is required and at most 100 characters');
				// Coze replaces all three: what is not sent is reset.
				dataset.name = name;
				dataset.description = typeof body.description === 'string' ? body.description : '';
				dataset.icon_file_id = typeof body.file_id === 'string' ? body.file_id : undefined;
				dataset.update_time = now();
				return this.emulator.ok(res, {}), true;
			}
			if (!one[2] && method === 'DELETE') {
				this.deleteDocuments(this.documentsOf(dataset.dataset_id).map((d) => d.document_id));
				this.datasets.delete(dataset.dataset_id);
				return this.emulator.ok(res, {}), true;
			}
			return false;
		}

		if (!path.startsWith('/open_api/knowledge/document/') || method !== 'POST') return false;
		const stringIds = !this.numericIds && headerIs(request.req.headers, 'agw-js-conv', 'str');
		const answer = (fields: Record<string, unknown>) => this.documentAnswer(res, fields, stringIds);
		switch (path) {
			case '/open_api/knowledge/document/create': {
				const dataset = this.datasets.get(String(body.dataset_id ?? ''));
				if (!dataset) return fail(`dataset_id ${String(body.dataset_id)} does not exist`);
				const bases = Array.isArray(body.document_bases) ? (body.document_bases as Array<Record<string, unknown>>) : [];
				if (bases.length === 0 || bases.length > 10) return fail('document_bases must hold 1 to 10 documents');
				const hasDocuments = this.documentsOf(dataset.dataset_id).length > 0 || dataset.chunk_strategy !== undefined;
				const chunk = body.chunk_strategy as Record<string, unknown> | undefined;
				if (!hasDocuments && (typeof chunk !== 'object' || chunk === null)) return fail('chunk_strategy is required for the first upload into a knowledge base');
				if (this.rateLimited()) return fail('Request frequency limit exceeded, please try again later', 4013);
				const created: EmulatedDocument[] = [];
				for (const base of bases) {
					const source = (base.source_info ?? {}) as Record<string, unknown>;
					const name = typeof base.name === 'string' ? base.name : '';
					if (name === '') return fail('document_bases.name is required');
					if (source.document_source === 1 || typeof source.web_url === 'string') {
						// Studio's SourceInfo has no web_url (document_source: 0 local, 2 custom).
						if (this.emulator.dialect === 'studio') return fail('document source 1 (web page) is not supported', 105000001); // assumed
						if (typeof source.web_url !== 'string' || !/^https?:\/\//.test(source.web_url)) return fail('source_info.web_url is invalid');
						const rule = (base.update_rule ?? {}) as Record<string, unknown>;
						const document = this.newDocument(dataset.dataset_id, name, 'html', Buffer.from(source.web_url, 'utf8'), 1);
						document.web_url = source.web_url;
						document.update_type = rule.update_type === 1 ? 1 : 0;
						document.update_interval = typeof rule.update_interval === 'number' ? rule.update_interval : 24;
						created.push(document);
						continue;
					}
					if (this.emulator.dialect === 'studio') {
						// Studio's Open API CreateDocument (application/knowledge) reads only an uploaded
						// object (tos_uri, its type from the name) or custom_content, and its format from
						// format_type; file_base64 is ignored, so such a document has no content.
						const uri = typeof source.tos_uri === 'string' ? source.tos_uri : '';
						const stored = /^bot_files\/(\d+)\//.exec(uri);
						const file = stored ? this.emulator.files.get(stored[1]) : undefined;
						// The type is the name's extension as it is (Studio does not lower-case it), and
						// Studio does not check format_type against the knowledge base.
						const fileType = /\.([A-Za-z0-9]+)$/.exec(uri)?.[1] ?? '';
						if (uri !== '' && !file) return fail(`tos_uri ${uri} does not exist`, 105000003); // assumed
						const document = this.newDocument(dataset.dataset_id, name, fileType || 'txt', file?.bytes ?? Buffer.alloc(0), file ? 0 : 2);
						if (!file) document.failReason = 'document content is empty';
						else if (!FILE_TYPES[0].includes(fileType)) document.failReason = `type not support, type=${fileType}`;
						if (document.failReason) document.fails = true;
						created.push(document);
						continue;
					}
					const fileType = typeof source.file_type === 'string' ? source.file_type.toLowerCase() : '';
					if (!FILE_TYPES[dataset.format_type]?.includes(fileType)) {
						return fail(`file type '${fileType}' is not supported by this knowledge base (supported: ${FILE_TYPES[dataset.format_type]?.join(', ')})`);
					}
					if (typeof source.file_base64 !== 'string') return fail('source_info.file_base64 is required');
					created.push(this.newDocument(dataset.dataset_id, name, fileType, Buffer.from(source.file_base64, 'base64'), 0));
				}
				if (!dataset.chunk_strategy) dataset.chunk_strategy = chunk ?? { chunk_type: 0 };
				for (const document of created) {
					document.chunk_strategy = dataset.chunk_strategy;
					this.documents.set(document.document_id, document);
				}
				return answer({ document_infos: created.map((d) => this.publicDocument(d)) });
			}
			case '/open_api/knowledge/document/list': {
				const dataset = this.datasets.get(String(body.dataset_id ?? ''));
				if (!dataset) return fail(`dataset_id ${String(body.dataset_id)} does not exist`);
				const size = Number(body.size ?? 10);
				// Coze Studio counts pages from 0 (its ListDocument: offset = page * size); the cloud from 1.
				const first = this.emulator.dialect === 'studio' ? 0 : 1;
				const page = Number(body.page ?? first);
				if (!(page >= first && size >= 1)) return fail(`page must be ≥ ${first} and size ≥ 1`);
				const list = this.documentsOf(dataset.dataset_id);
				const offset = (page - first) * size;
				return answer({ document_infos: list.slice(offset, offset + size).map((d) => this.publicDocument(d)), total: list.length });
			}
			case '/open_api/knowledge/document/update': {
				const document = this.documents.get(String(body.document_id ?? ''));
				if (!document) return fail(`document_id ${String(body.document_id)} does not exist`);
				if (typeof body.document_name === 'string') document.name = body.document_name;
				const rule = body.update_rule as Record<string, unknown> | undefined;
				if (rule && typeof rule === 'object') {
					document.update_type = rule.update_type === 1 ? 1 : 0;
					document.update_interval = typeof rule.update_interval === 'number' ? rule.update_interval : document.update_interval;
				}
				document.update_time = now();
				return answer({});
			}
			case '/open_api/knowledge/document/delete': {
				const ids = Array.isArray(body.document_ids) ? body.document_ids.map(String) : [];
				if (ids.length === 0 || ids.length > 100) return fail('document_ids must hold 1 to 100 ids');
				const unknown = ids.find((id) => !this.documents.has(id));
				if (unknown) return fail(`document_id ${unknown} does not exist`);
				this.deleteDocuments(ids);
				return answer({});
			}
			default:
				return false;
		}
	};

	private newDocument(datasetId: string, name: string, type: string, content: Buffer, sourceType: number): EmulatedDocument {
		const time = now();
		const text = content.toString('utf8');
		return {
			document_id: newId(),
			dataset_id: datasetId,
			name,
			type,
			size: content.length,
			char_count: [...text].length,
			format_type: this.datasets.get(datasetId)?.format_type ?? 0,
			source_type: sourceType,
			status: 0,
			hit_count: 0,
			slice_count: 0,
			create_time: time,
			update_time: time,
			update_type: 0,
			update_interval: 24,
			tos_uri: `FileBizType.BIZ_BOT_DATASET/${newId()}.${type}`,
			chunk_strategy: { chunk_type: 0 },
			content,
			// "SLOW" in a document keeps it processing for 1000 progress reads.
			pollsLeft: text.includes('SLOW') ? 1000 : this.processPolls,
			pollsTotal: text.includes('SLOW') ? 1000 : this.processPolls,
			fails: text.includes('CORRUPT'),
			vanishes: text.includes('VANISH'),
		};
	}

	/** One progress read of a document: it moves on a step each time it is read. */
	private progressOf(document: EmulatedDocument): Record<string, unknown> {
		if (document.status === 0) {
			if (document.pollsLeft > 0) document.pollsLeft--;
			if (document.pollsLeft === 0) {
				document.status = document.fails ? 9 : 1;
				if (document.fails) document.status_descript = document.failReason ?? 'failed to parse the file: the document is damaged';
				else document.slice_count = Math.max(1, Math.ceil(document.char_count / 800));
			}
		}
		const total = Math.max(1, document.pollsTotal);
		return {
			document_id: document.document_id,
			document_name: document.name,
			url: document.web_url ?? '',
			size: document.size,
			type: document.type,
			status: document.status,
			progress: document.status === 0 ? Math.floor((100 * (total - document.pollsLeft)) / total) : 100,
			update_type: document.update_type,
			update_interval: document.update_interval,
			remaining_time: document.status === 0 ? document.pollsLeft * 2 : 0,
			...(document.status_descript ? { status_descript: document.status_descript } : {}),
		};
	}

	private publicDataset(dataset: EmulatedDataset): Record<string, unknown> {
		const documents = this.documentsOf(dataset.dataset_id);
		return {
			dataset_id: dataset.dataset_id,
			name: dataset.name,
			description: dataset.description,
			space_id: dataset.space_id,
			status: dataset.status,
			format_type: dataset.format_type,
			can_edit: true,
			icon_url: dataset.icon_file_id ? `https://lf3-appstore-sign.oceancloudapi.com/icons/${dataset.icon_file_id}.png` : '',
			doc_count: documents.length,
			file_list: documents.map((d) => d.name),
			hit_count: 0,
			bot_used_count: 0,
			slice_count: documents.reduce((sum, d) => sum + d.slice_count, 0),
			all_file_size: documents.reduce((sum, d) => sum + d.size, 0),
			chunk_strategy: dataset.chunk_strategy ?? { chunk_type: 0 },
			failed_file_list: documents.filter((d) => d.status === 9).map((d) => d.name),
			processing_file_list: documents.filter((d) => d.status === 0).map((d) => d.name),
			processing_file_id_list: documents.filter((d) => d.status === 0).map((d) => d.document_id),
			avatar_url: '',
			creator_id: '7400000000000009999',
			creator_name: 'emulator',
			create_time: dataset.create_time,
			update_time: dataset.update_time,
		};
	}

	private publicDocument(document: EmulatedDocument): Record<string, unknown> {
		const { content: _content, pollsLeft: _pollsLeft, pollsTotal: _pollsTotal, fails: _fails, vanishes: _vanishes, failReason: _failReason, dataset_id: _dataset, ...visible } = document;
		return visible;
	}

	/**
	 * A document answer: `{code, msg, …fields}`. Without `Agw-Js-Conv: str` every id goes out as a
	 * bare 19-digit JSON number, as Coze's gateway sends int64 fields.
	 */
	private documentAnswer(res: Parameters<CozeEmulator['json']>[0], fields: Record<string, unknown>, stringIds: boolean): true {
		if (stringIds) {
			this.emulator.json(res, 200, { code: 0, msg: '', ...fields });
			return true;
		}
		const text = JSON.stringify({ code: 0, msg: '', ...fields }).replace(/"document_id":"(\d+)"/g, '"document_id":$1');
		res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'x-tt-logid': newLogId() });
		res.end(text);
		return true;
	}

	private rateLimited(): boolean {
		if (!this.uploadRateLimit) return false;
		const time = Date.now();
		this.uploadTimes = this.uploadTimes.filter((t) => time - t < this.uploadRateLimit!.windowMs);
		if (this.uploadTimes.length >= this.uploadRateLimit.max) {
			this.rateLimitedUploads++;
			return true;
		}
		this.uploadTimes.push(time);
		return false;
	}
}

function headerIs(headers: IncomingHttpHeaders, name: string, value: string): boolean {
	const actual = headers[name];
	return (Array.isArray(actual) ? actual[0] : actual)?.toLowerCase() === value;
}
