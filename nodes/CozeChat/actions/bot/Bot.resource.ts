import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getVersions from './getVersions.operation';
import * as publish from './publish.operation';
import * as unpublish from './unpublish.operation';
import * as update from './update.operation';

export { create, get, getMany, getVersions, publish, unpublish, update };

/**
 * Coze's UI and docs call bots "agents" today (智能体); the API and this node's other fields still
 * say bot. The resource says both.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bot'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a draft agent (bot) in a workspace', action: 'Create an agent' },
			{ name: 'Get', value: 'get', description: 'Get the configuration of an agent\'s published version or draft: prompt, model, plugins, workflows, knowledge, opening message, variables', action: 'Get an agent' },
			{ name: 'Get Many', value: 'getMany', description: 'List the agents of a workspace, drafts and published', action: 'Get many agents' },
			{ name: 'Get Versions', value: 'getVersions', description: 'List the published versions of an agent', action: 'Get the versions of an agent' },
			{ name: 'Publish', value: 'publish', description: 'Publish the agent\'s draft as a new version to channels (the API by default)', action: 'Publish an agent' },
			{ name: 'Unpublish', value: 'unpublish', description: 'Take an agent off a channel', action: 'Unpublish an agent' },
			{ name: 'Update', value: 'update', description: 'Change the agent\'s draft: prompt, model, plugins, workflows, knowledge, opening message, suggestions', action: 'Update an agent' },
		],
		default: 'get',
	},
	...create.description,
	...get.description,
	...getMany.description,
	...getVersions.description,
	...publish.description,
	...unpublish.description,
	...update.description,
];
