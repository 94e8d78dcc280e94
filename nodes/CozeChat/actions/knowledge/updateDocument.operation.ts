import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import type { DocumentUpdate } from '../../api/knowledge';
import { parametersOf } from '../../boundaries/parameters';
import { updateRuleOf } from './common';

const properties: INodeProperties[] = [
	{
		displayName: 'Document ID',
		name: 'documentId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 7420000000000000101',
		description: 'The document (document_id in Upload Document\'s or Get Many Documents\' output)',
	},
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Auto Update Every (Hours)',
				name: 'updateInterval',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Web pages only: how often Coze fetches the page again (at least 24); 0 turns automatic updates off',
			},
			{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'The document\'s new name' },
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['updateDocument'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const documentId = parameters.cozeId('documentId', 'Document ID');
	const fields = (parameters.raw('updateFields', 'Update Fields', {}) ?? {}) as IDataObject;
	const update: DocumentUpdate = { document_id: documentId };
	if ('name' in fields) update.document_name = parameters.text('updateFields.name', 'Update Fields → Name', { required: true });
	if ('updateInterval' in fields) update.update_rule = updateRuleOf(parameters, 'updateFields.updateInterval', 'Update Fields → Auto Update Every (Hours)');
	if (update.document_name === undefined && update.update_rule === undefined) {
		parameters.fail('Update Fields: add the Name or Auto Update Every (Hours) to change');
	}
	await coze.knowledge.updateDocument(update);
	return [{ json: { ...update, updated: true }, pairedItem: { item: itemIndex } }];
}
