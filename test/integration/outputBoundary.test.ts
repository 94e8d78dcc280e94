/**
 * The output boundary (boundaries/output.ts): whatever a server echoes, the credential's token
 * leaves the node through no exit — not the live chunks a Chat Trigger forwards to a browser, not
 * an object key, not an error — while the node's own hints keep their words.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { StructuredChunk } from 'n8n-workflow';

import { CozeJwtApi } from '../../credentials/CozeJwtApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { answer, chatEchoingToken, on, streamFromToken, tokenOf } from '../emulator/hostile';
import { createTestApp } from '../emulator/oauth';
import { scenarios, standaloneContext } from '../emulator/scenarios';
import { EMULATOR_TOKEN } from '../emulator/server';
import type { WireEvent } from '../emulator/sse';
import { HarnessCredentialsHelper, runNode } from '../harness';
import { ensureContainer } from '../harness/container';
import { useEmulator } from './emulatorSetup';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { runWorkflowNode, workflowParams } from './workflowHelpers';

const emulator = useEmulator({ oauth: true });

describe('live chunks pass the same redactor as items', () => {
	it('Send Message: a token the server spells out across several deltas reaches the Chat Trigger redacted', async () => {
		emulator.publicRoutes.push(streamFromToken(on('POST', '/v3/chat'), chatEchoingToken));
		const chunks: StructuredChunk[] = [];
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId), { onChunk: (c) => void chunks.push(c as StructuredChunk) });
		const live = chunks.map((c) => c.content ?? '').join('');
		expect(live).not.toContain(EMULATOR_TOKEN);
		for (const chunk of chunks) expect(EMULATOR_TOKEN.includes(chunk.content ?? '') && (chunk.content ?? '').length > 8).toBe(false);
		expect(live).toBe('Your token is [redacted].');
		expect(item.json.answer).toBe('Your token is [redacted].');
		expect(chunks.map((c) => c.type).at(-1)).toBe('end');
	});

	it('Workflow Run (stream): a Message node and an End node that echo the token, as text and as a key', async () => {
		emulator.publicRoutes.push(
			streamFromToken(on('POST', '/v1/workflow/stream_run'), (token) => [
				{ id: '0', event: 'Message', data: { content: `token ${token.slice(0, 10)}`, node_title: 'Message', node_seq_id: '0', node_is_finish: false } },
				{ id: '1', event: 'Message', data: { content: `${token.slice(10)} done`, node_title: 'Message', node_seq_id: '1', node_is_finish: true } },
				{ id: '2', event: 'Message', data: { content: JSON.stringify({ [token]: token, ok: 1 }), node_title: 'End', node_seq_id: '0', node_is_finish: true, usage: { input_count: 1, output_count: 1, token_count: 2 } } },
				{ id: '3', event: 'Done', data: { debug_url: 'https://www.coze.cn/work_flow?execute_id=7500000000000000999&space_id=1' } },
			] as WireEvent[]),
		);
		const chunks: StructuredChunk[] = [];
		const [item] = await runWorkflowNode(emulator, workflowParams('run', '7500000000000000001', { runMode: 'stream' }), { onChunk: (c) => void chunks.push(c) });
		const everything = JSON.stringify({ json: item.json, chunks });
		expect(everything).not.toContain(EMULATOR_TOKEN);
		expect(chunks.map((c) => c.content ?? '').join('')).toContain('token [redacted] done');
		expect(item.json.output).toEqual({ '[redacted]': '[redacted]', ok: 1 });
	});
});

describe('keys are redacted like values', () => {
	it('tool-call argument names and meta_data keys of raw messages', async () => {
		emulator.publicRoutes.push(
			streamFromToken(on('POST', '/v3/chat'), (token) => {
				const { events } = scenarios.toolCall.build(standaloneContext(scenarios.toolCall.botId));
				return events.map((e) => {
					const data = e.data as Record<string, unknown>;
					if (e.event !== 'conversation.message.completed') return e;
					if (data.type === 'function_call') {
						const call = JSON.parse(String(data.content)) as Record<string, unknown>;
						const args = { [token]: 'x', city: '杭州' };
						return { ...e, data: { ...data, content: JSON.stringify({ ...call, arguments: JSON.stringify(args) }), meta_data: { [token]: 'v' } } };
					}
					return e;
				});
			}),
		);
		const [item] = await runCoze(emulator, sendMessage(scenarios.toolCall.botId, { options: { includeMessages: true } }));
		expect(JSON.stringify(item.json)).not.toContain(EMULATOR_TOKEN);
		const [call] = item.json.tool_calls as Array<{ args: Record<string, unknown> }>;
		expect(call.args).toEqual({ '[redacted]': 'x', city: '杭州' });
	});

	it('an error item built from a server that echoes the token as a key of its answer', async () => {
		emulator.publicRoutes.push(
			answer(on('POST', '/v3/chat'), (request) => ({
				status: 200,
				contentType: 'application/json',
				body: JSON.stringify({ code: 4000, msg: `bad ${tokenOf(request)}`, detail: { logid: 'L1', [tokenOf(request)]: 1 } }),
			})),
		);
		const [item] = await runCoze(emulator, sendMessage(scenarios.plain.botId), { continueOnFail: true });
		expect(JSON.stringify(item.json)).not.toContain(EMULATOR_TOKEN);
		expect(item.json).toMatchObject({ code: 4000, error: 'Coze error 4000: bad [redacted]' });
	});
});

describe("secrets are redacted, not the node's hints", () => {
	async function runJwt(privateKey?: string) {
		const app = createTestApp('pkcs8');
		useEmulator.oauth(emulator).registerApp(app);
		const credentials = { region: 'custom', baseUrl: emulator.url, appId: app.appId, fingerprint: app.keyId, privateKey: privateKey ?? app.privateKeyPem, lifetime: 86399 };
		return await rejectionOf(
			runNode({
				node: new CozeChat(),
				credentialType: new CozeJwtApi(),
				credentials: {},
				credentialsHelper: new HarnessCredentialsHelper(new CozeJwtApi(), credentials),
				parameters: { ...sendMessage(scenarios.plain.botId), authentication: 'jwt' },
			}),
		);
	}

	it('a damaged key (a BEGIN line, no END line): the message names the formats Coze downloads', async () => {
		const error = await runJwt('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC');
		const shown = `${error.message} ${String(error.description)}`;
		expect(shown).toContain('PKCS#1 (-----BEGIN RSA PRIVATE KEY-----) or PKCS#8 (-----BEGIN PRIVATE KEY-----), unencrypted.');
		expect(shown).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw');
	});

	it('a redirect at the token endpoint names the redirect and the Base URL', async () => {
		// In front of the emulator's own token endpoint.
		emulator.publicRoutes.unshift(
			answer(on('POST', '/api/permission/oauth2/token'), () => ({ status: 307, contentType: 'text/plain', body: '', headers: { Location: 'https://elsewhere.example/api/permission/oauth2/token' } })),
		);
		const error = await runJwt();
		const shown = `${error.message} ${String(error.description)}`;
		expect(shown).toContain('redirect (HTTP 307) to https://elsewhere.example');
		expect(shown).toContain('Base URL');
		expect(shown).not.toContain('check the App ID, Public Key Fingerprint, Private Key and Region');
	});
});

describe('log lines pass the same redactor', () => {
	it("a retry's debug line does not show a token the server echoed into its refusal", async () => {
		ensureContainer();
		const logger = Container.get(Logger);
		const debug = jest.spyOn(logger, 'debug').mockImplementation(() => undefined);
		try {
			// A GET is retried after a 502: Retrieve Chat with the ids of a chat that exists.
			const [sent] = await runCoze(emulator, sendMessage(scenarios.plain.botId));
			let refused = 0;
			emulator.publicRoutes.unshift((request) => {
				if (request.path !== '/v3/chat/retrieve' || refused++ > 0) return false;
				request.res.writeHead(502, { 'Content-Type': 'text/plain' });
				request.res.end(`bad gateway for ${tokenOf(request)}`);
				return true;
			});
			await runCoze(emulator, { resource: 'chat', operation: 'retrieve', conversationId: String(sent.json.conversation_id), chatId: String(sent.json.chat_id), options: {} });
			const lines = debug.mock.calls.map((call) => JSON.stringify(call));
			expect(lines.some((line) => line.includes('sending GET /v3/chat/retrieve again'))).toBe(true);
			for (const line of lines) expect(line).not.toContain(EMULATOR_TOKEN);
		} finally {
			debug.mockRestore();
		}
	});
});
