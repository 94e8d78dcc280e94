import type { INodeProperties } from 'n8n-workflow';

import * as chat from './chat.operation';
import * as getRunHistory from './getRunHistory.operation';
import * as resume from './resume.operation';
import * as run from './run.operation';

export { chat, getRunHistory, resume, run };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['workflow'] } },
		options: [
			{
				name: 'Chat With Chatflow',
				value: 'chat',
				description: 'Send a message to a chatflow and get its complete answer',
				action: 'Chat with a chatflow',
			},
			{
				name: 'Get Run History',
				value: 'getRunHistory',
				description: 'Get a run\'s status, output, error and node statuses by its execute ID',
				action: 'Get the run history of a workflow run',
			},
			{
				name: 'Resume',
				value: 'resume',
				description: 'Answer an interrupted run (question or input node) and get its result',
				action: 'Resume an interrupted workflow run',
			},
			{
				name: 'Run',
				value: 'run',
				description: 'Run a workflow and get its complete result',
				action: 'Run a workflow',
			},
		],
		default: 'run',
	},
	...run.description,
	...resume.description,
	...getRunHistory.description,
	...chat.description,
];
