/** Building user message content for /v3/chat, following Coze's object_string rules. */

export interface Attachment {
	type: 'image' | 'file';
	file_id?: string;
	file_url?: string;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp|bmp|tiff?|heic|heif|svg)$/i;

/** Coze wants image vs file; decide from the mime type, or the URL's extension. */
export function attachmentType(hint: { mimeType?: string; url?: string }): 'image' | 'file' {
	if (hint.mimeType) return hint.mimeType.toLowerCase().startsWith('image/') ? 'image' : 'file';
	if (hint.url) {
		const path = hint.url.split(/[?#]/)[0];
		return IMAGE_EXTENSIONS.test(path) ? 'image' : 'file';
	}
	return 'file';
}

/**
 * Text alone is sent as `text`; text with attachments as `object_string`: a JSON-serialized array
 * (a string, not an array) with at most one text item, which Coze only accepts next to at least
 * one file or image.
 */
export function userMessageContent(
	text: string,
	attachments: Attachment[],
): { content: string; content_type: 'text' | 'object_string' } {
	if (attachments.length === 0) return { content: text, content_type: 'text' };
	const items: Array<Record<string, string>> = [];
	if (text !== '') items.push({ type: 'text', text });
	for (const attachment of attachments) {
		const item: Record<string, string> = { type: attachment.type };
		if (attachment.file_id) item.file_id = attachment.file_id;
		else if (attachment.file_url) item.file_url = attachment.file_url;
		items.push(item);
	}
	return { content: JSON.stringify(items), content_type: 'object_string' };
}
