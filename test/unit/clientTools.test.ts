import {
	reportedToolFailure,
	resolveToolName,
	textInputOf,
	toolErrorOutput,
	toolMarker,
	toolNameKey,
	toolOutputText,
} from '../../nodes/CozeChat/core/clientTools';

/** The connected tool's name that answers `requested`; undefined when none or several do. */
function matchToolName(requested: string, available: string[], mapping: Record<string, string> = {}): string | undefined {
	const match = resolveToolName(requested, available, mapping);
	return match && 'name' in match ? match.name : undefined;
}

describe('matching a Coze tool call to a connected n8n tool', () => {
	const tools = ['get_weather', 'Lookup_Order', 'Rain_Forecast'];

	it('matches the name ignoring case, spaces and punctuation', () => {
		expect(matchToolName('get_weather', tools)).toBe('get_weather');
		expect(matchToolName('lookup_order', tools)).toBe('Lookup_Order');
		expect(matchToolName('Lookup Order', tools)).toBe('Lookup_Order');
		expect(matchToolName('lookup-order', tools)).toBe('Lookup_Order');
	});

	it('takes the name out of a ts-<plugin>-<tool> function_call name', () => {
		expect(matchToolName('ts-weather_assistant-get_weather', tools)).toBe('get_weather');
	});

	it('an explicit mapping wins over a name that also matches', () => {
		expect(matchToolName('get_weather', tools, { get_weather: 'Rain Forecast' })).toBe('Rain_Forecast');
		expect(matchToolName('get_rain_probability', tools, { 'Get Rain Probability': 'Rain_Forecast' })).toBe('Rain_Forecast');
	});

	it('a mapping to a tool that is not connected finds nothing (never a different tool)', () => {
		expect(matchToolName('get_weather', tools, { get_weather: 'Missing Tool' })).toBeUndefined();
	});

	it('an unknown name finds nothing', () => {
		expect(matchToolName('open_garage_door', tools)).toBeUndefined();
		expect(matchToolName('', tools)).toBeUndefined();
	});

	it('two connected tools whose names differ only in case or punctuation are ambiguous, never the first', () => {
		const twins = ['Get_Weather', 'get weather', 'Lookup_Order'];
		expect(resolveToolName('get_weather', twins)).toEqual({ ambiguous: ['Get_Weather', 'get weather'] });
		// Even when one of them is spelled exactly like the call, or through a mapping.
		expect(resolveToolName('Get_Weather', twins)).toEqual({ ambiguous: ['Get_Weather', 'get weather'] });
		expect(resolveToolName('forecast', twins, { forecast: 'Get_Weather' })).toEqual({ ambiguous: ['Get_Weather', 'get weather'] });
		expect(resolveToolName('ts-plugin-get_weather', twins)).toEqual({ ambiguous: ['Get_Weather', 'get weather'] });
		expect(matchToolName('get_weather', twins)).toBeUndefined();
		expect(resolveToolName('lookup order', twins)).toEqual({ name: 'Lookup_Order' });
		// The same name twice (a toolkit's tool and a tool node) is ambiguous too.
		expect(resolveToolName('search', ['search', 'search'])).toEqual({ ambiguous: ['search', 'search'] });
	});

	it('keys keep non-Latin letters', () => {
		expect(toolNameKey(' 查询 天气 ')).toBe('查询_天气');
		expect(matchToolName('查询天气', ['查询天气'])).toBe('查询天气');
	});
});

describe('what a tool gets and gives', () => {
	it('a text tool gets a lone text argument as it is, anything else as JSON', () => {
		expect(textInputOf({ query: 'rain in Kyoto' })).toBe('rain in Kyoto');
		expect(textInputOf({ days: 3 })).toBe('{"days":3}');
		expect(textInputOf({ city: 'Kyoto', days: 3 })).toBe('{"city":"Kyoto","days":3}');
		expect(textInputOf({})).toBe('{}');
	});

	it('Coze gets text: strings as they are, objects as JSON, a tool message as its content', () => {
		expect(toolOutputText('sunny')).toBe('sunny');
		expect(toolOutputText({ temp: 17 })).toBe('{"temp":17}');
		expect(toolOutputText([1, 2])).toBe('[1,2]');
		expect(toolOutputText(undefined)).toBe('');
		expect(toolOutputText(12)).toBe('12');
		expect(toolOutputText({ content: 'from a ToolMessage', tool_call_id: 'x' })).toBe('from a ToolMessage');
	});

	it("JSON text (the Call n8n Workflow Tool's pretty-printed items) goes compact, its values untouched; other text as it is", () => {
		const items = [{ outfit: 'a light jacket', note: 'line one\nline two  "quoted"', id: '7400000000000000001' }];
		const pretty = JSON.stringify(items, null, 2);
		expect(toolOutputText(pretty)).toBe(JSON.stringify(items));
		expect(toolOutputText(pretty)).not.toContain('\n  ');
		// A big integer stays as written (nothing is parsed and re-serialized).
		expect(toolOutputText('[\n  {\n    "id": 7400000000000000001\n  }\n]')).toBe('[{"id":7400000000000000001}]');
		expect(toolOutputText({ content: pretty, tool_call_id: 'x' })).toBe(JSON.stringify(items));
		// Not JSON, or JSON on one line: as it is.
		expect(toolOutputText('{ not json\n }')).toBe('{ not json\n }');
		expect(toolOutputText('Line 1\nLine 2')).toBe('Line 1\nLine 2');
		expect(toolOutputText('{ "a": 1 }')).toBe('{ "a": 1 }');
	});

	it('recognises the failures n8n tool nodes return as text, in the shapes n8n writes them', () => {
		// Code Tool, Call n8n Workflow Tool, HTTP Request Tool (n8n 1.123 and 2.41).
		expect(reportedToolFailure('There was an error: "weather service is down"')).toBe('weather service is down');
		expect(reportedToolFailure('There was an error: "Unexpected token \'}\' [line 2]"')).toBe("Unexpected token '}' [line 2]");
		expect(reportedToolFailure('There was an error: "quoted "inner" text"')).toBe('quoted "inner" text');
		// The Workflow Tool after its last retry.
		expect(reportedToolFailure('There was an error: Unknown error')).toBe('Unknown error');
		// HTTP Request Tool: the status, and the body when the message lacks it.
		expect(reportedToolFailure('HTTP 404 There was an error: "The resource you are requesting could not be found"')).toBe(
			'HTTP 404: The resource you are requesting could not be found',
		);
		expect(reportedToolFailure('HTTP 500 There was an error: "Bad gateway"\nResponse body: {"error":"upstream"}')).toBe(
			'HTTP 500: Bad gateway\nResponse body: {"error":"upstream"}',
		);
		expect(reportedToolFailure('Input provided by model is not valid')).toBe('Input provided by model is not valid');
		// n8n-core, for a node used as a tool.
		expect(reportedToolFailure('Error: The Tool attempted to return binary data, which is not supported in Agents')).toBe(
			'Error: The Tool attempted to return binary data, which is not supported in Agents',
		);
		expect(reportedToolFailure('Error during node execution: Execution was cancelled')).toBe('Execution was cancelled');
	});

	it('an ordinary output that mentions an error is not a failure', () => {
		for (const output of [
			'sunny',
			'There was no error: all good',
			'Weather: fine. There was an error: "none" yesterday',
			' There was an error: "leading space"',
			'Error: not the binary message',
			'{"error":"a field of the tool\'s own result"}',
			'[{"response":"There was an error: \\"inner\\""}]',
		]) {
			expect(reportedToolFailure(output)).toBeUndefined();
		}
		expect(reportedToolFailure({ error: 'an object is an output' })).toBeUndefined();
		expect(reportedToolFailure(undefined)).toBeUndefined();
	});

	it('the bot gets the tool\'s own error text, or a thrown error in n8n\'s shape', () => {
		expect(toolErrorOutput('HTTP 404 There was an error: "gone"', 'HTTP 404: gone')).toBe('HTTP 404 There was an error: "gone"');
		expect(toolErrorOutput(undefined, 'weather service is down')).toBe('There was an error: "weather service is down"');
	});

	it('the live marker names the tools of the round', () => {
		expect(toolMarker('_Calling {tool}…_', ['a', 'b'])).toBe('_Calling a, b…_');
		expect(toolMarker('working', ['a'])).toBe('working');
	});
});
