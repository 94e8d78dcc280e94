/**
 * n8n's own egress filter behind Download Files (n8n 2.x, `getSecureEgressFilter('enforced')`): once a
 * link passed the node's own checks, its host name goes through n8n's SSRF protection service, even
 * with N8N_SSRF_PROTECTION_ENABLED off (the default): a host n8n blocks (here by name,
 * N8N_SSRF_BLOCKED_HOSTNAMES, set on n8n's config before the service is built) is refused before any
 * connection, and a name that does not resolve fails as a network error. The links reach the answer
 * through a tool output the bot quotes (Submit Tool Outputs), so any URL can be tried.
 */
import { SsrfProtectionConfig } from '@n8n/config';
import type { INodeParameters } from 'n8n-workflow';
import { Container } from '@n8n/di';

import { scenarios } from '../emulator/scenarios';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

beforeAll(() => {
	const config = Container.get(SsrfProtectionConfig);
	expect(config.enabled).toBe(false); // the instance's protection is off, as by default
	config.blockedHostnames = ['files.blocked.example'];
});

async function answerWithLink(link: string, options: INodeParameters, continueOnFail = false) {
	const [asked] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId));
	const callId = (asked.json.required_action as { tool_calls: Array<{ id: string }> }).tool_calls[0].id;
	return await runCoze(
		emulator,
		{
			resource: 'chat',
			operation: 'submitToolOutputs',
			conversationId: asked.json.conversation_id as string,
			chatId: asked.json.chat_id as string,
			toolOutputs: { entries: [{ toolCallId: callId, output: `![map](${link})` }] },
			options,
		},
		{ continueOnFail },
	);
}

describe("Download Files → n8n's egress filter", () => {
	it('a host n8n blocks is refused, though the instance left its SSRF protection off', async () => {
		const error = await rejectionOf(answerWithLink('https://files.blocked.example/x.png?x-signature=abc', { downloadFiles: 'images', allowedFileHosts: '*' }));
		expect(error.message).toBe(
			"Refused to download 'map' (https://files.blocked.example/x.png): n8n's SSRF protection blocks files.blocked.example (a private, loopback, link-local or metadata address, or a blocked name): The request was blocked because the destination hostname is restricted",
		);
	});

	it('a name that does not resolve fails as a network error; Continue On Fail keeps the answer', async () => {
		const [item] = await answerWithLink('https://files.nowhere.invalid/x.png', { downloadFiles: 'images', allowedFileHosts: '*' }, true);
		expect(item.json.status).toBe('completed');
		expect(item.json.files_failed).toEqual([
			expect.objectContaining({ url: 'https://files.nowhere.invalid/x.png', error: expect.stringMatching(/^Could not download 'map' \(https:\/\/files\.nowhere\.invalid\/x\.png\): files\.nowhere\.invalid could not be resolved/) }),
		]);
	});
});
