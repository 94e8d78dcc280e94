import type { INodeProperties } from 'n8n-workflow';

import * as clearContext from './clearContext.operation';
import * as create from './create.operation';
import * as deleteConversation from './delete.operation';
import * as get from './get.operation';
import * as list from './list.operation';
import * as update from './update.operation';

export { clearContext, create, deleteConversation, get, list, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{
				name: 'Clear Context',
				value: 'clearContext',
				description: 'Start a new section: earlier messages no longer count as the bot\'s context',
				action: 'Clear the context of a conversation',
			},
			{
				name: 'Create',
				value: 'create',
				description: 'Create a conversation to chat in over several turns',
				action: 'Create a conversation',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a conversation and its messages',
				action: 'Delete a conversation',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a conversation',
				action: 'Get a conversation',
			},
			{
				name: 'Get Many',
				value: 'list',
				description: 'List the conversations of a bot',
				action: 'Get many conversations',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Rename a conversation',
				action: 'Rename a conversation',
			},
		],
		default: 'create',
	},
	...create.description,
	...get.description,
	...list.description,
	...clearContext.description,
	...update.description,
	...deleteConversation.description,
];
