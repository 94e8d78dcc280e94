/**
 * The n8n tools connected to the node's Tools input: the one place that reads that input. Tools are
 * LangChain objects built by n8n (Code Tool, Call n8n Workflow Tool, HTTP Request Tool, MCP Client
 * toolkits, …); they are used through their own `invoke` method, so nothing here imports LangChain.
 */
import { NodeConnectionTypes, type IExecuteFunctions } from 'n8n-workflow';

import { textInputOf } from '../core/clientTools';

/** A connected tool as the tool loop uses it. */
export interface ClientTool {
	/** The tool's name (n8n makes it from the tool node's name). */
	name: string;
	/** The n8n node that supplied it. */
	nodeName: string;
	invoke(args: Record<string, unknown>): Promise<unknown>;
}

interface ToolLike {
	name: string;
	description?: string;
	schema?: unknown;
	metadata?: { sourceNodeName?: unknown };
	invoke(input: unknown): Promise<unknown>;
}

function isToolLike(value: unknown): value is ToolLike {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as ToolLike).name === 'string' &&
		typeof (value as ToolLike).invoke === 'function'
	);
}

/** n8n's StructuredToolkit (MCP Client Tool and others) holds several tools under `tools`. */
function toolsOf(connection: unknown): unknown[] {
	if (isToolLike(connection)) return [connection];
	if (typeof connection !== 'object' || connection === null) return [];
	const toolkit = connection as { tools?: unknown; getTools?: () => unknown };
	if (Array.isArray(toolkit.tools)) return toolkit.tools;
	if (typeof toolkit.getTools === 'function') {
		const tools = toolkit.getTools();
		return Array.isArray(tools) ? tools : [];
	}
	return [];
}

/**
 * A tool that takes one text input rather than an object: LangChain's `Tool`/`DynamicTool` parses
 * `{ input?: string }` (a zod object with the lone key `input`, wrapped in a transform).
 */
function takesText(tool: ToolLike): boolean {
	const ctor = tool.constructor as { lc_name?: () => string } | undefined;
	if (typeof ctor?.lc_name === 'function' && ctor.lc_name() === 'DynamicTool') return true;
	const def = (tool.schema as { _def?: { typeName?: string; schema?: { shape?: unknown } } } | undefined)?._def;
	if (def?.typeName !== 'ZodEffects') return false;
	const shape = def.schema?.shape;
	const keys = typeof shape === 'function' ? Object.keys((shape as () => object)()) : Object.keys(shape ?? {});
	return keys.length === 1 && keys[0] === 'input';
}

/** True when this node offers the Tools input here (Chat → Send Message, not the AI-tool variant). */
export function hasToolsInput(context: IExecuteFunctions): boolean {
	if (typeof context.getNodeInputs !== 'function') return false;
	return context.getNodeInputs().some((input) => input.type === NodeConnectionTypes.AiTool);
}

/**
 * The tools connected to the Tools input, read for this item (a tool's own parameters may use the
 * item's data). Empty when nothing is connected or the input does not exist here.
 */
export async function connectedTools(context: IExecuteFunctions, itemIndex: number): Promise<ClientTool[]> {
	if (!hasToolsInput(context)) return [];
	const connections = await context.getInputConnectionData(NodeConnectionTypes.AiTool, itemIndex);
	const list = Array.isArray(connections) ? connections : connections === undefined ? [] : [connections];
	// n8n 2.x names each tool's node in its metadata; 1.x does not, but lists the connections in
	// the order of the enabled parent nodes.
	const parents = context
		.getParentNodes(context.getNode().name, { connectionType: NodeConnectionTypes.AiTool, depth: 1 })
		.filter((node) => !node.disabled)
		.map((node) => node.name);
	return list.flatMap((connection, index) =>
		toolsOf(connection).filter(isToolLike).map((tool) => {
			const text = takesText(tool);
			const source = tool.metadata?.sourceNodeName;
			const nodeName = typeof source === 'string' && source !== '' ? source : (parents.length === list.length ? parents[index] : undefined);
			return {
				name: tool.name,
				nodeName: nodeName ?? tool.name,
				invoke: async (args: Record<string, unknown>) => await tool.invoke(text ? textInputOf(args) : args),
			};
		}),
	);
}
