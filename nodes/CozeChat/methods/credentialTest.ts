/**
 * The Coze API credential's test, run by n8n when the user clicks "Test" (or saves). A test of the
 * node rather than the credential's declarative `test`, because n8n runs declarative tests with no
 * bound on their total time (it replaces their timeout with 300 s, which axios applies as an idle
 * timeout): a server that drips one byte a second kept the editor waiting for ever. Here the whole
 * test ends within LIMITS.credentialTestMs, and the verdict reads like the node's own errors: Coze's code and
 * message, a hint that fits the region, the log id — never the token.
 */
import { sleep, type ICredentialsDecrypted, type ICredentialTestFunctions, type INodeCredentialTestResult } from 'n8n-workflow';

import { credentialBaseUrl } from '../auth/region';
import { LIMITS } from '../boundaries/budget';
import { hintFor } from '../boundaries/hints';
import { redactShapes } from '../boundaries/redact';
import { unwrapServerError } from '../core/errors';
import { tryParseJsonExact } from '../core/json';

/** Of the answer only this much is read (a few hundred bytes are expected). */
const MAX_ANSWER_BYTES = 64 * 1024;

type Body = AsyncIterable<Uint8Array> & { destroy?: () => void };

export async function cozeApiConnection(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const token = typeof data.accessToken === 'string' ? data.accessToken.trim() : '';
	const region = typeof data.region === 'string' ? data.region : 'cn';
	const custom = region === 'custom';
	const fail = (message: string): INodeCredentialTestResult => ({ status: 'Error', message: redactShapes(message, token ? [token] : []) });
	const resolved = credentialBaseUrl(data);
	if ('problem' in resolved) return fail(resolved.problem.replace(/^./, (c: string) => c.toUpperCase()));
	const baseUrl = resolved.url;
	if (token === '') return fail('Access Token is empty: paste a personal access token (pat_…) or a service token');
	// Self-hosted Coze Studio has no /v1/users/me (a valid token would get its cookie-login 401);
	// listing the conversations of a bot that does not exist needs only a valid token there.
	const path = custom ? '/v1/conversations?bot_id=0&page_num=1&page_size=1' : '/v1/users/me';
	const testMs = LIMITS.credentialTestMs;
	const deadline = Date.now() + testMs;
	// Credential tests get only n8n's legacy `request` helper (ICredentialTestFunctions); it goes
	// through n8n's HTTP stack (proxy, SSRF rules) like every other request.
	const { helpers } = this;
	const sent = helpers
		.request({
			uri: `${baseUrl}${path}`,
			method: 'GET',
			headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
			// The request carries the token: a redirect is reported, never followed.
			followRedirect: false,
			followAllRedirects: false,
			useStream: true,
			resolveWithFullResponse: true,
			simple: false,
			// A backstop only: the deadline below ends the test first and says so in its own words.
			timeout: testMs + 1000,
		})
		.then(
			(response: { statusCode: number; headers?: Record<string, unknown>; body: Body }) => ({ response }),
			(error: unknown) => ({ error }),
		);
	const outcome = await untilDeadline(sent, deadline);
	const silent = `Coze at ${baseUrl} did not answer within ${testMs / 1000} s. Check the Base URL and that the server is reachable from n8n.`;
	if (outcome === undefined) return fail(silent);
	// On a busy machine the backstop can fire before the deadline's timer gets its turn: same verdict.
	if ('error' in outcome) return fail(isRequestTimeout(outcome.error) ? silent : unreachable(baseUrl, outcome.error, custom));
	const { response } = outcome;
	const status = response.statusCode;
	const headers = response.headers ?? {};
	const logid = header(headers, 'x-tt-logid') ?? header(headers, 'x-log-id');
	if (status >= 300 && status < 400) {
		response.body.destroy?.();
		const location = header(headers, 'location');
		return fail(
			`Coze answered with a redirect (HTTP ${status}${location ? ` to ${describe(location, baseUrl)}` : ''}). The test does not follow redirects, because they would carry your token to another address: check the region and the Base URL (for example http:// vs https://, or a missing path).`,
		);
	}
	const text = await readWithin(response.body, deadline);
	if (text === undefined) return fail(`Coze at ${baseUrl} did not finish its answer within ${testMs / 1000} s (it kept sending a few bytes at a time). Check the Base URL.`);
	const envelope = tryParseJsonExact(text) as Record<string, unknown> | undefined;
	const rawCode = envelope?.code ?? envelope?.error_code;
	const said = (code: unknown, msg: string) => {
		const { code: inner, msg: message } = unwrapServerError(code, msg);
		const hint = typeof inner === 'number' ? hintFor(inner, { customBaseUrl: custom }) : undefined;
		return `${inner !== undefined ? `Coze error ${String(inner)}` : `HTTP ${status}`}: ${(message || 'no message').replace(/[.。]\s*$/, '')}.${hint ? ` ${hint}` : ''}${logid ? ` (logid ${logid})` : ''}`;
	};
	if (status === 401) {
		const code = envelope ? (rawCode ?? 4100) : 4100;
		return fail(`The access token was rejected: ${envelope ? said(code, String(envelope.msg ?? '')) : said(code, 'HTTP 401')}`);
	}
	if (!envelope || typeof envelope !== 'object') {
		return fail(`Coze at ${baseUrl} answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200) || '(empty)'}. Check the Base URL: it must point at the Coze API, without a path.`);
	}
	const failed = status >= 400 || (rawCode !== undefined && rawCode !== 0 && rawCode !== '0');
	if (failed) return fail(said(rawCode, String(envelope.msg ?? envelope.error_message ?? '')));
	if (envelope.data === undefined || envelope.data === null) {
		return fail(`Coze at ${baseUrl} answered without data, which a Coze API does not do. Check the Base URL.`);
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** `promise`, or undefined once `deadline` passed (n8n's timer; the promise is left to settle). */
async function untilDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
	let settled = false;
	const timer = (async () => {
		while (!settled && Date.now() < deadline) await sleep(Math.min(250, Math.max(1, deadline - Date.now())));
		return undefined;
	})();
	const result = await Promise.race([promise, timer]);
	settled = true;
	return result;
}

/** The body as text, or undefined when it does not end before `deadline` (the connection is closed). */
async function readWithin(body: Body, deadline: number): Promise<string | undefined> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	const iterator = body[Symbol.asyncIterator]();
	for (;;) {
		const next = await untilDeadline(iterator.next(), deadline);
		if (next === undefined) {
			body.destroy?.();
			return undefined;
		}
		if (next.done) break;
		size += next.value.length;
		if (size > MAX_ANSWER_BYTES) {
			body.destroy?.();
			break;
		}
		chunks.push(next.value);
	}
	return Buffer.concat(chunks).toString('utf8');
}

function isRequestTimeout(error: unknown): boolean {
	return (error as { code?: unknown } | undefined)?.code === 'ECONNABORTED';
}

function unreachable(baseUrl: string, error: unknown, custom: boolean): string {
	const record = error as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
	const code = typeof record?.code === 'string' ? record.code : typeof record?.cause?.code === 'string' ? record.cause.code : undefined;
	const why: Record<string, string> = {
		ECONNREFUSED: 'nothing accepts connections there (connection refused)',
		ENOTFOUND: 'the host name does not resolve',
		EAI_AGAIN: 'the host name could not be resolved right now',
		ECONNRESET: 'the connection was reset',
		ETIMEDOUT: 'the connection timed out',
		CERT_HAS_EXPIRED: 'its TLS certificate has expired',
		DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
		ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host',
	};
	const reason = (code && why[code]) ?? (typeof record?.message === 'string' ? record.message : 'no answer');
	const advice = custom
		? 'Check the Base URL (host, port, http:// or https://) and that the Coze server is running and reachable from n8n.'
		: 'Check that n8n can reach the internet (proxy settings) and the region.';
	return `Could not reach Coze at ${baseUrl}: ${reason}${code ? ` (${code})` : ''}. ${advice}`;
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

function describe(location: string, base: string): string {
	try {
		return new URL(location, base).origin;
	} catch {
		return `'${location}'`;
	}
}
