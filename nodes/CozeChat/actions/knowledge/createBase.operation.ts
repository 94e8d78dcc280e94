import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { createDataset, FORMAT_TYPES, type FormatName } from '../../api/knowledge';
import { ItemBudget } from '../../boundaries/budget';
import { parametersOf } from '../../boundaries/parameters';
import { formatOptions, WORKSPACE_FIELD, workspaceLocator } from './common';

/** Coze's limit on a knowledge base's name (coze-js CreateDatasetReq). */
export const MAX_NAME_LENGTH = 100;

const properties: INodeProperties[] = [
	workspaceLocator,
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Product Handbook',
		description: 'The knowledge base\'s name (at most 100 characters)',
	},
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
			{ displayName: 'Description', name: 'description', type: 'string', typeOptions: { rows: 2 }, default: '' },
			{
				displayName: 'Icon File ID',
				name: 'iconFileId',
				type: 'string',
				default: '',
				description: 'An image uploaded with File → Upload (its ID) to show as the knowledge base\'s icon',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['knowledge'], operation: ['createBase'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const spaceId = parameters.locatorId(WORKSPACE_FIELD);
	const name = nameOf(parameters.text('name', 'Name', { required: true }), parameters.fail.bind(parameters));
	const formatType = FORMAT_TYPES[parameters.choice<FormatName>('formatType', 'Format', ['text', 'image'], 'text')];
	const description = parameters.text('options.description', 'Options → Description');
	const iconFileId = parameters.cozeId('options.iconFileId', 'Options → Icon File ID', { required: false });
	const created = await createDataset(
		this,
		{ name, space_id: spaceId, format_type: formatType, ...(description ? { description } : {}), ...(iconFileId ? { file_id: iconFileId } : {}) },
		ItemBudget.of(this),
	);
	return [{ json: { dataset_id: created.dataset_id, name, space_id: spaceId, format_type: formatType, description }, pairedItem: { item: itemIndex } }];
}

/** A name within Coze's limit, checked before anything is sent. */
export function nameOf(name: string, fail: (message: string) => never): string {
	if ([...name].length > MAX_NAME_LENGTH) fail(`Name is ${[...name].length} characters long; Coze allows at most ${MAX_NAME_LENGTH}`);
	return name;
}
