import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf, type ItemParameters } from '../../boundaries/parameters';
import { checkToolArguments, describeToolProblems, toolInputs } from '../../core/pluginSchema';
import { concurrencyOption } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import { getPluginId, getToolName, pluginLocator, pluginOf, toolLocator } from './common';

const properties: INodeProperties[] = [
	pluginLocator,
	toolLocator,
	{
		displayName: 'Specify Arguments',
		name: 'argumentsInput',
		type: 'options',
		options: [
			{ name: 'From the Tool\'s Schema', value: 'schema', description: 'One field per argument of the tool, typed, required ones marked (read from Coze)' },
			{ name: 'Using JSON', value: 'json', description: 'All arguments as one JSON object' },
		],
		default: 'schema',
		description: 'How to give the tool\'s arguments. Either way they are checked against the tool\'s schema before the call.',
	},
	{
		displayName: 'Arguments',
		name: 'toolArguments',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['pluginId.value', 'toolName.value'],
			resourceMapper: {
				resourceMapperMethod: 'getPluginToolInputs',
				mode: 'add',
				fieldWords: { singular: 'argument', plural: 'arguments' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: false,
			},
		},
		displayOptions: { show: { argumentsInput: ['schema'] } },
	},
	{
		displayName: 'Arguments (JSON)',
		name: 'argumentsJson',
		type: 'json',
		default: '{}',
		description: 'The tool\'s arguments as a JSON object, e.g. {"q": "Hangzhou"}',
		displayOptions: { show: { argumentsInput: ['json'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [concurrencyOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['plugin'], operation: ['callTool'] } }, properties);

/** Calls are independent: any number may go at once (Coze's rate limits slow them down together). */
export const parallelism = itemsInParallel();

/** The values of the arguments form, expressions resolved; unset fields left out. */
function mappedArguments(parameters: ItemParameters): IDataObject {
	const mapper = parameters.raw('toolArguments', 'Arguments', {}) as IDataObject | null | undefined;
	const value = mapper?.value;
	const out: IDataObject = {};
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
	for (const [name, given] of Object.entries(value as IDataObject)) {
		if (given === undefined || given === null || given === '') continue;
		out[name] = given;
	}
	return out;
}

/**
 * Calls one tool of a plugin. The arguments are checked against the tool's `inputSchema` first: a
 * missing or mistyped argument fails the item and nothing is sent (a call is billed). The result
 * (`data.result`) is the item's JSON; a result that is not an object comes as `{ result }`.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const pluginId = getPluginId(parameters);
	const toolName = getToolName(parameters);
	const how = parameters.choice('argumentsInput', 'Specify Arguments', ['schema', 'json'], 'schema');
	const given = how === 'json' ? (parameters.jsonObject('argumentsJson', 'Arguments (JSON)', '{"q": "Hangzhou"}') ?? {}) : mappedArguments(parameters);
	const plugin = await pluginOf(coze, pluginId);
	const tool = plugin.tools.find((t) => t.name === toolName);
	if (!tool) {
		return parameters.fail(
			`Plugin ${pluginId}${plugin.name ? ` (${plugin.name})` : ''} has no tool '${toolName}'`,
			`Its tools: ${plugin.tools.map((t) => t.name).join(', ') || 'none'}. Nothing was sent to the tool.`,
		);
	}
	if (plugin.is_call_available === false) {
		parameters.fail(
			`Plugin ${pluginId}${plugin.name ? ` (${plugin.name})` : ''} cannot be called now`,
			'Coze marks it unavailable (is_call_available false): a third-party paid plugin whose agreement is not signed, or one taken off the store. Open it in Coze\'s plugin store to add it.',
		);
	}
	const inputs = toolInputs(tool.inputSchema);
	const { values, problems } = checkToolArguments(inputs, given);
	if (problems.length > 0) {
		parameters.fail(
			`Tool arguments: ${describeToolProblems(toolName, inputs, problems)}`,
			'Nothing was sent to Coze, so the tool was not called. Fix the arguments (Specify Arguments), or set them with an expression from the input item.',
		);
	}
	const result = await coze.plugins.call(pluginId, toolName, values as IDataObject);
	const json: IDataObject = typeof result === 'object' && result !== null && !Array.isArray(result) ? (result as IDataObject) : { result: result as IDataObject[string] };
	return [{ json, pairedItem: { item: itemIndex } }];
}
