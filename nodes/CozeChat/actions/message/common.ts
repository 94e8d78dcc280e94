/** Fields and readers the Message and Feedback operations (and Conversation → Update / Delete) share. */
import type { INodeProperties } from 'n8n-workflow';

import type { MessageContent, MessageIds } from '../../api/message';
import type { ItemParameters } from '../../boundaries/parameters';
import { concurrencyOption, keyValueCollection } from '../descriptions';

export const messageConversationIdField: INodeProperties = {
	displayName: 'Conversation ID',
	name: 'conversationId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 7381473525342978089',
	description: 'The conversation (conversation_id in Send Message\'s output, or the ID output by Conversation → Create)',
};

export const messageIdField: INodeProperties = {
	displayName: 'Message ID',
	name: 'messageId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 7381473525342978112',
	description:
		'The message: the ID output by Message → Create, answer_message_id in Send Message\'s output, or a message\'s ID in Send Message\'s raw messages (Options → Include Raw Messages) or Chat → List Messages with Simplify off',
};

/** Options → Items in Parallel of these operations: items of one conversation still go in order. */
export const inOrderParallelOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [{ ...concurrencyOption, description: 'How many items to send at once; items of one conversation still go one after another, in input order' }],
};

export const contentTypeField: INodeProperties = {
	displayName: 'Content Type',
	name: 'contentType',
	type: 'options',
	options: [
		{ name: 'Text', value: 'text' },
		{
			name: 'Text and Files (Object String)',
			value: 'object_string',
			description: 'A JSON array of items: {"type": "text", "text": …} and {"type": "image" | "file" | "audio", "file_id" or "file_url": …}',
		},
	],
	default: 'text',
};

export const contentField: INodeProperties = {
	displayName: 'Content',
	name: 'content',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	required: true,
	placeholder: 'e.g. My order number is A-1001',
	description:
		'The message. With Content Type Text and Files: a JSON array such as [{"type":"text","text":"What is in this picture?"},{"type":"image","file_id":"7380331280292495370"}] (file IDs from File → Upload).',
};

export const metadataCollection = (description: string): INodeProperties =>
	keyValueCollection('Metadata', 'metaData', description);

export function messageIdsOf(parameters: ItemParameters): MessageIds {
	return {
		conversationId: parameters.cozeId('conversationId', 'Conversation ID'),
		messageId: parameters.cozeId('messageId', 'Message ID'),
	};
}

/** Coze's limits on a message's metadata (create_message.md): 16 pairs, keys 1–64, values 1–512 characters. */
export function messageMetadataOf(parameters: ItemParameters, name: string, label: string): Record<string, string> | undefined {
	const metaData = parameters.keyValues(name, label);
	if (!metaData) return undefined;
	const entries = Object.entries(metaData);
	if (entries.length > 16) parameters.fail(`${label}: ${entries.length} entries, Coze takes at most 16`);
	for (const [key, value] of entries) {
		if (length(key) > 64) parameters.fail(`${label}: the key '${key.slice(0, 20)}…' has ${length(key)} characters, Coze takes at most 64`);
		if (value === '') parameters.fail(`${label}: the value of '${key}' is empty (Coze takes 1 to 512 characters)`);
		if (length(value) > 512) parameters.fail(`${label}: the value of '${key}' has ${length(value)} characters, Coze takes at most 512`);
	}
	return metaData;
}

const CONTENT_ITEM_TYPES = ['text', 'image', 'file', 'audio'];

/**
 * The message content: text as written, or a JSON array of text/file items (object_string) checked
 * before it is sent — as the JSON text given (an array from an expression as its JSON), so file IDs
 * stay as written.
 */
export function messageContentOf(parameters: ItemParameters, names: { content: string; contentType: string }, labels: { content: string; contentType: string }): MessageContent {
	const contentType = parameters.choice(names.contentType, labels.contentType, ['text', 'object_string'], 'text');
	const content = parameters.text(names.content, labels.content, { required: true, keepSpaces: true });
	if (contentType === 'text') return { content, content_type: 'text' };
	const example = 'e.g. [{"type":"text","text":"What is in it?"},{"type":"image","file_id":"7380331280292495370"}]';
	let items: unknown;
	try {
		items = JSON.parse(content);
	} catch {
		parameters.fail(`${labels.content} is not valid JSON: with Content Type Text and Files it is a JSON array of items, ${example}`);
	}
	if (!Array.isArray(items) || items.length === 0) parameters.fail(`${labels.content} must be a JSON array of items, ${example}`);
	(items as unknown[]).forEach((item, index) => {
		const at = `${labels.content}: item ${index + 1}`;
		if (typeof item !== 'object' || item === null || Array.isArray(item)) parameters.fail(`${at} is not an object, ${example}`);
		const { type, text, file_id: fileId, file_url: fileUrl } = item as Record<string, unknown>;
		if (typeof type !== 'string' || !CONTENT_ITEM_TYPES.includes(type)) {
			parameters.fail(`${at}: type must be one of ${CONTENT_ITEM_TYPES.map((t) => `'${t}'`).join(', ')}`);
		}
		if (type === 'text' && (typeof text !== 'string' || text === '')) parameters.fail(`${at}: a text item needs its text`);
		if (type !== 'text' && fileId === undefined && (typeof fileUrl !== 'string' || fileUrl === '')) {
			parameters.fail(`${at}: a ${type} item needs file_id (from File → Upload) or file_url`);
		}
	});
	return { content, content_type: 'object_string' };
}

/** Characters as Coze counts them (code points, so a Chinese character or an emoji is one). */
export function length(text: string): number {
	return [...text].length;
}
