/**
 * Files out: the images and files a bot's answer refers to, downloaded into the item's binary data
 * (Options → Download Files). What to take is core/fileRefs.ts, which hosts core/fileHosts.ts, how
 * transport/download.ts. Off by default.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import type { CozeClient } from '../api/client';
import type { ItemParameters } from '../boundaries/parameters';
import { DEFAULT_FILE_HOSTS, parseHostEntries } from '../core/fileHosts';
import { extractFileRefs, urlWithoutSignature, type FileRef, type FileSource } from '../core/fileRefs';
import { downloadFile, FileDownloadError } from '../transport/download';
import { getSession } from '../transport/session';

/** The most all files of one item may have together. */
export const MAX_ITEM_FILE_BYTES = 100 * 1024 * 1024;

const HOSTS_OPTION = 'Options → Allowed File Hosts';

/** The options, for an operation's Options collection. */
export const downloadFilesOptions: INodeProperties[] = [
	{
		displayName: 'Download Files',
		name: 'downloadFiles',
		type: 'options',
		options: [
			{ name: 'Off', value: 'off', description: 'Keep the links in the answer only' },
			{ name: 'Images Only', value: 'images', description: 'Download the images the answer shows' },
			{ name: 'All Files', value: 'all', description: 'Download the images, audio, video and documents the answer links to' },
		],
		default: 'off',
		description:
			"Whether to download the files the answer refers to (Markdown images and links, file items, cards, tool outputs) into the item's binary data, so the next node can send them. Coze's links are signed and expire.",
	},
	{
		displayName: 'Put Files in Field',
		name: 'filesBinaryPrefix',
		type: 'string',
		default: 'data',
		description: 'Binary field of the first downloaded file; the next ones get _1, _2 … (data, data_1, data_2)',
	},
	{
		displayName: 'Allowed File Hosts',
		name: 'allowedFileHosts',
		type: 'string',
		default: DEFAULT_FILE_HOSTS.join(', '),
		description:
			"Hosts files may be downloaded from, over https, comma-separated: host names, *.domain, or * for any public host. Private, loopback and metadata addresses are refused unless you add a server's exact origin (e.g. http://192.168.1.20:8888), which also allows http for it. The credential's own Base URL (self-hosted Coze Studio) is always allowed.",
	},
	{
		displayName: 'Max File Size (MB)',
		name: 'maxFileSizeMb',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 25,
		description: 'Larger files fail (all files of one item together may have at most 100 MB)',
	},
];

export interface FilesSettings {
	mode: 'images' | 'all';
	prefix: string;
	hosts: string[];
	maxFileBytes: number;
}

/** The item's Download Files settings, or undefined when it is off. */
export function filesSettingsOf(parameters: ItemParameters): FilesSettings | undefined {
	const mode = parameters.choice('options.downloadFiles', 'Options → Download Files', ['off', 'images', 'all'], 'off');
	if (mode === 'off') return undefined;
	const prefix = parameters.text('options.filesBinaryPrefix', 'Options → Put Files in Field', { default: 'data' }) || 'data';
	if (!/^[A-Za-z0-9_\-.]+$/.test(prefix)) parameters.fail(`Options → Put Files in Field: '${prefix}' is not a field name (letters, digits, _ - .)`);
	// Not added to the options: the default hosts (an emptied field allows only named origins).
	const added = parameters.raw('options.allowedFileHosts', HOSTS_OPTION, null) !== null;
	const hosts = added ? parameters.list('options.allowedFileHosts', HOSTS_OPTION) : DEFAULT_FILE_HOSTS;
	const { problems } = parseHostEntries(hosts);
	if (problems.length > 0) parameters.fail(`${HOSTS_OPTION}: ${problems.join('; ')}`);
	const maxMb = parameters.number('options.maxFileSizeMb', 'Options → Max File Size (MB)', { default: 25, min: 1, max: 100 });
	return { mode, prefix, hosts, maxFileBytes: Math.round(maxMb * 1024 * 1024) };
}

/** One listed file in the item's JSON. */
interface ListedFile extends IDataObject {
	name: string;
	mime_type: string;
	size: number;
	binary_key: string;
	found_in: string;
	url: string;
}

/**
 * Downloads the files `sources` refer to into `item.binary` and lists them in `item.json.files`.
 * A file that fails fails the item, naming it; with Continue On Fail the answer is kept and the
 * failures are listed in `item.json.files_failed`.
 */
export async function attachFiles(
	context: IExecuteFunctions,
	coze: CozeClient,
	item: INodeExecutionData,
	sources: FileSource[],
	settings: FilesSettings,
	options: { anyUrl?: boolean } = {},
): Promise<INodeExecutionData> {
	const refs = extractFileRefs(sources, { anyUrl: options.anyUrl }).filter(
		(ref) => settings.mode === 'all' || ref.kind === 'image' || (options.anyUrl === true && ref.kind === 'file'),
	);
	const listed: ListedFile[] = [];
	const failed: IDataObject[] = [];
	const binary = { ...(item.binary ?? {}) };
	const policy = { entries: settings.hosts, credentialOrigin: await credentialOriginOf(coze) };
	let itemBytes = 0;
	for (const ref of refs) {
		const label = labelOf(ref);
		// A workflow value that is a URL without an extension may be an image: only its media type tells.
		const imageOnly = settings.mode === 'images' && ref.kind !== 'image';
		const remaining = MAX_ITEM_FILE_BYTES - itemBytes;
		const perFile = settings.maxFileBytes <= remaining;
		const outcome = await downloadFile(context, coze.budget, {
			url: ref.url,
			label,
			name: ref.name,
			policy,
			hostsOption: HOSTS_OPTION,
			maxBytes: Math.min(settings.maxFileBytes, remaining),
			limitName: perFile ? 'Options → Max File Size (MB)' : 'all files of one item together may have at most 100 MB',
			imageOnly,
		}).then(
			(file) => ({ file }),
			(error: unknown) => ({ error }),
		);
		if ('error' in outcome) {
			const error = outcome.error;
			if (!(error instanceof FileDownloadError)) {
				throw new NodeOperationError(context.getNode(), error instanceof Error ? error : String(error), { itemIndex: coze.itemIndex });
			}
			if (error.failure === 'not-image') continue; // Images Only: a link that turned out not to be one
			if (error.failure === 'timeout' || error.failure === 'canceled' || !context.continueOnFail()) {
				throw new NodeOperationError(context.getNode(), error.message, {
					itemIndex: coze.itemIndex,
					description: `Found in ${ref.foundIn}: ${urlWithoutSignature(ref.url)}. Options → Download Files can be turned off to keep only the links.`,
				});
			}
			failed.push({ name: ref.name ?? label, found_in: ref.foundIn, url: urlWithoutSignature(ref.url), error: error.message });
			continue;
		}
		const file = outcome.file;
		itemBytes += file.data.length;
		const key = listed.length === 0 ? settings.prefix : `${settings.prefix}_${listed.length}`;
		binary[key] = await context.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
		listed.push({ name: file.fileName, mime_type: file.mimeType, size: file.data.length, binary_key: key, found_in: ref.foundIn, url: file.url });
	}
	const json: IDataObject = { ...item.json, files: listed };
	if (failed.length > 0) json.files_failed = failed;
	const result: INodeExecutionData = { ...item, json };
	if (Object.keys(binary).length > 0) result.binary = binary;
	return result;
}

function labelOf(ref: FileRef): string {
	return ref.name ? `'${ref.name}' (${urlWithoutSignature(ref.url)})` : `the file ${urlWithoutSignature(ref.url)}`;
}

/** The credential's origin when it points at a custom base URL (a self-hosted Coze Studio). */
async function credentialOriginOf(coze: CozeClient): Promise<string | undefined> {
	if (!(await coze.http.customBaseUrl())) return undefined;
	return (await getSession(coze.http.context)).origin;
}
