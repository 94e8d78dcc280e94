import { matchToolName, textInputOf, toolMarker, toolNameKey, toolOutputText } from '../../nodes/CozeChat/core/clientTools';

describe('matching a Coze tool call to a connected n8n tool', () => {
	const tools = ['get_weather', 'Lookup_Order', 'Rain_Forecast'];

	it('matches the exact name first, then ignoring case and punctuation', () => {
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

	it('the live marker names the tools of the round', () => {
		expect(toolMarker('_Calling {tool}…_', ['a', 'b'])).toBe('_Calling a, b…_');
		expect(toolMarker('working', ['a'])).toBe('working');
	});
});
