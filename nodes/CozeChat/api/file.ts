/** Coze's file API: POST /v1/files/upload (multipart field `file`). */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { RawBody } from '../transport/wire';
import type { CozeHttp } from './http';

export interface CozeFile {
	id: string;
	bytes?: number;
	file_name?: string;
	created_at?: number;
}

export class FilesApi {
	constructor(
		private readonly http: CozeHttp,
		/** The item whose binary properties are read. */
		private readonly itemIndex: number,
	) {}

	/** Uploads one of the item's binary properties. */
	async uploadBinary(propertyName: string): Promise<CozeFile & { mime_type: string }> {
		const part = await this.binaryPart(propertyName);
		return { ...(await this.upload(part)), mime_type: part.mimeType };
	}

	/** Uploads bytes as a file (Coze Studio answers with the object's `uri` beside its id). */
	async uploadBytes(file: { data: Buffer; fileName: string; mimeType?: string }): Promise<CozeFile & { uri?: string }> {
		return await this.upload(filePart(file.data, file.fileName, file.mimeType));
	}

	/** One of the item's binary properties as a multipart body (see filePart). */
	async binaryPart(propertyName: string): Promise<FilePart> {
		return await binaryPart(this.http.execution, this.itemIndex, propertyName);
	}

	private async upload(part: FilePart): Promise<CozeFile & { uri?: string }> {
		const envelope = await this.http.envelope('POST', '/v1/files/upload', { rawBody: part.body, activity: `uploading '${part.fileName}' to Coze` });
		return (envelope.data ?? {}) as unknown as CozeFile & { uri?: string };
	}
}

/**
 * An input item's binary property as a one-part multipart body (field `file`), with its real file
 * name and mime type.
 */
async function binaryPart(
	context: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
): Promise<FilePart> {
	const binary = context.helpers.assertBinaryData(itemIndex, propertyName);
	const data = await context.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	return filePart(data, binary.fileName || `${propertyName}.${binary.fileExtension ?? 'bin'}`, binary.mimeType);
}

export interface FilePart {
	body: RawBody;
	fileName: string;
	mimeType: string;
	bytes: number;
}

/**
 * Bytes as a one-part multipart body (field `file`), built here so the node needs no form-data
 * library at runtime. The file's bytes are a part of their own, never copied into the body.
 */
export function filePart(data: Buffer, fileName: string, mimeType: string | undefined): FilePart {
	// Both go into the multipart header: a line break there would add headers or parts.
	const type = (mimeType ?? '').split(/[\r\n]/)[0].trim() || 'application/octet-stream';
	const boundary = `----n8nCozeBoundary${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const safeName = fileName.replace(/["\r\n]/g, '_');
	const head = Buffer.from(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${type}\r\n\r\n`,
		'utf8',
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
	return {
		body: { parts: [head, data, tail], contentType: `multipart/form-data; boundary=${boundary}` },
		fileName: safeName,
		mimeType: type,
		bytes: data.length,
	};
}
