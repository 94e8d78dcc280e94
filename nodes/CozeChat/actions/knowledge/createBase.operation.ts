import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { FORMAT_TYPES, type FormatName } from '../../api/knowledge';
import { parametersOf } from '../../boundaries/parameters';
import { baseDescriptionField, baseNameField, baseNameOf, formatOptions, iconFileIdField, WORKSPACE_FIELD, workspaceLocator } from './common';

const properties: INodeProperties[] = [
	workspaceLocator,
	baseNameField,
	{
		displayName: 'Format',
		name: 'formatType',
		type: 'options',
		// Coze's API creates text and image knowledge bases (coze-js CreateDatasetReq); tables only in its editor.
		options: formatOptions.filter((option) => option.value !== 'table'),
		default: 'text',
		description: 'What the knowledge base holds; it cannot be changed later. Table knowledge bases can only be created in Coze\'s editor.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			baseDescriptionField,
			iconFileIdField('An image uploaded with File → Upload (its ID) to show as the knowledge base\'s icon'),
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['createBase'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const spaceId = parameters.locatorId(WORKSPACE_FIELD);
	const name = baseNameOf(parameters);
	const formatType = FORMAT_TYPES[parameters.choice<FormatName>('formatType', 'Format', ['text', 'image'], 'text')];
	const description = parameters.text('options.description', 'Options → Description');
	const iconFileId = parameters.cozeId('options.iconFileId', 'Options → Icon File ID', { required: false });
	const created = await coze.knowledge.createDataset({
		name,
		space_id: spaceId,
		format_type: formatType,
		...(description ? { description } : {}),
		...(iconFileId ? { file_id: iconFileId } : {}),
	});
	return [{ json: { dataset_id: created.dataset_id, name, space_id: spaceId, format_type: formatType, description }, pairedItem: { item: itemIndex } }];
}
