import type { INodeProperties } from 'n8n-workflow';

import * as callTool from './callTool.operation';
import * as get from './get.operation';
import * as search from './search.operation';

export { callTool, get, search };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['plugin'] } },
		options: [
			{
				name: 'Call Tool',
				value: 'callTool',
				description: 'Call one tool of a plugin with its arguments and get its result (paid Coze plans)',
				action: 'Call a plugin tool',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a plugin with its tools and their argument schemas',
				action: 'Get a plugin',
			},
			{
				name: 'Search',
				value: 'search',
				description: 'Search Coze\'s plugin store',
				action: 'Search the plugin store',
			},
		],
		default: 'callTool',
	},
	...callTool.description,
	...get.description,
	...search.description,
];
