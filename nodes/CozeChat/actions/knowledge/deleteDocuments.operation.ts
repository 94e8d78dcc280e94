import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';

/** Coze deletes at most 100 documents per request (cozepy documents.delete). */
const MAX_PER_REQUEST = 100;

const properties: INodeProperties[] = [
	{
		displayName: 'Document IDs',
		name: 'documentIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 7420000000000000101, 7420000000000000102',
		description: 'Comma-separated IDs of the documents to delete (or an array from an expression)',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['deleteDocuments'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const ids = parameters.cozeIds('documentIds', 'Document IDs');
	for (let start = 0; start < ids.length; start += MAX_PER_REQUEST) {
		await coze.knowledge.deleteDocuments(ids.slice(start, start + MAX_PER_REQUEST));
	}
	return [{ json: { deleted_document_ids: ids, deleted: true }, pairedItem: { item: itemIndex } }];
}
