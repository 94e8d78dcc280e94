/**
 * A scripted OpenAI-compatible chat model (POST /v1/chat/completions) so n8n's AI Agent can run
 * offline: on a user turn it calls the first tool it was given, filling every parameter with the
 * user's question; once the tool answered, it replies with the tool's result. Enough to prove that
 * the agent can call the Coze Chat tool and read its answer.
 */
interface ChatMessage {
	role: string;
	content?: string | Array<{ type: string; text?: string }> | null;
	tool_call_id?: string;
}

interface ToolSpec {
	type: string;
	function: { name: string; parameters?: { properties?: Record<string, unknown> } };
}

export interface CompletionRequest {
	model?: string;
	messages: ChatMessage[];
	tools?: ToolSpec[];
	stream?: boolean;
}

function text(content: ChatMessage['content']): string {
	if (typeof content === 'string') return content;
	return (content ?? []).map((part) => part.text ?? '').join('');
}

export function completion(request: CompletionRequest): Record<string, unknown> {
	const last = request.messages[request.messages.length - 1];
	const base = { id: 'chatcmpl-emulator', object: 'chat.completion', created: 1763852400, model: request.model ?? 'emulator' };
	const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
	const tool = request.tools?.find((t) => t.type === 'function');
	if (last?.role === 'tool' || !tool) {
		return {
			...base,
			choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `The Coze bot says: ${text(last?.content)}` } }],
			usage,
		};
	}
	const question = text([...request.messages].reverse().find((m) => m.role === 'user')?.content);
	const args = Object.fromEntries(Object.keys(tool.function.parameters?.properties ?? { input: {} }).map((key) => [key, question]));
	return {
		...base,
		choices: [
			{
				index: 0,
				finish_reason: 'tool_calls',
				message: {
					role: 'assistant',
					content: null,
					tool_calls: [{ id: 'call_emulator_1', type: 'function', function: { name: tool.function.name, arguments: JSON.stringify(args) } }],
				},
			},
		],
		usage,
	};
}
