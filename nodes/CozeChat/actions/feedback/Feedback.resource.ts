import type { INodeProperties } from 'n8n-workflow';

import * as deleteFeedback from './delete.operation';
import * as submit from './submit.operation';

export { deleteFeedback, submit };

/**
 * Feedback on a bot's answer (Coze's message feedback): its own resource rather than operations of
 * Message, so a thumbs-button workflow finds "Feedback" by name and its Delete (the rating) never
 * sits next to Message → Delete (the message itself) in one list.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['feedback'] } },
		options: [
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete the feedback on a bot\'s answer',
				action: 'Delete feedback on an answer',
			},
			{
				name: 'Submit',
				value: 'submit',
				description: 'Like or unlike a bot\'s answer, with reasons and a comment (shown in Coze\'s message logs)',
				action: 'Submit feedback on an answer',
			},
		],
		default: 'submit',
	},
	...submit.description,
	...deleteFeedback.description,
];
