/**
 * The delta fast path (core/deltaTemplate.ts) is exact: whatever it reads, a full JSON.parse reads
 * the same; whatever it cannot prove, it leaves to JSON.parse.
 */
import { DeltaTemplate } from '../../nodes/CozeChat/core/deltaTemplate';

const delta = (content: unknown, extra: Record<string, unknown> = {}) =>
	JSON.stringify({ id: '7499300000000000001', conversation_id: '7499200000000000001', role: 'assistant', type: 'answer', content, content_type: 'text', chat_id: '7499100000000000000', ...extra });

function learned(text = delta('first')): DeltaTemplate {
	const template = new DeltaTemplate();
	template.learn(text, JSON.parse(text) as Record<string, unknown>);
	return template;
}

describe('DeltaTemplate', () => {
	it.each(['plain', '', 'with "quotes" and \\ backslash', 'line\nbreak\ttab', '中文 ☀️ \u2028', '\u0000'])('reads %j exactly as JSON.parse does', (piece) => {
		const text = delta(piece);
		expect(learned().match(text)).toBe((JSON.parse(text) as { content: string }).content);
	});

	it('leaves to JSON.parse what is not the learned payload with one string in its place', () => {
		const template = learned();
		expect(template.match(delta('x', { chat_id: '7499100000000000001' }))).toBeUndefined(); // other bytes after
		expect(template.match(delta('x').replace('"id":"7499300000000000001"', '"id":"7499300000000000002"'))).toBeUndefined(); // before
		expect(template.match(delta(42))).toBeUndefined(); // not a string
		expect(template.match(delta('x').replace('"x"', '"a","content":"b"'))).toBeUndefined(); // two values, a duplicate key
		expect(template.match(delta('x').replace('"x"', '"a\\q"'))).toBeUndefined(); // an invalid escape
		expect(template.match(delta('x').replace('"x"', '"a\nb"'))).toBeUndefined(); // a raw line break JSON refuses
		expect(template.match('not json')).toBeUndefined();
	});

	it('learns nothing from a payload whose key occurs twice or nested', () => {
		expect(learned(delta('a', { meta_data: { content: 'b' } })).match(delta('z', { meta_data: { content: 'b' } }))).toBeUndefined();
		expect(learned('{"content":"a", "id":"1"}').match('{"content":"b", "id":"1"}')).toBe('b');
	});

	it("follows a reasoning model's thinking, whose deltas vary in reasoning_content", () => {
		const text = delta('', { reasoning_content: 'Let me think' });
		const template = learned(text);
		expect(template.field).toBe('reasoning_content');
		expect(template.match(delta('', { reasoning_content: 'about it' }))).toBe('about it');
	});
});
