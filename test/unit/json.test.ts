import { parseJsonExact, tryParseJsonExact } from '../../nodes/CozeChat/core/json';

describe('parseJsonExact', () => {
	it('keeps integers beyond 2^53 exact, as strings', () => {
		expect(parseJsonExact('{"plugin_id":7379227414322217010,"n":-9007199254740993}')).toEqual({
			plugin_id: '7379227414322217010',
			n: '-9007199254740993',
		});
	});

	it('leaves safe numbers, floats and strings alone', () => {
		const text = '{"a":9007199254740991,"b":1.5e300,"c":"7379227414322217010","d":[1,2.25,-3],"e":"x\\"12345678901234567890"}';
		expect(parseJsonExact(text)).toEqual(JSON.parse(text));
	});

	it('does not touch digits inside strings with escapes', () => {
		expect(parseJsonExact('["\\\\", 12345678901234567890, "\\"98765432109876543210\\""]')).toEqual([
			'\\',
			'12345678901234567890',
			'"98765432109876543210"',
		]);
	});

	it('returns undefined for invalid JSON in the try variant', () => {
		expect(tryParseJsonExact('[DONE]')).toBeUndefined();
		expect(tryParseJsonExact('"[DONE]"')).toBe('[DONE]');
	});
});
