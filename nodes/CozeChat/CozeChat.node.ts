import {
	NodeConnectionTypes,
	type IBuilderHint,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as audio from './actions/audio/Audio.resource';
import * as bot from './actions/bot/Bot.resource';
import * as chat from './actions/chat/Chat.resource';
import * as conversation from './actions/conversation/Conversation.resource';
import * as feedback from './actions/feedback/Feedback.resource';
import * as file from './actions/file/File.resource';
import * as knowledge from './actions/knowledge/Knowledge.resource';
import * as message from './actions/message/Message.resource';
import * as plugin from './actions/plugin/Plugin.resource';
import * as variable from './actions/variable/Variable.resource';
import * as workflow from './actions/workflow/Workflow.resource';
import { router } from './actions/router';
import { credentialTest, listSearch, resourceMapping } from './methods';

const RESOURCES = [
	{ name: 'Agent (Bot)', value: 'bot', operations: bot.description },
	{ name: 'Audio', value: 'audio', operations: audio.description },
	{ name: 'Chat', value: 'chat', operations: chat.description },
	{ name: 'Conversation', value: 'conversation', operations: conversation.description },
	{ name: 'Feedback', value: 'feedback', operations: feedback.description },
	{ name: 'File', value: 'file', operations: file.description },
	{ name: 'Knowledge', value: 'knowledge', operations: knowledge.description },
	{ name: 'Message', value: 'message', operations: message.description },
	{ name: 'Plugin', value: 'plugin', operations: plugin.description },
	{ name: 'Variable', value: 'variable', operations: variable.description },
	{ name: 'Workflow', value: 'workflow', operations: workflow.description },
];

/** The canvas subtitle in words ("Chat: Send Message"), from the resources' own operation lists. */
function subtitle(): string {
	const words: Record<string, string> = {};
	for (const resource of RESOURCES) {
		const operation = resource.operations.find((p: INodeProperties) => p.name === 'operation');
		for (const option of (operation?.options ?? []) as Array<{ name: string; value: string }>) {
			words[`${resource.value}:${option.value}`] = `${resource.name}: ${option.name}`;
		}
	}
	return `={{ ${JSON.stringify(words)}[$parameter["resource"] + ":" + $parameter["operation"]] }}`;
}

/** The AI-tool variant's name before n8n's " Tool": "Coze Chat (扣子 · Kouzi Bot) Tool" in the tool picker. */
export const TOOL_DISPLAY_NAME = 'Coze Chat (扣子 · Kouzi Bot)';

/**
 * What n8n's AI Workflow Builder (2.x) reads to pick and wire this node: when to choose it, the
 * nodes it works with, and the Tools input of Chat → Send Message. n8n 1.x ignores the field.
 */
const BUILDER_HINT: IBuilderHint = {
	searchHint:
		'Use to talk to a bot (agent) built on Coze (coze.cn, coze.com, 扣子) or a self-hosted Coze Studio, to run Coze workflows and chatflows, or to keep Coze knowledge bases in sync. The bot answers with its own prompt, plugins and knowledge; this is not a language model (for that use an AI Agent with a chat model). Chat → Send Message outputs the complete answer in `answer`; for a chatbot set Options → Conversation Key to the Chat Trigger\'s sessionId. A bot that calls client-side plugins gets them answered by n8n tools connected to Send Message\'s Tools input.',
	relatedNodes: [
		{
			nodeType: '@n8n/n8n-nodes-langchain.chatTrigger',
			relationHint: 'Chat front end: Message = {{ $json.chatInput }}, Options → Conversation Key = {{ $json.sessionId }}',
		},
		{
			nodeType: '@n8n/n8n-nodes-langchain.agent',
			relationHint: 'The Coze Chat Tool variant of this node lets an AI Agent ask a Coze bot',
		},
		{
			nodeType: '@n8n/n8n-nodes-langchain.toolCode',
			relationHint: "Connect to Chat → Send Message's Tools input, named like the bot's client-side plugin, to answer it",
		},
		{
			nodeType: '@n8n/n8n-nodes-langchain.toolWorkflow',
			relationHint: "Connect to Chat → Send Message's Tools input, named like the bot's client-side plugin, to answer it with a sub-workflow",
		},
	],
	inputs: {
		[NodeConnectionTypes.AiTool]: { required: false, displayOptions: { show: { resource: ['chat'], operation: ['sendMessage'] } } },
	},
};

export class CozeChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Coze Chat',
		name: 'cozeChat',
		icon: { light: 'file:coze.svg', dark: 'file:coze.dark.svg' },
		group: ['transform'],
		// 1.1: Workflow parameters start from the workflow's own inputs (1: Using Fields Below).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: subtitle(),
		description: 'Chat with Coze (coze.cn / coze.com) bots, run Coze workflows and chatflows, and keep Coze knowledge bases in sync, with complete results',
		defaults: { name: 'Coze Chat' },
		// As an AI Agent tool the node is listed by its display name alone in n8n 1.x (1.x drops the
		// codex aliases of tool variants): the name carries the Chinese name and "bot" too. It starts
		// like the node on the canvas ("Coze Chat", "… in Coze Chat"), as n8n's own tools do.
		usableAsTool: { replacements: { displayName: TOOL_DISPLAY_NAME } },
		// Chat → Send Message also takes n8n tools, which answer the bot's client-side plugins. (The
		// AI-tool variant n8n builds from this node has no inputs at all.)
		inputs: `={{ ((resource, operation) => resource === 'chat' && operation === 'sendMessage' ? [{ type: '${NodeConnectionTypes.Main}' }, { type: '${NodeConnectionTypes.AiTool}', displayName: 'Tools', required: false }] : ['${NodeConnectionTypes.Main}'])($parameter.resource, $parameter.operation) }}`,
		outputs: [NodeConnectionTypes.Main],
		builderHint: BUILDER_HINT,
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
				options: RESOURCES.map(({ name, value }) => ({ name, value })),
				default: 'chat',
			},
			...bot.description,
			...audio.description,
			...chat.description,
			...conversation.description,
			...feedback.description,
			...file.description,
			...knowledge.description,
			...message.description,
			...plugin.description,
			...variable.description,
			...workflow.description,
		],
	};

	methods = { listSearch, credentialTest, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
