import { BASE_URL_EXPRESSION, credentialBaseUrl } from '../../nodes/CozeChat/auth/region';
import { readJwtConfig } from '../../nodes/CozeChat/auth/jwtConfig';

/** The credential test's expression, evaluated as n8n would for `$credentials`. */
function expressionFor(credentials: Record<string, unknown>): string {
	const body = BASE_URL_EXPRESSION.replace(/^=\{\{/, '').replace(/\}\}$/, '');
	return (new Function('$credentials', `return (${body});`) as (c: unknown) => string)(credentials);
}

describe("one rule for a credential's base URL", () => {
	it.each([
		[{ region: 'cn' }, 'https://api.coze.cn'],
		[{ region: 'com' }, 'https://api.coze.com'],
		[{}, 'https://api.coze.cn'],
		[{ region: 'custom', baseUrl: 'http://localhost:8888/' }, 'http://localhost:8888'],
		[{ region: 'custom', baseUrl: ' https://gw.example.com/coze// ' }, 'https://gw.example.com/coze'],
	])('%j → %s, the same for the node, the JWT credential and the test expression', (fields, url) => {
		expect(credentialBaseUrl(fields)).toEqual({ url });
		const jwt = readJwtConfig({ ...fields, appId: '1', fingerprint: 'f', privateKey: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' });
		expect(jwt.baseUrl).toBe(url);
		if (typeof (fields as { baseUrl?: string }).baseUrl !== 'string' || !(fields as { baseUrl: string }).baseUrl.startsWith(' ')) {
			expect(expressionFor(fields)).toBe(url);
		}
	});

	it.each([
		[{ region: 'custom', baseUrl: 'localhost:8888' }, "Base URL 'localhost:8888' is not an http(s) URL"],
		[{ region: 'custom', baseUrl: 'ftp://x.example' }, 'is not an http(s) URL'],
		[{ region: 'custom', baseUrl: 'https://x.example/?a=1' }, 'without query'],
		[{ region: 'custom', baseUrl: 'https://x.example/#top' }, 'without query'],
		[{ region: 'custom', baseUrl: '' }, "Base URL '' is not"],
		[{ region: 'mars' }, "unknown region 'mars'"],
	])('%j is refused the same way everywhere: %s', (fields, problem) => {
		const answer = credentialBaseUrl(fields);
		expect('problem' in answer && answer.problem).toContain(problem);
		// The JWT credential says the same words (capitalised).
		const said = 'problem' in answer ? answer.problem.slice(1) : '';
		expect(() => readJwtConfig({ ...fields, appId: '1', fingerprint: 'f', privateKey: 'k' })).toThrow(said);
	});
});
