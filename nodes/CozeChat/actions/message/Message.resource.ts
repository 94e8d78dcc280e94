import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as deleteMessage from './delete.operation';
import * as get from './get.operation';
import * as list from './list.operation';
import * as update from './update.operation';

export { create, deleteMessage, get, list, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Add a message to a conversation: context for the next chat, or a human agent\'s reply',
				action: 'Create a message',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a message from a conversation',
				action: 'Delete a message',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a message of a conversation',
				action: 'Get a message',
			},
			{
				name: 'Get Many',
				value: 'list',
				description: 'List a conversation\'s messages (questions, answers and created messages of all its chats), newest first',
				action: 'Get many messages',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Change a message\'s content or metadata',
				action: 'Update a message',
			},
		],
		default: 'create',
	},
	...create.description,
	...get.description,
	...list.description,
	...update.description,
	...deleteMessage.description,
];
