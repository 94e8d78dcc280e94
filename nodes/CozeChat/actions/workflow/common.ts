/** Fields and readers shared by the Workflow resource's operations. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import type { RunMode } from '../../api/workflow';
import { assertCozeId, toText, type ItemParameters, type LocatorField } from '../../boundaries/parameters';
import {
	botIdLocator,
	pollIntervalOption as sharedPollIntervalOption,
	pollIntervalSecondsOf,
	timeoutOption as sharedTimeoutOption,
	timeoutSecondsOf,
	USER_ID_DEFAULT,
	USER_ID_DESCRIPTION,
	USER_ID_PLACEHOLDER,
} from '../descriptions';
import type { WorkflowRunOptions } from './runWorkflow';
import { exactIntegerOf, parseJsonNumbersExact } from '../../core/json';
import { checkedParameters } from './schemaCheck';

/**
 * Workflow editor URLs: `https://www.coze.cn/work_flow?space_id=…&workflow_id=…` and, for an
 * app's workflows, `https://www.coze.cn/space/…/project-ide/…/workflow/…` (also a Coze Studio host).
 */
export const WORKFLOW_URL_REGEX = 'https?://\\S+?(?:[?&]workflow_id=|/workflow/)(\\d+)';

export function workflowLocator(kind: 'workflow' | 'chatflow'): INodeProperties {
	const label = kind === 'chatflow' ? 'Chatflow' : 'Workflow';
	return {
		displayName: label,
		name: 'workflowId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: `The Coze ${kind} to run. It must be published.`,
		builderHint: {
			propertyHint: `Unless the user gave the ${kind}'s ID or URL, leave it for them to pick from the list in the editor; with an ID (19 digits, the workflow_id in its URL) use { __rl: true, mode: 'id', value: '<id>' }.`,
		},
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a published ${kind}...`,
				typeOptions: { searchListMethod: kind === 'chatflow' ? 'searchChatflows' : 'searchWorkflows', searchable: true },
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://www.coze.cn/work_flow?space_id=7498...&workflow_id=7522...',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: `${WORKFLOW_URL_REGEX}.*`,
							errorMessage: `Not a Coze ${kind} URL: copy it from the ${kind} editor, e.g. https://www.coze.cn/work_flow?space_id=<space_id>&workflow_id=<workflow_id>`,
						},
					},
				],
				extractValue: { type: 'regex', regex: WORKFLOW_URL_REGEX },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 7522804697494000000',
				validation: [
					{ type: 'regex', properties: { regex: '\\s*\\d+\\s*', errorMessage: `A Coze ${kind} ID contains digits only` } },
				],
			},
		],
	};
}

const WORKFLOW_FIELD: LocatorField = { name: 'workflowId', label: 'Workflow', kind: 'workflow', example: '7522804697494000000' };

export function getWorkflowId(parameters: ItemParameters): string {
	return parameters.locatorId(WORKFLOW_FIELD);
}

/**
 * How a run is received. Named `runMode`, not `mode`: n8n's node panel turns a top-level `mode`
 * property into actions of its own ("Stream", "Synchronous"… beside the real operations).
 */
export const modeField: INodeProperties = {
	displayName: 'Mode',
	name: 'runMode',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Async (Poll Run History)',
			value: 'async',
			description:
				'Start the run in the background and poll its run history until it succeeds or fails (paid Coze plans; runs may take up to 24 h)',
		},
		{
			name: 'Stream',
			value: 'stream',
			description: 'Receive the run as a stream and output the complete result (works for every workflow, no 90 s limit)',
		},
		{
			name: 'Synchronous',
			value: 'sync',
			description:
				'One request that waits for the result. Coze ends it after 90 s and refuses workflows with Output nodes or a streaming End node.',
		},
	],
	default: 'stream',
};

/** The run mode of an item (workflows saved before the rename kept it as `mode`). */
export function runModeOf(parameters: ItemParameters): RunMode {
	const legacy = parameters.context.getNode().parameters.mode;
	const fallback: RunMode = legacy === 'sync' || legacy === 'async' ? legacy : 'stream';
	return parameters.choice('runMode', 'Mode', ['stream', 'sync', 'async'], fallback);
}

const RUN_IN_DESCRIPTION = 'Coze accepts a bot or an app, never both';
const RUN_IN_APP = { name: 'App', value: 'app', description: 'The workflow belongs to a Coze app (or runs in one)' };
const RUN_IN_BOT = { name: 'Bot', value: 'bot', description: 'Run it in a bot, for workflows with database or variable nodes' };

export function associationFields(required: boolean): INodeProperties[] {
	const runIn: INodeProperties = required
		? {
				displayName: 'Run In',
				name: 'associateWith',
				type: 'options',
				options: [RUN_IN_APP, RUN_IN_BOT],
				default: 'bot',
				description: `${RUN_IN_DESCRIPTION}; a chatflow needs one of them`,
			}
		: {
				displayName: 'Run In',
				name: 'associateWith',
				type: 'options',
				options: [RUN_IN_APP, RUN_IN_BOT, { name: 'None', value: 'none', description: 'A workflow of your space\'s library' }],
				default: 'none',
				description: RUN_IN_DESCRIPTION,
			};
	return [
		runIn,
		{
			...botIdLocator,
			description: 'The bot to run it in. It must be published to the API channel.',
			displayOptions: { show: { associateWith: ['bot'] } },
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 7439828073000000000',
			description: 'The app\'s ID: the number after project-ide/ in the app editor\'s URL',
			displayOptions: { show: { associateWith: ['app'] } },
		},
	];
}

/** `bot_id` or `app_id` (never both) from the Run In fields. */
export function getAssociation(parameters: ItemParameters): IDataObject {
	const kind = parameters.choice('associateWith', 'Run In', ['none', 'bot', 'app'], 'none');
	if (kind === 'bot') return { bot_id: parameters.botId() };
	if (kind === 'app') {
		const appId = parameters.text('appId', 'App ID');
		if (appId === '') parameters.fail('App ID is empty: enter the app\'s ID');
		return { app_id: assertCozeId(parameters, appId, 'App ID') };
	}
	return {};
}

/**
 * How the parameters are given. Version 1.1 starts from the workflow's own inputs; nodes saved as
 * version 1 keep their default (not stored in the saved workflow), Using Fields Below.
 */
const specifyParameters: INodeProperties = {
	displayName: 'Specify Parameters',
	name: 'parametersInput',
	type: 'options',
	options: [
		{
			name: 'From the Workflow\'s Inputs',
			value: 'schema',
			description: 'One field per input of the workflow\'s Start node, typed, required ones marked (read from Coze)',
		},
		{ name: 'Using Fields Below', value: 'fields', description: 'Name, type and value of each input, typed by hand' },
		{ name: 'Using JSON', value: 'json', description: 'All inputs as one JSON object' },
	],
	default: 'schema',
	description:
		'How to give the inputs of the workflow\'s Start node. Whichever you choose, they are checked against the workflow before the run when Coze describes its inputs.',
};

export const parameterFields: INodeProperties[] = [
	{ ...specifyParameters, default: 'fields', displayOptions: { show: { '@version': [1] } } },
	{ ...specifyParameters, displayOptions: { hide: { '@version': [1] } } },
	{
		displayName: 'Parameters',
		name: 'workflowInputs',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['workflowId.value'],
			resourceMapper: {
				resourceMapperMethod: 'getWorkflowInputs',
				mode: 'add',
				fieldWords: { singular: 'parameter', plural: 'parameters' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: false,
			},
		},
		displayOptions: { show: { parametersInput: ['schema'] } },
	},
	{
		displayName: 'Parameters',
		name: 'parametersUi',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Parameter',
		default: {},
		description: 'Inputs of the Start node, by name',
		displayOptions: { show: { parametersInput: ['fields'] } },
		options: [
			{
				displayName: 'Parameter',
				name: 'entries',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. user_name' },
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Boolean', value: 'boolean' },
							{ name: 'JSON', value: 'json' },
							{ name: 'Number', value: 'number' },
							{ name: 'String', value: 'string' },
						],
						default: 'string',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Parameters (JSON)',
		name: 'parametersJson',
		type: 'json',
		default: '{}',
		description: 'Inputs of the Start node as a JSON object, e.g. {"user_name": "George"}',
		displayOptions: { show: { parametersInput: ['json'] } },
	},
];

export const binaryFileOption: INodeProperties = {
	displayName: 'File Parameters From Binary',
	name: 'fileParameters',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	description:
		'Parameters of type File/Image filled from input binary fields: each file is uploaded to Coze and the parameter gets {"file_id": "…"}',
	options: [
		{
			displayName: 'File Parameter',
			name: 'entries',
			values: [
				{ displayName: 'Parameter Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. image' },
				{ displayName: 'Input Binary Field', name: 'binaryField', type: 'string', default: 'data' },
			],
		},
	],
};

export const extOption: INodeProperties = {
	displayName: 'Extra Fields (Ext)',
	name: 'ext',
	type: 'collection',
	placeholder: 'Add Field',
	default: {},
	description: 'Values some plugins read implicitly',
	options: [
		{ displayName: 'Latitude', name: 'latitude', type: 'string', default: '', placeholder: 'e.g. 39.9042' },
		{ displayName: 'Longitude', name: 'longitude', type: 'string', default: '', placeholder: 'e.g. 116.4074' },
		{
			displayName: 'User ID',
			name: 'user_id',
			type: 'string',
			default: USER_ID_DEFAULT,
			placeholder: USER_ID_PLACEHOLDER,
			description: `${USER_ID_DESCRIPTION} Sent as ext.user_id: the user whose variables the workflow reads and writes. Empty sends none.`,
		},
	],
};

export const workflowVersionOption: INodeProperties = {
	displayName: 'Workflow Version',
	name: 'workflowVersion',
	type: 'string',
	default: '',
	placeholder: 'e.g. v0.0.5',
	description: 'Run this published version of a library workflow (latest when empty)',
};

export const enableStreamingOption: INodeProperties = {
	displayName: 'Stream to Chat Trigger or Webhook',
	name: 'enableStreaming',
	type: 'boolean',
	default: true,
	description:
		'Whether to pass message text on as it arrives to a Chat Trigger or a Webhook that responds with Streaming. The full result is in the output either way.',
};

export const timeoutOption = sharedTimeoutOption('Longest time to wait for the run; 0 means no limit. When it runs out the item fails, but Coze is not asked to stop the run.');

export const pollIntervalOption = sharedPollIntervalOption('Async mode: how often to read the run history');

export const fetchNodeOutputsOption: INodeProperties = {
	displayName: 'Fetch Output Nodes One by One',
	name: 'fetchNodeOutputs',
	type: 'boolean',
	default: false,
	description:
		'Whether to read each Output node\'s result separately (execute_nodes). Always done when Coze marks the output as trimmed; turn it on for Output-node results over 1 MB.',
};

/** The Start-node parameters of an item, files uploaded last (after every field checked out). */
export async function collectParameters(
	parameters: ItemParameters,
	/** The item's client: the schema check and uploads count against its Timeout like the run itself. */
	coze: CozeClient,
	/** What the values are checked against: the workflow, inputs the node fills itself, a pinned version. */
	check: { workflowId: string; system?: readonly string[]; version?: string },
): Promise<IDataObject> {
	const values: IDataObject = {};
	const how = parametersInputOf(parameters);
	if (how === 'schema') {
		Object.assign(values, mappedInputs(parameters));
	} else if (how === 'json') {
		Object.assign(values, parameters.jsonObject('parametersJson', 'Parameters (JSON)', '{"user_name": "George"}') ?? {});
	} else {
		for (const entry of parameters.entries('parametersUi', 'Parameters')) {
			const name = toText(entry.name).trim();
			if (name === '') continue;
			values[name] = typedValue(parameters, entry.value, toText(entry.type) || 'string', name) as IDataObject[string];
		}
	}
	const uploads = parameters
		.entries('options.fileParameters', 'Options → File Parameters From Binary')
		.map((f) => ({ name: toText(f.name).trim(), field: toText(f.binaryField).trim() }))
		.filter((f) => f.name !== '');
	for (const file of uploads) {
		if (file.field === '') parameters.fail(`File parameter '${file.name}': enter the input binary field`);
		parameters.context.helpers.assertBinaryData(parameters.itemIndex, file.field);
	}
	const checked = (await checkedParameters(
		parameters,
		{ workflowId: check.workflowId, values: { ...values }, files: uploads.map((f) => f.name), system: check.system, version: check.version },
		coze,
	)) as IDataObject;
	for (const file of uploads) {
		const uploaded = await coze.files.uploadBinary(file.field);
		checked[file.name] = JSON.stringify({ file_id: uploaded.id });
	}
	return checked;
}

/** How the parameters are given (the default depends on the node's version, see specifyParameters). */
export function parametersInputOf(parameters: ItemParameters): 'schema' | 'fields' | 'json' {
	const fallback = parameters.context.getNode().typeVersion === 1 ? 'fields' : 'schema';
	return parameters.choice('parametersInput', 'Specify Parameters', ['schema', 'fields', 'json'], fallback);
}

/** The values of the workflow-inputs form, expressions resolved; unset fields left out. */
function mappedInputs(parameters: ItemParameters): IDataObject {
	const mapper = parameters.raw('workflowInputs', 'Parameters', {}) as IDataObject | null | undefined;
	const value = mapper?.value;
	const out: IDataObject = {};
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
	for (const [name, given] of Object.entries(value as IDataObject)) {
		if (given === undefined || given === null || given === '') continue;
		out[name] = given;
	}
	return out;
}

function typedValue(parameters: ItemParameters, value: unknown, type: string, name: string): unknown {
	if (type === 'string') return toText(value);
	if (type === 'number') {
		const n = typeof value === 'number' ? value : Number(toText(value).trim());
		if (toText(value).trim() === '' || !Number.isFinite(n)) parameters.fail(`Parameter '${name}': '${toText(value)}' is not a number`);
		// A 19-digit integer keeps its digits (a Number would round it).
		return exactIntegerOf(value) ?? n;
	}
	if (type === 'boolean') {
		if (typeof value === 'boolean') return value;
		const text = toText(value).trim().toLowerCase();
		if (text === 'true' || text === 'false') return text === 'true';
		parameters.fail(`Parameter '${name}': '${toText(value)}' is not true or false`);
	}
	if (typeof value !== 'string') return value;
	try {
		return parseJsonNumbersExact(value);
	} catch {
		return parameters.fail(`Parameter '${name}' is not valid JSON`);
	}
}

/** `ext` from the Extra Fields option (strings only, empty ones left out). */
export function extFrom(parameters: ItemParameters): IDataObject | undefined {
	const out: IDataObject = {};
	for (const [key, label] of [['latitude', 'Latitude'], ['longitude', 'Longitude'], ['user_id', 'User ID']]) {
		const value = parameters.text(`options.ext.${key}`, `Options → Extra Fields (Ext) → ${label}`);
		if (value !== '') out[key] = value;
	}
	return Object.keys(out).length > 0 ? out : undefined;
}

/** Options → Poll Interval (Seconds) of an async workflow run. */
export function workflowRunOptionsOf(parameters: ItemParameters, mode: RunMode, extra: { errorHint?: string } = {}): WorkflowRunOptions {
	const timeoutSeconds = timeoutSecondsOf(parameters);
	return {
		mode,
		timeoutSeconds,
		pollIntervalSeconds: pollIntervalSecondsOf(parameters),
		liveStream: parameters.boolean('options.enableStreaming', 'Options → Stream to Chat Trigger or Webhook', true),
		fetchNodeOutputs: parameters.boolean('options.fetchNodeOutputs', 'Options → Fetch Output Nodes One by One', false),
		errorHint: extra.errorHint,
	};
}
