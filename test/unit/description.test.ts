/**
 * What the editor and n8n's AI Workflow Builder read from the node's description: the builder hints
 * (n8n 2.x `builderHint`, ignored by 1.x, which the end-to-end tests load the node in), the Tools
 * notice of Send Message, the Conversation Key placeholder, and the AI-tool variant's name.
 */
import { NodeConnectionTypes, NodeHelpers, type INodeProperties } from 'n8n-workflow';

import { CozeChat, TOOL_DISPLAY_NAME } from '../../nodes/CozeChat/CozeChat.node';
import { TOOLS_NOTICE } from '../../nodes/CozeChat/actions/chat/sendMessage.operation';

const description = new CozeChat().description;

/** Every property, options collections' children included. */
function allProperties(properties: INodeProperties[] = description.properties): INodeProperties[] {
	return properties.flatMap((property) => [
		property,
		...((property.options ?? []) as Array<INodeProperties | { values?: INodeProperties[] }>).flatMap((option) =>
			'type' in option && 'name' in option ? allProperties([option as INodeProperties]) : allProperties((option as { values?: INodeProperties[] }).values ?? []),
		),
	]);
}

const named = (name: string) => allProperties().filter((p) => p.name === name);

describe("the node's description", () => {
	it('tells the AI Workflow Builder when to pick the node, what goes with it and that Send Message takes tools', () => {
		const hint = description.builderHint;
		expect(hint?.searchHint).toMatch(/Coze .*bot/);
		expect(hint?.searchHint).toContain('Conversation Key');
		expect(hint?.relatedNodes?.map((n) => n.nodeType)).toEqual(
			expect.arrayContaining(['@n8n/n8n-nodes-langchain.chatTrigger', '@n8n/n8n-nodes-langchain.agent', '@n8n/n8n-nodes-langchain.toolCode']),
		);
		for (const related of hint?.relatedNodes ?? []) expect(related.relationHint.length).toBeGreaterThan(10);
		expect(hint?.inputs?.[NodeConnectionTypes.AiTool]).toEqual({ required: false, displayOptions: { show: { resource: ['chat'], operation: ['sendMessage'] } } });
		// The input the hint describes is the one the node offers there.
		expect(description.inputs).toEqual(expect.stringContaining(`resource === 'chat' && operation === 'sendMessage'`));
		expect(description.inputs).toEqual(expect.stringContaining(NodeConnectionTypes.AiTool));
	});

	it('has a property hint on every picker and on Conversation Key', () => {
		for (const name of ['botId', 'workflowId', 'knowledgeBaseId', 'voiceId', 'conversationKey']) {
			const properties = named(name);
			expect({ name, count: properties.length > 0 }).toEqual({ name, count: true });
			for (const property of properties) expect({ name, hint: property.builderHint?.propertyHint }).toEqual({ name, hint: expect.stringMatching(/\S{3}/) });
		}
		expect(named('conversationKey')[0].builderHint?.propertyHint).toContain('{{ $json.sessionId }}');
	});

	it("shows Conversation Key's example as an example, not as an expression", () => {
		expect(named('conversationKey').map((p) => p.placeholder)).toEqual(['e.g. {{ $json.sessionId }}']);
	});

	it('tells on Send Message (not on the AI-tool variant) how to add a tool when the panel search finds none', () => {
		const [notice] = named('toolsNotice');
		expect(notice).toMatchObject({ type: 'notice', displayName: TOOLS_NOTICE });
		expect(notice.displayOptions).toEqual({ show: { resource: ['chat'], operation: ['sendMessage'] }, hide: { '@tool': [true] } });
		// As n8n decides it: shown on Send Message, hidden on the AI-tool variant (its type ends in "Tool").
		const node = { typeVersion: 1.1 };
		const values = { resource: 'chat', operation: 'sendMessage' };
		expect(NodeHelpers.displayParameter(values, notice, node, description)).toBe(true);
		expect(NodeHelpers.displayParameter(values, notice, node, { ...description, name: 'cozeChatTool' })).toBe(false);
		expect(NodeHelpers.displayParameter({ resource: 'chat', operation: 'retrieve' }, notice, node, description)).toBe(false);
		expect(TOOLS_NOTICE).toContain('click + on the Tools connector');
		expect(TOOLS_NOTICE).toContain('pick it from the list');
	});

	it("names its AI-tool variant like the node on the canvas, with the names 1.x's tool search needs", () => {
		expect(description.usableAsTool).toEqual({ replacements: { displayName: TOOL_DISPLAY_NAME } });
		expect(`${TOOL_DISPLAY_NAME} Tool`).toBe('Coze Chat (扣子 · Kouzi Bot) Tool');
		expect(TOOL_DISPLAY_NAME.startsWith(description.defaults.name as string)).toBe(true);
		for (const name of ['Coze', '扣子', 'Kouzi', 'bot']) expect(TOOL_DISPLAY_NAME.toLowerCase()).toContain(name.toLowerCase());
	});
});
