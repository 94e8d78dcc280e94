/**
 * Files a bot's answer refers to: Markdown images and links, object_string items (image / file /
 * audio with file_url), URLs inside cards, tool outputs and workflow output values. Pure (no n8n
 * imports): what to download is decided here, how (safely) in transport/download.ts.
 */
import { tryParseJsonExact } from './json';

export type FileKind = 'image' | 'audio' | 'video' | 'file';

/** One file an answer refers to. */
export interface FileRef {
	url: string;
	kind: FileKind;
	/** Where it was found, e.g. `answer (Markdown image)`, `tool_calls[0].output`, `output.image`. */
	foundIn: string;
	/** A name the answer gives it (object_string `name`, a link's text), if any. */
	name?: string;
}

/** One place to look for files: a label and its value (text, JSON text, or parsed JSON). */
export interface FileSource {
	foundIn: string;
	value: unknown;
}

/** At most this many files are taken from one answer (more are not downloaded). */
export const MAX_FILE_REFS = 20;

const EXTENSIONS: Record<string, { kind: FileKind; mimeType: string }> = {
	png: { kind: 'image', mimeType: 'image/png' },
	jpg: { kind: 'image', mimeType: 'image/jpeg' },
	jpeg: { kind: 'image', mimeType: 'image/jpeg' },
	gif: { kind: 'image', mimeType: 'image/gif' },
	webp: { kind: 'image', mimeType: 'image/webp' },
	bmp: { kind: 'image', mimeType: 'image/bmp' },
	svg: { kind: 'image', mimeType: 'image/svg+xml' },
	heic: { kind: 'image', mimeType: 'image/heic' },
	tif: { kind: 'image', mimeType: 'image/tiff' },
	tiff: { kind: 'image', mimeType: 'image/tiff' },
	mp3: { kind: 'audio', mimeType: 'audio/mpeg' },
	wav: { kind: 'audio', mimeType: 'audio/wav' },
	ogg: { kind: 'audio', mimeType: 'audio/ogg' },
	opus: { kind: 'audio', mimeType: 'audio/opus' },
	m4a: { kind: 'audio', mimeType: 'audio/mp4' },
	aac: { kind: 'audio', mimeType: 'audio/aac' },
	flac: { kind: 'audio', mimeType: 'audio/flac' },
	mp4: { kind: 'video', mimeType: 'video/mp4' },
	mov: { kind: 'video', mimeType: 'video/quicktime' },
	webm: { kind: 'video', mimeType: 'video/webm' },
	pdf: { kind: 'file', mimeType: 'application/pdf' },
	txt: { kind: 'file', mimeType: 'text/plain' },
	csv: { kind: 'file', mimeType: 'text/csv' },
	md: { kind: 'file', mimeType: 'text/markdown' },
	json: { kind: 'file', mimeType: 'application/json' },
	zip: { kind: 'file', mimeType: 'application/zip' },
	doc: { kind: 'file', mimeType: 'application/msword' },
	docx: { kind: 'file', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
	xls: { kind: 'file', mimeType: 'application/vnd.ms-excel' },
	xlsx: { kind: 'file', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
	ppt: { kind: 'file', mimeType: 'application/vnd.ms-powerpoint' },
	pptx: { kind: 'file', mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
};

/**
 * The extension of a URL's path. Coze's image service appends a processing template after `~`
 * (`…/abc.png~tplv-mdko3gqilj-image.png?…`): the name is what comes before it.
 */
function extensionOf(name: string): string | undefined {
	const match = /\.([a-z0-9]{1,5})$/i.exec(name);
	return match ? match[1].toLowerCase() : undefined;
}

/** The last path segment of a URL, decoded, without Coze's `~tplv-…` template suffix. */
export function fileNameFromUrl(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return undefined;
	}
	// Coze workflow file links name the file in x-wf-file_name.
	const named = parsed.searchParams.get('x-wf-file_name');
	if (named) return cleanFileName(named);
	const segment = parsed.pathname.split('/').filter(Boolean).pop();
	if (!segment) return undefined;
	let decoded = segment;
	try {
		decoded = decodeURIComponent(segment);
	} catch {
		// keep it as it is
	}
	return cleanFileName(decoded.split('~')[0]);
}

/** A file name safe to hand on: no path, no control characters, at most 200 characters. */
export function cleanFileName(name: string): string | undefined {
	const base = name.split(/[\\/]/).pop() ?? '';
	const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
	return clean === '' || clean === '.' || clean === '..' ? undefined : clean;
}

/** The kind a file name or URL suggests by its extension. */
export function kindOfName(name: string | undefined): FileKind | undefined {
	const extension = name ? extensionOf(name) : undefined;
	return extension ? EXTENSIONS[extension]?.kind : undefined;
}

/** The media type a file name suggests by its extension. */
export function mimeTypeOfName(name: string | undefined): string | undefined {
	const extension = name ? extensionOf(name) : undefined;
	return extension ? EXTENSIONS[extension]?.mimeType : undefined;
}

/** The kind of a media type. */
export function kindOfMimeType(mimeType: string | undefined): FileKind | undefined {
	const type = mimeType?.split(';')[0].trim().toLowerCase();
	if (!type) return undefined;
	if (type.startsWith('image/')) return 'image';
	if (type.startsWith('audio/')) return 'audio';
	if (type.startsWith('video/')) return 'video';
	return 'file';
}

/**
 * The URL to show: without its query, fragment and user info, so the signature (x-signature,
 * x-expires, lk3s …) never lands in the item's JSON or a log.
 */
export function urlWithoutSignature(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
	} catch {
		return url.split(/[?#]/)[0];
	}
}

const URL_PATTERN = /^https?:\/\/[^\s<>"']+$/i;

/** A trimmed string that is one http(s) URL and nothing else. */
function asUrl(value: string): string | undefined {
	const text = value.trim();
	return URL_PATTERN.test(text) ? text : undefined;
}

/** `![alt](url "title")` and `[text](url)`; the URL may be wrapped in <…>. */
const MARKDOWN_LINK = /(!?)\[([^\]\n]*)\]\(\s*<?(https?:\/\/[^\s)>]+)>?(?:\s+"[^"\n]*")?\s*\)/gi;

/** Markdown images and links of a text, images as `image`, links by their extension. */
function fromMarkdown(text: string, foundIn: string, out: FileRef[]): void {
	for (const match of text.matchAll(MARKDOWN_LINK)) {
		const [, bang, label, url] = match;
		if (bang === '!') {
			out.push({ url, kind: 'image', foundIn: `${foundIn} (Markdown image)`, ...(label.trim() ? { name: label.trim() } : {}) });
			continue;
		}
		// A link counts as a file only when its path names one (a link to a web page is not a file).
		const kind = kindOfName(fileNameFromUrl(url)) ?? kindOfName(label.trim());
		if (kind) out.push({ url, kind, foundIn: `${foundIn} (Markdown link)`, ...(label.trim() ? { name: label.trim() } : {}) });
	}
}

const OBJECT_TYPES: Record<string, FileKind> = { image: 'image', file: 'file', audio: 'audio', video: 'video' };

/**
 * A JSON value: object_string items (`{type: image|file|audio, file_url}`), any string that is an
 * http(s) URL naming a file (or any URL, when `anyUrl`), JSON text nested in strings (tool outputs
 * carry JSON as text), and Markdown in strings.
 */
function fromJson(value: unknown, foundIn: string, out: FileRef[], anyUrl: boolean, depth: number): void {
	if (depth > 12 || out.length > MAX_FILE_REFS * 4) return;
	if (typeof value === 'string') {
		fromText(value, foundIn, out, anyUrl, depth + 1);
		return;
	}
	if (Array.isArray(value)) {
		value.forEach((entry, index) => fromJson(entry, `${foundIn}[${index}]`, out, anyUrl, depth + 1));
		return;
	}
	if (typeof value !== 'object' || value === null) return;
	const record = value as Record<string, unknown>;
	const type = typeof record.type === 'string' ? OBJECT_TYPES[record.type.toLowerCase()] : undefined;
	const fileUrl = typeof record.file_url === 'string' ? asUrl(record.file_url) : undefined;
	if (type && fileUrl) {
		const name = typeof record.name === 'string' && record.name.trim() !== '' ? record.name.trim() : undefined;
		out.push({ url: fileUrl, kind: type, foundIn, ...(name ? { name } : {}) });
		return;
	}
	for (const [key, entry] of Object.entries(record)) {
		const path = /^[A-Za-z_$][\w$]*$/.test(key) ? `${foundIn}.${key}` : `${foundIn}[${JSON.stringify(key)}]`;
		fromJson(entry, path, out, anyUrl, depth + 1);
	}
}

function fromText(text: string, foundIn: string, out: FileRef[], anyUrl: boolean, depth: number): void {
	const url = asUrl(text);
	if (url) {
		const kind = kindOfName(fileNameFromUrl(url));
		if (kind || anyUrl) out.push({ url, kind: kind ?? 'file', foundIn });
		return;
	}
	const parsed = jsonIn(text);
	if (parsed !== undefined) {
		fromJson(parsed, foundIn, out, anyUrl, depth + 1);
		return;
	}
	// An answer joins its messages with a blank line: an object_string message is one such block.
	for (const block of text.split(/\n{2,}/)) {
		const json = jsonIn(block);
		if (json !== undefined) fromJson(json, foundIn, out, anyUrl, depth + 1);
		else fromMarkdown(block, foundIn, out);
	}
}

/** The JSON object or array a text holds, if it is one. */
function jsonIn(text: string): object | undefined {
	const trimmed = text.trim();
	if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return undefined;
	const parsed = tryParseJsonExact(trimmed);
	return parsed !== undefined && typeof parsed === 'object' && parsed !== null ? parsed : undefined;
}

export interface ExtractOptions {
	/**
	 * Take every http(s) URL that is a whole value (a workflow output's `image` variable), not only
	 * those whose path names a file: a workflow's File-type output is a URL whose path may not end in
	 * an extension.
	 */
	anyUrl?: boolean;
}

/**
 * The files the sources refer to, first mention first, each URL once (the first place it was found
 * names it), at most MAX_FILE_REFS.
 */
export function extractFileRefs(sources: FileSource[], options: ExtractOptions = {}): FileRef[] {
	const found: FileRef[] = [];
	for (const source of sources) fromJson(source.value, source.foundIn, found, options.anyUrl === true, 0);
	const seen = new Set<string>();
	const unique: FileRef[] = [];
	for (const ref of found) {
		if (seen.has(ref.url)) continue;
		seen.add(ref.url);
		unique.push(ref);
		if (unique.length >= MAX_FILE_REFS) break;
	}
	return unique;
}

/** A chat answer's sources: its text, its cards, its tools' outputs. */
export function chatFileSources(result: { answer?: unknown; cards?: unknown[]; tool_calls?: Array<{ output?: unknown }> }): FileSource[] {
	const sources: FileSource[] = [];
	if (typeof result.answer === 'string' && result.answer !== '') sources.push({ foundIn: 'answer', value: result.answer });
	(result.cards ?? []).forEach((card, index) => sources.push({ foundIn: `cards[${index}]`, value: card }));
	(result.tool_calls ?? []).forEach((call, index) => {
		if (call.output !== null && call.output !== undefined) sources.push({ foundIn: `tool_calls[${index}].output`, value: call.output });
	});
	return sources;
}

/** A workflow run's sources: its End node's output (a value that is a URL is a file) and its Output nodes' contents. */
export function workflowFileSources(result: { output?: unknown; messages?: Array<{ content?: unknown; node_title?: unknown }> }): FileSource[] {
	const sources: FileSource[] = [];
	if (result.output !== undefined && result.output !== null) sources.push({ foundIn: 'output', value: result.output });
	(result.messages ?? []).forEach((message, index) => {
		if (typeof message.content === 'string' && message.content !== '') sources.push({ foundIn: `messages[${index}].content`, value: message.content });
	});
	return sources;
}

/**
 * The file name a Content-Disposition header gives (`filename*=UTF-8''…` before `filename="…"`),
 * cleaned; undefined when there is none.
 */
export function fileNameFromContentDisposition(header: string | undefined): string | undefined {
	if (!header) return undefined;
	const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
	if (extended) {
		try {
			return cleanFileName(decodeURIComponent(extended[2].trim().replace(/^"|"$/g, '')));
		} catch {
			// fall back to the plain name
		}
	}
	const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
	const name = plain ? (plain[1] ?? plain[2]).trim() : undefined;
	return name ? cleanFileName(name) : undefined;
}
