/**
 * Downloads a file a bot's answer refers to. Not a Coze API call: it goes through n8n's plain
 * `httpRequest` (never `httpRequestWithAuthentication`), so no Coze credential is ever attached, and
 * an instance's own SSRF protection (n8n 2.x, N8N_SSRF_PROTECTION_ENABLED) applies as to any node.
 * On top of that, at every hop (redirects are followed here, one at a time):
 * - core/fileHosts.ts judges the URL: https only, allowed hosts only, no private IP literal or
 *   internal host name, unless the user named that exact origin (or it is the credential's own);
 * - where n8n offers its egress filter (n8n ≥ 2.x `getSecureEgressFilter`), the host name is
 *   resolved and each address checked against n8n's blocked ranges even when the instance left its
 *   SSRF protection off ('enforced'); n8n 1.x has none (docs/operations.md says what remains);
 * - the body is read as a stream with a byte counter, cut at the file's cap and at the item's;
 * - it all runs under the item's budget (deadline, cancel), like every Coze request of the item.
 */
import type { IExecuteFunctions, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { LIMITS, type ItemBudget } from '../boundaries/budget';
import { judgeFileUrl, type HostPolicy } from '../core/fileHosts';
import { cleanFileName, fileNameFromContentDisposition, fileNameFromUrl, mimeTypeOfName, urlWithoutSignature } from '../core/fileRefs';
import { Exchange } from './exchange';
import { withOwnAbortSignal } from './send';
import { headerValue, networkMessage, type ByteStream } from './wire';

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/** Redirects followed for one file (Coze's short links s.coze.cn/t/… redirect once). */
export const MAX_FILE_REDIRECTS = 5;

export type DownloadFailure = 'refused' | 'expired' | 'too-large' | 'http' | 'network' | 'timeout' | 'canceled' | 'not-image';

/** A file that could not be downloaded; the message names the file and says what to do. */
export class FileDownloadError extends Error {
	constructor(
		readonly failure: DownloadFailure,
		message: string,
		readonly httpStatus?: number,
	) {
		super(message);
		this.name = 'FileDownloadError';
	}
}

export interface DownloadRequest {
	url: string;
	/** How messages name the file (its name or its URL without signature). */
	label: string;
	/** A name the answer gave it. */
	name?: string;
	policy: HostPolicy;
	/** The option that widens the policy, for messages. */
	hostsOption: string;
	/** Most bytes this file may have (the smaller of the per-file cap and what the item has left). */
	maxBytes: number;
	/** What sets maxBytes, for messages. */
	limitName: string;
	/** Only an image is wanted: anything else is dropped before its body is read. */
	imageOnly?: boolean;
}

export interface DownloadedFile {
	data: Buffer;
	fileName: string;
	mimeType: string;
	/** The final URL (after redirects), without its signature. */
	url: string;
}

type EgressFilter = { validateUrl(url: string): Promise<{ ok: true } | { ok: false; error: Error }> };

/** n8n's egress filter in its enforced form, where this n8n has one (2.x). */
function egressFilter(context: IExecuteFunctions): EgressFilter | undefined {
	const get = (context.helpers as { getSecureEgressFilter?: (policy?: string) => EgressFilter }).getSecureEgressFilter;
	if (typeof get !== 'function') return undefined;
	try {
		return get.call(context.helpers, 'enforced');
	} catch {
		return undefined; // an n8n whose network module is not set up (never in a running instance)
	}
}

export async function downloadFile(context: IExecuteFunctions, budget: ItemBudget, request: DownloadRequest): Promise<DownloadedFile> {
	let url = request.url;
	const helperContext = withOwnAbortSignal(context) as IExecuteFunctions;
	for (let hop = 0; ; hop++) {
		const verdict = judgeFileUrl(url, request.policy, request.hostsOption);
		if (!verdict.ok) {
			const where = hop === 0 ? '' : ` (a redirect led to ${urlWithoutSignature(url)})`;
			throw new FileDownloadError('refused', `Refused to download ${request.label}${where}: ${verdict.reason}`);
		}
		if (!verdict.namedOrigin) {
			const filter = egressFilter(context);
			if (filter) {
				// A name that does not resolve is a network failure; one that resolves to a blocked address a refusal.
				const checked = await budget.waitFor(
					filter.validateUrl(verdict.url.href).catch((error: unknown) => ({ ok: false as const, error: error instanceof Error ? error : new Error(String(error)) })),
					`checking the address of ${request.label}`,
				);
				if (!checked.ok) {
					if (!/ssrf/i.test(checked.error.name) && !/ssrf/i.test(checked.error.constructor?.name ?? '')) {
						throw new FileDownloadError('network', `Could not download ${request.label}: ${verdict.url.hostname} could not be resolved (${networkMessage(checked.error)})`);
					}
					throw new FileDownloadError(
						'refused',
						`Refused to download ${request.label}: n8n's SSRF protection blocks ${verdict.url.hostname} (a private, loopback, link-local or metadata address, or a blocked name): ${checked.error.message}`,
					);
				}
			}
		}
		const exchange = new Exchange(budget);
		exchange.phase = `downloading ${request.label}`;
		try {
			const options: IHttpRequestOptions = {
				method: 'GET',
				url: verdict.url.href,
				headers: { Accept: request.imageOnly ? 'image/*' : '*/*' },
				encoding: 'stream',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				abortSignal: exchange.signal,
			};
			const call = helperContext.helpers.httpRequest.call(helperContext, options).catch(
				(error: unknown) =>
					exchange.stopReason
						? failureOf(exchange, request)
						: new FileDownloadError('network', `Could not download ${request.label}: ${networkMessage(error)}`),
			) as Promise<IN8nHttpFullResponse | FileDownloadError>;
			const response = await Promise.race([call, exchange.stopped.then(() => failureOf(exchange, request))]);
			if (response instanceof FileDownloadError) {
				void call.then((late) => (late instanceof FileDownloadError ? undefined : (late.body as ByteStream | undefined)?.destroy?.()));
				throw response;
			}
			exchange.touch();
			const body = response.body as ByteStream;
			const status = response.statusCode;
			const location = headerValue(response, 'location');
			if (REDIRECT_STATUSES.includes(status) && location !== undefined) {
				body?.destroy?.();
				if (hop >= MAX_FILE_REDIRECTS) {
					throw new FileDownloadError('http', `Could not download ${request.label}: more than ${MAX_FILE_REDIRECTS} redirects`, status);
				}
				const next = URL.canParse(location, verdict.url) ? new URL(location, verdict.url) : undefined;
				if (!next) {
					throw new FileDownloadError('http', `Could not download ${request.label}: its server redirected to '${location.slice(0, 100)}', which is not a URL`, status);
				}
				url = next.href;
				continue;
			}
			if (status === 403 || status === 404 || status === 410) {
				body?.destroy?.();
				throw new FileDownloadError(
					'expired',
					`The file link Coze sent has expired or was revoked (HTTP ${status}) for ${request.label}: run the chat again or retrieve the file sooner`,
					status,
				);
			}
			if (status < 200 || status >= 300) {
				body?.destroy?.();
				throw new FileDownloadError('http', `Could not download ${request.label}: its server answered HTTP ${status}`, status);
			}
			const contentType = (headerValue(response, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
			if (request.imageOnly && !contentType.startsWith('image/')) {
				body?.destroy?.();
				throw new FileDownloadError('not-image', `${request.label} is not an image (${contentType || 'no media type'})`);
			}
			const declared = Number(headerValue(response, 'content-length'));
			if (Number.isFinite(declared) && declared > request.maxBytes) {
				body?.destroy?.();
				throw tooLarge(request, `${declared} bytes`);
			}
			const data = await readCapped(body, exchange, request);
			const fileName =
				fileNameFromContentDisposition(headerValue(response, 'content-disposition')) ??
				namedWithExtension(request.name) ??
				fileNameFromUrl(verdict.url.href) ??
				'file';
			const mimeType = contentType && contentType !== 'application/octet-stream' ? contentType : (mimeTypeOfName(fileName) ?? (contentType || 'application/octet-stream'));
			return { data, fileName, mimeType, url: urlWithoutSignature(verdict.url.href) };
		} finally {
			exchange.finish();
		}
	}
}

/** A name the answer gave, when it looks like a file name (has an extension). */
function namedWithExtension(name: string | undefined): string | undefined {
	return name && /\.[a-z0-9]{1,5}$/i.test(name) ? cleanFileName(name) : undefined;
}

function tooLarge(request: DownloadRequest, size: string): FileDownloadError {
	const mb = (request.maxBytes / (1024 * 1024)).toFixed(request.maxBytes % (1024 * 1024) === 0 ? 0 : 1);
	return new FileDownloadError('too-large', `${request.label} is larger than ${mb} MB (${size}; ${request.limitName})`);
}

function failureOf(exchange: Exchange, request: DownloadRequest): FileDownloadError {
	const reason = exchange.stopReason;
	if (reason === 'timeout') return new FileDownloadError('timeout', exchange.stoppedError().message);
	if (reason === 'canceled') return new FileDownloadError('canceled', exchange.stoppedError().message);
	if (reason === 'idle') return new FileDownloadError('network', `The server of ${request.label} sent nothing for ${Math.round(LIMITS.idleMs / 1000)} s`);
	return new FileDownloadError('network', `Could not download ${request.label}: the connection was closed`);
}

/** The body, counted as it arrives; cut (socket closed) once it passes the cap. */
async function readCapped(body: ByteStream, exchange: Exchange, request: DownloadRequest): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let total = 0;
	let over = false;
	const read = async () => {
		for await (const chunk of body) {
			exchange.touch();
			total += chunk.length;
			if (total > request.maxBytes) {
				over = true;
				break; // leaving the loop closes the stream, and with it the socket
			}
			chunks.push(Buffer.from(chunk));
		}
	};
	const failure = await read().then(
		() => undefined,
		(error: unknown) => error,
	);
	if (over || failure !== undefined) body.destroy();
	if (over) throw tooLarge(request, `more than ${request.maxBytes} bytes`);
	if (exchange.stopReason) throw failureOf(exchange, request);
	if (failure !== undefined) throw new FileDownloadError('network', `Could not download ${request.label}: ${networkMessage(failure)}`);
	return Buffer.concat(chunks);
}
