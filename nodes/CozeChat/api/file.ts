/** Coze's file API: POST /v1/files/upload (multipart field `file`). */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { ItemBudget } from '../boundaries/budget';
import { cozeApiEnvelope } from '../transport/request';
import type { RawBody } from '../transport/wire';

export interface CozeFile {
	id: string;
	bytes?: number;
	file_name?: string;
	created_at?: number;
}

/** Uploads an input item's binary property within the item's time budget. */
export async function uploadBinary(
	context: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	budget?: ItemBudget,
): Promise<CozeFile & { mime_type: string }> {
	const part = await binaryPart(context, itemIndex, propertyName);
	return { ...(await uploadPart(context, part, budget)), mime_type: part.mimeType };
}

/** Uploads bytes as a file (Coze Studio answers with the object's `uri` beside its id). */
export async function uploadBytes(
	context: IExecuteFunctions,
	file: { data: Buffer; fileName: string; mimeType?: string },
	budget?: ItemBudget,
): Promise<CozeFile & { uri?: string }> {
	return await uploadPart(context, filePart(file.data, file.fileName, file.mimeType), budget);
}

async function uploadPart(context: IExecuteFunctions, part: ReturnType<typeof filePart>, budget?: ItemBudget): Promise<CozeFile & { uri?: string }> {
	const envelope = await cozeApiEnvelope.call(context, 'POST', '/v1/files/upload', {
		rawBody: part.body,
		budget,
		activity: `uploading '${part.fileName}' to Coze`,
	});
	return (envelope.data ?? {}) as unknown as CozeFile & { uri?: string };
}

/**
 * An input item's binary property as a one-part multipart body (field `file`), with its real file
 * name and mime type.
 */
export async function binaryPart(
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
