import type { INodeProperties } from 'n8n-workflow';

import * as createBase from './createBase.operation';
import * as deleteBase from './deleteBase.operation';
import * as deleteDocuments from './deleteDocuments.operation';
import * as getManyBases from './getManyBases.operation';
import * as getManyDocuments from './getManyDocuments.operation';
import * as getProgress from './getProgress.operation';
import * as updateBase from './updateBase.operation';
import * as updateDocument from './updateDocument.operation';
import * as uploadDocument from './uploadDocument.operation';

export { createBase, deleteBase, deleteDocuments, getManyBases, getManyDocuments, getProgress, updateBase, updateDocument, uploadDocument };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['knowledge'] } },
		options: [
			{ name: 'Create Knowledge Base', value: 'createBase', description: 'Create a knowledge base in a workspace', action: 'Create a knowledge base' },
			{ name: 'Delete Documents', value: 'deleteDocuments', description: 'Delete documents from a knowledge base', action: 'Delete documents' },
			{ name: 'Delete Knowledge Base', value: 'deleteBase', description: 'Delete a knowledge base and all its documents', action: 'Delete a knowledge base' },
			{ name: 'Get Many Documents', value: 'getManyDocuments', description: 'List the documents of a knowledge base', action: 'Get many documents' },
			{ name: 'Get Many Knowledge Bases', value: 'getManyBases', description: 'List the knowledge bases of a workspace', action: 'Get many knowledge bases' },
			{ name: 'Get Processing Progress', value: 'getProgress', description: 'How far Coze got processing documents (or wait until it is done)', action: 'Get the processing progress of documents' },
			{ name: 'Update Document', value: 'updateDocument', description: 'Rename a document or change how often a web page is fetched again', action: 'Update a document' },
			{ name: 'Update Knowledge Base', value: 'updateBase', description: 'Change the name, description and icon of a knowledge base', action: 'Update a knowledge base' },
			{ name: 'Upload Document', value: 'uploadDocument', description: 'Add a file, a text or a web page to a knowledge base', action: 'Upload a document' },
		],
		default: 'uploadDocument',
	},
	...createBase.description,
	...deleteBase.description,
	...deleteDocuments.description,
	...getManyBases.description,
	...getManyDocuments.description,
	...getProgress.description,
	...updateBase.description,
	...updateDocument.description,
	...uploadDocument.description,
];
