import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { sortedOptions, timeoutSecondsOf } from '../descriptions';
import { documentJson, KNOWLEDGE_BASE_FIELD, knowledgeBaseLocator, knowledgePollIntervalOption, knowledgeTimeoutOption, pollMsOf } from './common';

const properties: INodeProperties[] = [
	knowledgeBaseLocator,
	{
		displayName: 'Document IDs',
		name: 'documentIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 7420000000000000101, 7420000000000000102',
		description: 'Comma-separated IDs of documents of this knowledge base (or an array from an expression)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([
			knowledgePollIntervalOption,
			knowledgeTimeoutOption,
			{
				displayName: 'Wait Until Processed',
				name: 'waitUntilProcessed',
				type: 'boolean',
				default: false,
				description: 'Whether to wait until Coze has processed all the documents (or failed to), instead of answering how far it got',
			},
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['getProgress'] } }, properties);

/** The item's time: Options → Timeout (Seconds), waiting for processing included. */
export const timeoutSeconds = timeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const datasetId = parameters.locatorId(KNOWLEDGE_BASE_FIELD);
	const ids = parameters.cozeIds('documentIds', 'Document IDs');
	const wait = parameters.boolean('options.waitUntilProcessed', 'Options → Wait Until Processed', false);
	const pollMs = pollMsOf(parameters);
	const progress = wait ? await coze.knowledge.waitUntilProcessed(datasetId, ids, pollMs) : await coze.knowledge.documentProgress(datasetId, ids);
	// Coze leaves out a document it does not know (of another knowledge base, or deleted): say which.
	const reported = new Set(progress.map((entry) => entry.document_id));
	const missing = ids.filter((id) => !reported.has(id));
	if (missing.length > 0) {
		parameters.fail(`Document IDs: Coze reported no progress for ${missing.join(', ')} in knowledge base ${datasetId} (not one of its documents, or deleted)`);
	}
	return progress.map((entry) => ({ json: documentJson(datasetId, entry), pairedItem: { item: itemIndex } }));
}

