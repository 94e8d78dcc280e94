/**
 * How a Coze client-side plugin call finds the n8n tool that answers it, what the tool is given and
 * what goes back to Coze. Pure: no n8n imports, so it is tested on its own.
 */

/** What a Coze tool name is compared by: case, spaces and punctuation do not matter. */
export function toolNameKey(name: string): string {
	return name
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}]+/gu, '_')
		.replace(/^_+|_+$/g, '');
}

/** How a Coze tool call resolved to the connected tools. */
export type ToolNameMatch =
	| { name: string }
	/** Several connected tools answer to the name: none is picked. */
	| { ambiguous: string[] }
	| undefined;

/**
 * The name of the connected tool that answers Coze's `requested` call, or undefined. Names are
 * compared up to case, spaces and punctuation (n8n makes a tool's name from its node name: "Get
 * Local Weather" → "Get_Local_Weather"), so two connected tools that compare equal to the name are
 * `ambiguous`, even when one of them is spelled exactly so: neither is picked. An explicit mapping
 * wins; then the name itself; then the name without the `ts-<plugin>-` prefix Coze's function_call
 * messages carry.
 */
export function resolveToolName(requested: string, available: string[], mapping: Record<string, string> = {}): ToolNameMatch {
	const find = (name: string): ToolNameMatch => {
		const key = toolNameKey(name);
		const candidates = key === '' ? [] : available.filter((tool) => toolNameKey(tool) === key);
		if (candidates.length === 0) return undefined;
		return candidates.length === 1 ? { name: candidates[0] } : { ambiguous: candidates };
	};
	for (const [cozeName, n8nName] of Object.entries(mapping)) {
		if (toolNameKey(cozeName) === toolNameKey(requested)) return find(n8nName);
	}
	const direct = find(requested);
	if (direct !== undefined) return direct;
	const unprefixed = /^ts-[^-]+-(.+)$/.exec(requested)?.[1];
	return unprefixed === undefined ? undefined : find(unprefixed);
}

/**
 * What a tool that takes one text input (n8n's Code Tool without an input schema, LangChain's
 * DynamicTool) is given for Coze's arguments: a lone text argument as it is, anything else as JSON.
 */
export function textInputOf(args: Record<string, unknown>): string {
	const values = Object.values(args);
	if (values.length === 1 && typeof values[0] === 'string') return values[0];
	return JSON.stringify(args);
}

/**
 * Coze takes a tool's output as a string: text stays text, anything else becomes JSON. Text that
 * is JSON (the Call n8n Workflow Tool answers with its items pretty-printed) goes compact: nothing
 * is escaped twice, but the bot — and the answer or item that quotes it — would otherwise get the
 * layout's line breaks, which n8n's JSON view shows as `\n`.
 */
export function toolOutputText(value: unknown): string {
	if (typeof value === 'string') return compactJson(value);
	if (value === undefined || value === null) return '';
	// A LangChain ToolMessage-like result carries its text in `content`.
	if (typeof value === 'object' && 'content' in value && typeof (value as { content: unknown }).content === 'string' && 'tool_call_id' in value) {
		return compactJson((value as { content: string }).content);
	}
	return JSON.stringify(value);
}

/**
 * JSON text (an object or array) without its layout, every value kept character for character (big
 * integers too: nothing is re-serialized); any other text as it is.
 */
function compactJson(text: string): string {
	const trimmed = text.trim();
	if (!/^[[{][\s\S]*[\]}]$/.test(trimmed) || !trimmed.includes('\n')) return text;
	try {
		JSON.parse(trimmed); // only JSON is touched
	} catch {
		return text;
	}
	let out = '';
	let inString = false;
	for (let i = 0; i < trimmed.length; i++) {
		const char = trimmed[i];
		if (inString) {
			out += char;
			if (char === '\\') out += trimmed[++i];
			else if (char === '"') inString = false;
		} else if (char === '"') {
			inString = true;
			out += char;
		} else if (!/\s/.test(char)) {
			out += char;
		}
	}
	return out;
}

/** The live-stream marker between answer parts, e.g. "_Calling get_weather…_". */
export function toolMarker(template: string, toolNames: string[]): string {
	return template.replace(/\{tool\}/g, toolNames.join(', '));
}

/**
 * The failure an n8n tool reported as its output, or undefined for an ordinary output. n8n's tool
 * sub-nodes catch their own errors and return them as text for an AI Agent to read, in these shapes
 * (read in n8n 1.123 and 2.41; 2.41's MCP Server Trigger flags tool errors by the same prefixes):
 * - Code Tool, Call n8n Workflow Tool, HTTP Request Tool: `There was an error: "<message>"`
 *   (the Workflow Tool's last retry also without the quotes);
 * - HTTP Request Tool, a failed request: `HTTP <status> There was an error: "<message>"`, then
 *   in 2.x possibly a line `Response body: …`; arguments it cannot use: `Input provided by model is not valid`;
 * - n8n-core, a node used as a tool that returns only binary data, or a run canceled before it started:
 *   `Error: The Tool attempted to return binary data, …`, `Error during node execution: …`.
 * Nodes used as tools (HTTP Request, Gmail, …) and other LangChain tools throw instead.
 */
export function reportedToolFailure(output: unknown): string | undefined {
	if (typeof output !== 'string') return undefined;
	const reported = REPORTED_ERROR.exec(output);
	if (reported) {
		const [, status, , message, body] = reported;
		return `${status ? `HTTP ${status}: ` : ''}${message}${body ?? ''}`;
	}
	if (EXACT_FAILURES.includes(output)) return output;
	const engine = /^Error during node execution: ([\s\S]+)$/.exec(output);
	return engine ? engine[1] : undefined;
}

/** `[HTTP <status> ]There was an error: "<message>"[\nResponse body: …]`, the quotes optional. */
const REPORTED_ERROR = /^(?:HTTP (\d{3}) )?There was an error: ("?)([\s\S]*?)\2(\nResponse body: [\s\S]*)?$/;

const EXACT_FAILURES = [
	'Input provided by model is not valid',
	'Error: The Tool attempted to return binary data, which is not supported in Agents',
];

/** What Coze is given for a failed tool when the bot handles it: n8n's own shape, as an AI Agent sees it. */
export function toolErrorOutput(output: unknown, message: string): string {
	return typeof output === 'string' && reportedToolFailure(output) !== undefined ? output : `There was an error: "${message}"`;
}
