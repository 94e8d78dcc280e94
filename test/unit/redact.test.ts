/**
 * The one redactor (boundaries/redact.ts): values and keys, text that leaves in pieces, and the
 * node's own hints, which name key formats without being keys.
 */
import { generateKeyPairSync } from 'node:crypto';

import { EXPECTED_FORMATS } from '../../nodes/CozeChat/auth/jwtKey';
import { redactDeep, redactExact, redactShapes, secretsOf, StreamRedactor } from '../../nodes/CozeChat/boundaries/redact';

const TOKEN = 'pat_9f3KxQ7mV2bL8nR4tY6wZ1aC5dE0gH';

describe('keys are redacted like values', () => {
	it('tool-call argument names, meta_data keys and workflow output keys', () => {
		const item = {
			tool_calls: [{ name: 'lookup', arguments: { [TOKEN]: 'x', city: TOKEN }, args: { [TOKEN]: 'x' } }],
			meta_data: { [`key-${TOKEN}`]: 'v' },
			output: { nested: { [TOKEN]: { deeper: [TOKEN] } } },
		};
		const cleaned = redactDeep(item, (text) => redactExact(text, [TOKEN]));
		expect(JSON.stringify(cleaned)).not.toContain(TOKEN);
		expect(cleaned).toEqual({
			tool_calls: [{ name: 'lookup', arguments: { '[redacted]': 'x', city: '[redacted]' }, args: { '[redacted]': 'x' } }],
			meta_data: { 'key-[redacted]': 'v' },
			output: { nested: { '[redacted]': { deeper: ['[redacted]'] } } },
		});
	});

	it('two keys that redact alike keep both values', () => {
		const cleaned = redactDeep({ [`a${TOKEN}`]: 1, [`a${TOKEN.slice(0, -1)}Q`]: 2 }, (text) => redactExact(text, [TOKEN, `${TOKEN.slice(0, -1)}Q`])) as Record<string, number>;
		expect(Object.values(cleaned).sort()).toEqual([1, 2]);
		expect(Object.keys(cleaned)).toEqual(['a[redacted]', 'a[redacted] (2)']);
	});
});

describe('text that leaves in pieces (live chunks)', () => {
	it('a secret split across chunks never leaks either half', () => {
		const redactor = new StreamRedactor(() => [TOKEN]);
		const text = `Your token is ${TOKEN}, keep it safe.`;
		for (let size = 1; size <= 12; size++) {
			let sent = '';
			for (let i = 0; i < text.length; i += size) sent += redactor.push(text.slice(i, i + size));
			sent += redactor.flush();
			expect(sent).toBe('Your token is [redacted], keep it safe.');
		}
	});

	it('holds back only what could still become a secret, and nothing when there is no secret', () => {
		const redactor = new StreamRedactor(() => [TOKEN]);
		expect(redactor.push('Hello pa')).toBe('Hello ');
		expect(redactor.push('rk!')).toBe('park!');
		expect(new StreamRedactor(() => []).push('pat_')).toBe('pat_');
	});

	it('a token minted meanwhile counts from then on', () => {
		const secrets: string[] = [];
		const redactor = new StreamRedactor(() => secrets);
		expect(redactor.push('before ')).toBe('before ');
		secrets.push(TOKEN);
		expect(redactor.push(`now ${TOKEN}`) + redactor.flush()).toBe('now [redacted]');
	});
});

describe('secrets, not the node\'s hints', () => {
	it('the format hint of a damaged key keeps its words', () => {
		const message = `Private Key is damaged: its body is not base64 ${EXPECTED_FORMATS}`;
		expect(redactShapes(message)).toBe(message);
		expect(redactShapes(message)).toContain('PKCS#8 (-----BEGIN PRIVATE KEY-----), unencrypted.');
	});

	it('a real key is removed, with or without its END line, escaped or not', () => {
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
		const body = privateKey.split('\n')[1];
		for (const shown of [privateKey, privateKey.replace(/-----END[\s\S]*$/, ''), JSON.stringify(privateKey)]) {
			const cleaned = redactShapes(`key: ${shown} (end)`);
			expect(cleaned).not.toContain(body);
			expect(cleaned).toContain('[redacted]');
		}
	});

	it('token shapes in errors, exact secrets everywhere', () => {
		expect(redactShapes('bad jwt eyJhbGci.eyJpc3Mi.c2ln for czs_x and Bearer abcdefgh12345')).toBe('bad jwt [redacted] for [redacted] and [redacted]');
		expect(secretsOf({ accessToken: ` ${TOKEN} `, other: 'x' }, ['accessToken'])).toEqual([TOKEN]);
	});
});
