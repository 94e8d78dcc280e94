/**
 * Workflow → Run as a tool of an AI agent, in n8n-core's real tool path: an agent-like node asks
 * its ExecuteContext for its `ai_tool` connections (getInputConnectionData), which builds the
 * tool from the Coze node's `$fromAI` placeholders (createNodeAsTool → zod schema) and runs the
 * Coze node when the tool is invoked (makeHandleToolInvocation → SupplyDataContext → execute()).
 * The Coze node type is converted like n8n's CLI converts `usableAsTool` nodes.
 */
import {
	createRunExecutionData,
	deepCopy,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
	type IExecuteData,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
} from 'n8n-workflow';
import { WorkflowExecute } from 'n8n-core';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { scenarios } from '../emulator/workflowScenarios';
import { createAdditionalData, HarnessCredentialsHelper } from '../harness';
import { ensureContainer } from '../harness/container';

interface Tool {
	name: string;
	description: string;
	schema: { shape: Record<string, unknown> };
	invoke(args: Record<string, unknown>): Promise<string>;
}

/** What n8n's CLI does to a `usableAsTool` node (packages/cli … convertNodeToAiTool). */
function asTool(node: INodeType): INodeType {
	const description = deepCopy(node.description);
	description.name += 'Tool';
	description.displayName += ' Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	delete description.usableAsTool;
	description.properties = [
		...description.properties,
		{ displayName: 'Description', name: 'toolDescription', type: 'string', default: 'Run a Coze workflow' },
	];
	const tool = Object.create(node) as INodeType;
	tool.description = description;
	return tool;
}

/** The agent's role: take the tool, call it with what a model would send, output the answer. */
function fakeAgent(toolArgs: Record<string, unknown>): INodeType {
	return {
		description: {
			displayName: 'Agent',
			name: 'testAgent',
			group: ['transform'],
			version: 1,
			description: 'Calls its tools',
			defaults: { name: 'Agent' },
			inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, displayName: 'Tools', required: true }],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Tool[];
			const [tool] = tools;
			const response = await tool.invoke(toolArgs);
			return [[{ json: { tool: tool.name, description: tool.description, schemaKeys: Object.keys(tool.schema.shape).sort(), response } }]];
		},
	};
}

async function runAgentWithCozeTool(emulator: CozeEmulator, toolParameters: INodeParameters, toolArgs: Record<string, unknown>) {
	ensureContainer();
	const coze = asTool(new CozeChat());
	const agent = fakeAgent(toolArgs);
	const types: Record<string, INodeType> = { [coze.description.name]: coze, [agent.description.name]: agent };
	const nodeTypes: INodeTypes = {
		getByName: (name) => types[name],
		getByNameAndVersion: (name, version) => NodeHelpers.getVersionedNodeType(types[name], version),
		getKnownTypes: () => ({}),
	};
	const credentialType = new CozeApi();
	const agentNode: INode = { id: 'agent', name: 'Agent', type: 'testAgent', typeVersion: 1, position: [0, 0], parameters: {} };
	const toolNode: INode = {
		id: 'tool',
		name: 'Coze Workflow Tool',
		type: coze.description.name,
		typeVersion: 1,
		position: [0, 200],
		parameters: toolParameters,
		credentials: { cozeApi: { id: 'harness-credential', name: 'Coze API' } },
	};
	const workflow = new Workflow({
		id: 'tool-workflow',
		nodes: [agentNode, toolNode],
		connections: { 'Coze Workflow Tool': { ai_tool: [[{ node: 'Agent', type: NodeConnectionTypes.AiTool, index: 0 }]] } },
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const additionalData = createAdditionalData(
		new HarnessCredentialsHelper(credentialType, { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN }),
	);
	const executeData: IExecuteData = { node: agentNode, data: { main: [[{ json: {} }]] }, source: null };
	const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack: [executeData] } });
	const engine = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	const response = await engine.runNode(workflow, executeData, runExecutionData, 0, additionalData, 'manual');
	if (!('data' in response)) throw new Error('the agent asked for sub-node runs');
	return response.data![0]![0].json;
}

let emulator: CozeEmulator;

beforeAll(async () => {
	emulator = await startEmulator();
});
afterAll(async () => await emulator.stop());

describe('Workflow → Run as an AI Agent tool', () => {
	it('the model fills the parameters through $fromAI and gets the workflow result', async () => {
		const result = await runAgentWithCozeTool(
			emulator,
			{
				resource: 'workflow',
				operation: 'run',
				workflowId: { __rl: true, mode: 'id', value: scenarios.echo.workflowId },
				parametersInput: 'fields',
				parametersUi: {
					entries: [
						{ name: 'user_name', type: 'string', value: "={{ $fromAI('user_name', 'Name of the person to greet', 'string') }}" },
						{ name: 'count', type: 'number', value: "={{ $fromAI('count', 'How many greetings', 'number') }}" },
					],
				},
				options: {},
			},
			{ user_name: 'Ada', count: 2 },
		);
		expect(result.tool).toBe('Coze_Workflow_Tool');
		expect(result.schemaKeys).toEqual(['count', 'user_name']);
		const [answer] = JSON.parse(result.response as string) as Array<{ status: string; output: { output: string; echo: { parameters: unknown } } }>;
		expect(answer.status).toBe('completed');
		expect(answer.output.output).toBe('Hello, Ada!');
		expect(answer.output.echo.parameters).toEqual({ user_name: 'Ada', count: 2 });
		expect(emulator.requestsTo('/v1/workflow/stream_run').pop()?.body).toMatchObject({ parameters: { user_name: 'Ada', count: 2 } });
	});
});
