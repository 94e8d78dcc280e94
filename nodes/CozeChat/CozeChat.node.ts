import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as chat from './actions/chat/Chat.resource';
import * as conversation from './actions/conversation/Conversation.resource';
import * as file from './actions/file/File.resource';
import * as workflow from './actions/workflow/Workflow.resource';
import { router } from './actions/router';
import { credentialTest, listSearch } from './methods';

export class CozeChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Coze Chat',
		name: 'cozeChat',
		icon: { light: 'file:coze.svg', dark: 'file:coze.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Chat with Coze (coze.cn / coze.com) bots and run Coze workflows and chatflows, with complete results',
		defaults: { name: 'Coze Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'cozeApi', required: true, testedBy: 'cozeApiConnection', displayOptions: { show: { authentication: ['accessToken'] } } },
			{ name: 'cozeJwtApi', required: true, displayOptions: { show: { authentication: ['jwt'] } } },
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{
						name: 'Access Token',
						value: 'accessToken',
						description: 'A personal or service access token (Coze API credential)',
					},
					{
						name: 'OAuth JWT (Service App)',
						value: 'jwt',
						description: 'Tokens minted from a service app\'s key pair, renewed automatically (for unattended jobs)',
					},
				],
				default: 'accessToken',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Chat', value: 'chat' },
					{ name: 'Conversation', value: 'conversation' },
					{ name: 'File', value: 'file' },
					{ name: 'Workflow', value: 'workflow' },
				],
				default: 'chat',
			},
			...chat.description,
			...conversation.description,
			...file.description,
			...workflow.description,
		],
	};

	methods = { listSearch, credentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
