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

/**
 * The name of the connected tool that answers Coze's `requested` call, or undefined.
 * An explicit mapping wins; then the exact name; then the same name up to case and punctuation
 * (n8n makes a tool's name from its node name: "Get Local Weather" → "Get_Local_Weather"); then
 * the name without the `ts-<plugin>-` prefix Coze's function_call messages carry.
 */
export function matchToolName(requested: string, available: string[], mapping: Record<string, string> = {}): string | undefined {
	const byKey = new Map<string, string>();
	for (const name of available) if (!byKey.has(toolNameKey(name))) byKey.set(toolNameKey(name), name);
	const find = (name: string) => (available.includes(name) ? name : byKey.get(toolNameKey(name)));
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

/** Coze takes a tool's output as a string: text stays text, anything else becomes JSON. */
export function toolOutputText(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value === undefined || value === null) return '';
	// A LangChain ToolMessage-like result carries its text in `content`.
	if (typeof value === 'object' && 'content' in value && typeof (value as { content: unknown }).content === 'string' && 'tool_call_id' in value) {
		return (value as { content: string }).content;
	}
	return JSON.stringify(value);
}

/** The live-stream marker between answer parts, e.g. "_Calling get_weather…_". */
export function toolMarker(template: string, toolNames: string[]): string {
	return template.replace(/\{tool\}/g, toolNames.join(', '));
}
