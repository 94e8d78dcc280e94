import type { INodeProperties } from 'n8n-workflow';

import * as cancel from './cancel.operation';
import * as listMessages from './listMessages.operation';
import * as retrieve from './retrieve.operation';
import * as sendMessage from './sendMessage.operation';
import * as submitToolOutputs from './submitToolOutputs.operation';

export { cancel, listMessages, retrieve, sendMessage, submitToolOutputs };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				description: 'Cancel a chat that is still running',
				action: 'Cancel a chat',
			},
			{
				name: 'List Messages',
				value: 'listMessages',
				description: 'Get the messages a chat produced, or its aggregated answer',
				action: 'List the messages of a chat',
			},
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
			{
				name: 'Submit Tool Outputs',
				value: 'submitToolOutputs',
				description: 'Answer a chat that requires action with your tools\' results, and get the final answer',
				action: 'Submit tool outputs to a chat',
			},
		],
		default: 'sendMessage',
	},
	...sendMessage.description,
	...retrieve.description,
	...listMessages.description,
	...cancel.description,
	...submitToolOutputs.description,
];
