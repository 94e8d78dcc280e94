/**
 * A scripted OpenAI-compatible chat model (POST /v1/chat/completions, GET /v1/models for n8n's
 * credential test) so n8n's AI Agent can run offline: on a user turn it calls the first tool it was
 * given, filling every parameter with the user's question; once the tool answered, it replies in a
 * sentence that quotes what the tool found (its `answer`, `output` or text). Enough to prove that
 * the agent can call the Coze Chat tool and read its answer; it says it is scripted.
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
		const found = last?.role === 'tool' ? toolFinding(text(last.content)) : undefined;
		const content = found ? `I asked the Coze bot. It says: ${found}` : 'I am the scripted model of the local Coze emulator; ask me something and I will ask the Coze bot.';
		return { ...base, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }], usage };
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

/** What a tool result says, in words: its answer (Send Message), output (a workflow) or its text. */
function toolFinding(result: string): string {
	let value: unknown;
	try {
		value = JSON.parse(result);
	} catch {
		return result;
	}
	const first = Array.isArray(value) ? value[0] : value;
	if (typeof first === 'object' && first !== null) {
		const record = first as Record<string, unknown>;
		for (const key of ['answer', 'output', 'response', 'text']) {
			const found = record[key];
			if (typeof found === 'string' && found !== '') return found;
			if (found !== undefined && found !== null && typeof found === 'object') return JSON.stringify(found);
		}
	}
	return typeof first === 'string' ? first : result;
}

/** GET /v1/models, which n8n's OpenAI credential test calls. */
export function models(): Record<string, unknown> {
	return { object: 'list', data: [{ id: 'emulator', object: 'model', created: 1763852400, owned_by: 'n8n-nodes-coze emulator' }] };
}
