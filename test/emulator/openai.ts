/**
 * A scripted OpenAI-compatible chat model (POST /v1/chat/completions, GET /v1/models for n8n's
 * credential test) so n8n's AI Agent can run offline: on a user turn it calls the first tool it was
 * given, filling its parameters from the user's question by their types (toolArguments); once the tool answered, it replies in a
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
	const args = toolArguments(question, tool.function.parameters?.properties ?? { input: {} });
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

/**
 * The arguments a model would send, by each parameter's JSON-schema type: `key=value` pairs in the
 * question (`city=Kyoto; days=2; interests=["temples"]`, values read as JSON when they are) fill their
 * key; other text parameters get the whole question, numbers the first number in it, booleans false.
 */
function toolArguments(question: string, properties: Record<string, unknown>): Record<string, unknown> {
	const pairs = new Map<string, string>();
	for (const match of question.matchAll(/(\w+)=([^;]+)/g)) pairs.set(match[1], match[2].trim());
	const args: Record<string, unknown> = {};
	for (const [key, spec] of Object.entries(properties)) {
		const type = (spec as { type?: unknown }).type;
		const given = pairs.get(key);
		if (given !== undefined) {
			try {
				args[key] = type === 'string' ? given : JSON.parse(given);
			} catch {
				args[key] = given;
			}
		} else if (type === 'number' || type === 'integer') {
			args[key] = Number(/\d+(\.\d+)?/.exec(question)?.[0] ?? 1);
		} else if (type === 'boolean') {
			args[key] = false;
		} else if (pairs.size === 0 || type === 'string') {
			args[key] = question;
		}
	}
	return args;
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
