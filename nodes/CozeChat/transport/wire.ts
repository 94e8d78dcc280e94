import type { IDataObject, IHttpRequestMethods, IN8nHttpFullResponse } from 'n8n-workflow';

/** What one exchange with Coze looks like: the request the node sends, the response it reads. */

/** A response body read as a stream: what n8n hands back for `encoding: 'stream'`. */
export interface ByteStream extends AsyncIterable<Uint8Array> {
	destroy(error?: Error): void;
}

/** One request to Coze, relative to the credential's base URL. */
export interface HttpRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	/** Sent as JSON. */
	body?: IDataObject;
	/** Sent as is, piece by piece (multipart uploads, a document as base64 in JSON): see RawBody. */
	rawBody?: RawBody;
	accept: 'application/json' | 'text/event-stream' | 'audio/*, application/json';
	/** Headers an endpoint needs beside Accept and Content-Type (Coze's knowledge API: Agw-Js-Conv). */
	headers?: Record<string, string>;
	/** A POST that only reads (a list): safe to resend after a network error or a gateway's 502/503/504. */
	readOnly?: boolean;
	/** What the request does, for messages ("uploading photo.png"). */
	activity?: string;
}

/**
 * A request body made of pieces that are sent one after another and never joined, so a file is
 * held once in memory however it is framed: bytes as they are, or bytes written as base64 while
 * they are sent (a knowledge document inside its JSON request).
 */
export interface RawBody {
	parts: ReadonlyArray<Buffer | { base64Of: Buffer }>;
	contentType: string;
}

/** The number of bytes a RawBody sends. */
export function rawBodyLength(body: RawBody): number {
	let length = 0;
	for (const part of body.parts) length += Buffer.isBuffer(part) ? part.length : 4 * Math.ceil(part.base64Of.length / 3);
	return length;
}

/** A RawBody's bytes in pieces of at most about `pieceBytes` (base64 written piece by piece). */
export function* rawBodyPieces(body: RawBody, pieceBytes: number): Generator<Buffer> {
	// A multiple of 3 bytes encodes to base64 without padding, so the pieces join into one encoding.
	const sourceBytes = Math.max(3, Math.floor(pieceBytes / 4) * 3);
	for (const part of body.parts) {
		if (Buffer.isBuffer(part)) {
			for (let offset = 0; offset < part.length; offset += pieceBytes) yield part.subarray(offset, offset + pieceBytes);
		} else {
			for (let offset = 0; offset < part.base64Of.length; offset += sourceBytes) {
				yield Buffer.from(part.base64Of.subarray(offset, offset + sourceBytes).toString('base64'), 'latin1');
			}
		}
	}
}

export interface HttpResponse extends IN8nHttpFullResponse {
	body: ByteStream;
	url: string;
	logid: string | undefined;
	/** The media type, lower case, without parameters. */
	mediaType: string;
}

/** A URL for messages: origin and path, never the query. */
export function describeUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return url.split('?')[0];
	}
}

/** The reason a request failed on the network, with its code (ECONNREFUSED, ECONNRESET…). */
export function networkMessage(error: unknown): string {
	const record = error as { message?: unknown; cause?: { code?: unknown; message?: unknown }; code?: unknown };
	const code = record.cause?.code ?? record.code;
	const text = typeof record.cause?.message === 'string' ? record.cause.message : String(record.message ?? error);
	return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}

/** A response header, case-insensitively. */
export function headerValue(response: Pick<IN8nHttpFullResponse, 'headers'>, name: string): string | undefined {
	const headers = (response.headers ?? {}) as Record<string, unknown>;
	let value = headers[name] ?? headers[name.toLowerCase()];
	if (value === undefined) {
		const lower = name.toLowerCase();
		const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
		if (key !== undefined) value = headers[key];
	}
	if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

