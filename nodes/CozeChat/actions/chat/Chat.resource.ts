import type { INodeProperties } from 'n8n-workflow';

import * as retrieve from './retrieve.operation';
import * as sendMessage from './sendMessage.operation';

export { retrieve, sendMessage };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{
				name: 'Retrieve',
				value: 'retrieve',
				description: 'Get a chat\'s status, usage and (when completed) its answer',
				action: 'Retrieve a chat',
			},
			{
				name: 'Send Message',
				value: 'sendMessage',
				description: 'Send a message to a bot and get its complete answer',
				action: 'Send a message to a bot',
			},
		],
		default: 'sendMessage',
	},
	...sendMessage.description,
	...retrieve.description,
];
