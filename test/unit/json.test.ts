import { JsonInteger, parseJsonExact, parseJsonNumbersExact, stringifyJson, tryParseJsonExact } from '../../nodes/CozeChat/core/json';

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

describe('parseJsonNumbersExact and stringifyJson (JSON text a person gave, sent on to Coze)', () => {
	it('round-trips integers beyond 2^53 as bare numbers with all their digits', () => {
		const text = '{"n":7382159487131697209,"a":[1,-9007199254740993,{"x":12345678901234567890}],"f":1.5,"s":"7382159487131697209"}';
		const parsed = parseJsonNumbersExact(text);
		expect(parsed).toEqual({
			n: new JsonInteger('7382159487131697209'),
			a: [1, new JsonInteger('-9007199254740993'), { x: new JsonInteger('12345678901234567890') }],
			f: 1.5,
			s: '7382159487131697209',
		});
		expect(stringifyJson(parsed)).toBe(text);
		// Anywhere else (an output, a log) it is the text of its digits.
		expect(JSON.stringify(parsed)).toBe(text.replace(/:(-?\d{16,})/g, ':"$1"').replace(/,(-?\d{16,})/g, ',"$1"'));
	});

	it('a string that looks like the internal marker stays a string, both ways', () => {
		const text = '{"a":"~coze-exact-integer:7382159487131697209","b":7382159487131697209,"c":"~coze-exact-integer-1:5"}';
		const parsed = parseJsonNumbersExact(text) as Record<string, unknown>;
		expect(parsed.a).toBe('~coze-exact-integer:7382159487131697209');
		expect(parsed.b).toEqual(new JsonInteger('7382159487131697209'));
		expect(stringifyJson(parsed)).toBe(text);
	});

	it('a typed-in integer with leading zeros is still a valid JSON number', () => {
		expect(stringifyJson({ id: new JsonInteger('0007382159487131697209'), n: new JsonInteger('-07382159487131697209') })).toBe(
			'{"id":7382159487131697209,"n":-7382159487131697209}',
		);
	});

	it('is JSON.parse / JSON.stringify when nothing is beyond 2^53', () => {
		const text = '{"a":9007199254740991,"b":[1.5e300,"x"],"c":null}';
		expect(parseJsonNumbersExact(text)).toEqual(JSON.parse(text));
		expect(stringifyJson({ a: 1, b: undefined, d: new Date(0) })).toBe(JSON.stringify({ a: 1, b: undefined, d: new Date(0) }));
		expect(() => parseJsonNumbersExact('{"a":')).toThrow(SyntaxError);
	});
});
