import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as set from './set.operation';

export { get, set };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['variable'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Read a user\'s values of a bot\'s or app\'s user variables',
				action: 'Get user variables',
			},
			{
				name: 'Set',
				value: 'set',
				description: 'Set a user\'s values of a bot\'s or app\'s user variables (for example who the user is, before a chat)',
				action: 'Set user variables',
			},
		],
		default: 'get',
	},
	...get.description,
	...set.description,
];
