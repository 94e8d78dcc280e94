import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { documentState, type DocumentInfo, type DocumentProgress, type UpdateRule } from '../../api/knowledge';
import type { ItemParameters, LocatorField } from '../../boundaries/parameters';
import { pollIntervalOption, pollIntervalSecondsOf, timeoutOption } from '../descriptions';

/** A knowledge base's editor URL: https://www.coze.cn/space/<space_id>/knowledge/<dataset_id> (Coze Studio the same). */
const KNOWLEDGE_URL_REGEX = 'https?://[^/\\s]+/space/\\d+/knowledge/(\\d+)';
/** A workspace's URL: https://www.coze.cn/space/<space_id>/… */
const WORKSPACE_URL_REGEX = 'https?://[^/\\s]+/space/(\\d+)';

export const KNOWLEDGE_BASE_FIELD: LocatorField = { name: 'knowledgeBaseId', label: 'Knowledge Base', kind: 'knowledge base', example: '7420000000000000001' };
export const WORKSPACE_FIELD: LocatorField = { name: 'workspaceId', label: 'Workspace', kind: 'workspace', example: '7400000000000100001' };

function locator(
	field: LocatorField,
	options: { description: string; searchListMethod: string; listPlaceholder: string; urlRegex: string; urlExample: string; urlError: string },
): INodeProperties {
	return {
		displayName: field.label,
		name: field.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: options.description,
		builderHint: {
			propertyHint: `Unless the user gave the ${field.kind}'s ID, leave it for them to pick from the list in the editor; with an ID (${field.example.length} digits, e.g. ${field.example}) use { __rl: true, mode: 'id', value: '<id>' }.`,
		},
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: options.listPlaceholder,
				typeOptions: { searchListMethod: options.searchListMethod, searchable: true },
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: options.urlExample,
				validation: [{ type: 'regex', properties: { regex: `${options.urlRegex}.*`, errorMessage: options.urlError } }],
				extractValue: { type: 'regex', regex: options.urlRegex },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${field.example}`,
				validation: [{ type: 'regex', properties: { regex: '\\s*\\d+\\s*', errorMessage: `A Coze ${field.kind} ID contains digits only` } }],
			},
		],
	};
}

export const knowledgeBaseLocator = locator(KNOWLEDGE_BASE_FIELD, {
	description: 'The knowledge base (its editor URL ends with /knowledge/ and its ID)',
	searchListMethod: 'searchKnowledgeBases',
	listPlaceholder: 'Select a knowledge base...',
	urlRegex: KNOWLEDGE_URL_REGEX,
	urlExample: 'e.g. https://www.coze.cn/space/7349.../knowledge/7420...',
	urlError: 'Not a Coze knowledge base URL: copy it from the knowledge base page, e.g. https://www.coze.cn/space/<space_id>/knowledge/<dataset_id>',
});

export const workspaceLocator = locator(WORKSPACE_FIELD, {
	description: 'The workspace (space) the knowledge bases belong to',
	searchListMethod: 'searchWorkspaces',
	listPlaceholder: 'Select a workspace...',
	urlRegex: WORKSPACE_URL_REGEX,
	urlExample: 'e.g. https://www.coze.cn/space/7349.../develop',
	urlError: 'Not a Coze workspace URL: copy any page of the workspace, e.g. https://www.coze.cn/space/<space_id>/develop',
});

/** Coze's limit on a knowledge base's name (coze-js CreateDatasetReq). */
const MAX_NAME_LENGTH = 100;

/** A knowledge base's Name, Description and Icon File ID (Create and Update). */
export const baseNameField: INodeProperties = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. Product Handbook',
	description: 'The knowledge base\'s name (at most 100 characters)',
};

export const baseDescriptionField: INodeProperties = { displayName: 'Description', name: 'description', type: 'string', typeOptions: { rows: 2 }, default: '' };

export function iconFileIdField(description: string): INodeProperties {
	return { displayName: 'Icon File ID', name: 'iconFileId', type: 'string', default: '', description };
}

/** The Name field, within Coze's limit, checked before anything is sent. */
export function baseNameOf(parameters: ItemParameters): string {
	const name = parameters.text('name', 'Name', { required: true });
	const length = [...name].length;
	if (length > MAX_NAME_LENGTH) parameters.fail(`Name is ${length} characters long; Coze allows at most ${MAX_NAME_LENGTH}`);
	return name;
}

export const formatOptions = [
	{ name: 'Text', value: 'text', description: 'Documents: txt, pdf, doc, docx, md, web pages' },
	{ name: 'Table', value: 'table', description: 'Spreadsheets: csv, xls, xlsx' },
	{ name: 'Image', value: 'image', description: 'Pictures: png, jpg, jpeg, webp' },
];

/** Options → Timeout (Seconds) of the knowledge operations that wait for Coze's processing. */
export const knowledgeTimeoutOption = timeoutOption('Longest time for the item, waiting for processing included; 0 means no limit. When it runs out the item fails.');

export const knowledgePollIntervalOption = pollIntervalOption('How often to ask Coze for the processing progress while waiting');

export function pollMsOf(parameters: ItemParameters): number {
	return pollIntervalSecondsOf(parameters) * 1000;
}

/** A web page's "Auto Update Every (Hours)" as Coze's update rule: 0 = never, else at least 24. */
export function updateRuleOf(parameters: ItemParameters, name: string, label: string): UpdateRule {
	const hours = parameters.number(name, label, { default: 0, min: 0, integer: true, unit: 'hours', minNote: '0 means never' });
	if (hours > 0 && hours < 24) parameters.fail(`${label}: ${hours} is not allowed (Coze fetches a page again at most every 24 hours; 0 means never)`);
	return hours > 0 ? { update_type: 1, update_interval: hours } : { update_type: 0, update_interval: 24 };
}

/**
 * A document as Coze lists it, with its status in words and its knowledge base; what a user looks
 * for first (id, name, state, then `first`) leads, for the editor's table view.
 */
export function documentJson(datasetId: string, document: DocumentInfo | DocumentProgress, first: IDataObject = {}): IDataObject {
	const { document_id, name, document_name, ...rest } = document as IDataObject;
	return {
		document_id,
		...(name === undefined ? {} : { name }),
		...(document_name === undefined ? {} : { document_name }),
		state: documentState(document.status),
		...first,
		...rest,
		dataset_id: datasetId,
	};
}
