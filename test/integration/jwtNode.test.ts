/**
 * The Coze Chat node with Authentication = OAuth JWT (issue 12, phase 2), in n8n-core's real
 * execution engine: tokens are minted by the credential's preAuthentication, renewed before they
 * are due and after Coze refuses them, once for a whole batch, and never leak.
 */
import type { ICredentialDataDecryptedObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { CozeJwtApi } from '../../credentials/CozeJwtApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { createTestApp, mintedElsewhere, OAuthEmulator, type OAuthOptions, type TestApp } from '../emulator/oauth';
import { scenarios } from '../emulator/scenarios';
import { startEmulator, type CozeEmulator } from '../emulator/server';
import { HarnessCredentialsHelper, runNode } from '../harness';
import { rejectionOf, sendMessage } from './helpers';

let emulator: CozeEmulator;
let oauth: OAuthEmulator;

async function start(options: OAuthOptions = {}): Promise<void> {
	await emulator?.stop();
	emulator = await startEmulator();
	oauth = OAuthEmulator.install(emulator, options);
}
afterAll(async () => await emulator.stop());

/** A fresh app per test: the credential's in-process token cache is keyed by app and key. */
function newApp(): TestApp {
	const app = createTestApp('pkcs8');
	oauth.registerApp(app);
	return app;
}

function credentialsFor(app: TestApp, extra: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return { region: 'custom', baseUrl: emulator.url, appId: app.appId, fingerprint: app.keyId, privateKey: app.privateKeyPem, lifetime: 86399, ...extra };
}

async function ask(store: HarnessCredentialsHelper, options: { items?: INodeExecutionData[]; extra?: INodeParameters; continueOnFail?: boolean } = {}) {
	const { items } = await runNode({
		node: new CozeChat(),
		credentialType: new CozeJwtApi(),
		credentials: {},
		credentialsHelper: store,
		parameters: { ...sendMessage(scenarios.plain.botId, options.extra), authentication: 'jwt' },
		items: options.items,
		continueOnFail: options.continueOnFail,
	});
	return items;
}

const ANSWER = '2024 年 10 月 1 日是星期二。';
const chatPosts = () => emulator.requestsTo('/v3/chat');

describe('Send Message with the OAuth JWT credential', () => {
	beforeAll(async () => await start());

	it('mints a token, uses it, and keeps it for the next execution', async () => {
		const app = newApp();
		const store = new HarnessCredentialsHelper(new CozeJwtApi(), credentialsFor(app));
		const mintsBefore = oauth.mints;
		const [first] = await ask(store);
		expect(first.json.answer).toBe(ANSWER);
		expect(oauth.mints - mintsBefore).toBe(1);
		const token = String(store.persisted[0].accessToken);
		expect(token).toMatch(/^czs_/);
		expect(chatPosts().at(-1)?.headers.authorization).toBe(`Bearer ${token}`);
		const [second] = await ask(store);
		expect(second.json.answer).toBe(ANSWER);
		expect(oauth.mints - mintsBefore).toBe(1);
		expect(JSON.stringify([first.json, second.json])).not.toContain(token);
	});

	it('renews a token that is due before sending, so Coze never sees it expire', async () => {
		const app = newApp();
		// Another execution minted it; its refresh time has come (it still works on Coze).
		const due = await mintedElsewhere(credentialsFor(app), { refreshAt: Math.floor(Date.now() / 1000) - 1 });
		const store = new HarnessCredentialsHelper(new CozeJwtApi(), due as ICredentialDataDecryptedObject);
		const mintsBefore = oauth.mints;
		const [item] = await ask(store);
		expect(item.json.answer).toBe(ANSWER);
		expect(oauth.mints - mintsBefore).toBe(1);
		expect(chatPosts().at(-1)?.headers.authorization).toBe(`Bearer ${String(store.persisted[0].accessToken)}`);
		expect(store.persisted[0].accessToken).not.toBe(due.accessToken);
	});

	it('one mint for a batch of 20 items in parallel that all find the token due', async () => {
		const app = newApp();
		const store = new HarnessCredentialsHelper(new CozeJwtApi(), credentialsFor(app));
		const mintsBefore = oauth.mints;
		const items = Array.from({ length: 20 }, (_, i) => ({ json: { q: `Question ${i}` } }));
		const out = await ask(store, { items, extra: { message: '={{ $json.q }}', options: { concurrency: 20 } } });
		expect(out).toHaveLength(20);
		out.forEach((item) => expect(item.json.answer).toBe(ANSWER));
		expect(oauth.mints - mintsBefore).toBe(1);
		expect(store.persisted).toHaveLength(1);
	});
});

describe.each([['HTTP 401', 'http401'], ['HTTP 200 with code 4100', 'body4100']] as const)('a token Coze refuses (%s)', (_label, answer) => {
	beforeAll(async () => await start({ expiredTokenAnswer: answer }));

	it('is replaced and the request sent once more: one chat, one new mint', async () => {
		const app = newApp();
		const store = new HarnessCredentialsHelper(new CozeJwtApi(), credentialsFor(app));
		await ask(store);
		oauth.expire(); // Coze ends the token's life early
		const stored = new HarnessCredentialsHelper(new CozeJwtApi(), { ...credentialsFor(app), ...store.persisted[0] });
		const mintsBefore = oauth.mints;
		const chatsBefore = emulator.chatIds.length;
		const postsBefore = chatPosts().length;
		const [item] = await ask(stored);
		expect(item.json.answer).toBe(ANSWER);
		expect(oauth.mints - mintsBefore).toBe(1);
		expect(chatPosts().length - postsBefore).toBe(2); // refused, then sent again
		expect(emulator.chatIds.length - chatsBefore).toBe(1);
	});

	it('a batch whose token expired under it: every item answered, one mint', async () => {
		const app = newApp();
		const store = new HarnessCredentialsHelper(new CozeJwtApi(), credentialsFor(app));
		await ask(store);
		oauth.expire();
		const stored = new HarnessCredentialsHelper(new CozeJwtApi(), { ...credentialsFor(app), ...store.persisted[0] });
		const mintsBefore = oauth.mints;
		const items = Array.from({ length: 20 }, (_, i) => ({ json: { q: `Question ${i}` } }));
		const out = await ask(stored, { items, extra: { message: '={{ $json.q }}', options: { concurrency: 20 } } });
		out.forEach((item) => expect(item.json.answer).toBe(ANSWER));
		expect(oauth.mints - mintsBefore).toBe(1);
	});
});

describe('refusals of the old token that arrive while n8n 1.x persists the new one', () => {
	// Item 0's refusal comes first; the other 19 trickle in while the new token is being written.
	beforeAll(async () => await start({ expiredTokenDelayMs: (n) => (n === 0 ? 0 : 5 + n * 3) }));

	it('persist the new token, not an emptied one: the next execution does not mint', async () => {
		const app = newApp();
		const first = new HarnessCredentialsHelper(new CozeJwtApi(), credentialsFor(app));
		await ask(first);
		oauth.expire();
		const store = new HarnessCredentialsHelper(new CozeJwtApi(), { ...credentialsFor(app), ...first.persisted[0] }, { mode: '1.x', databaseMs: 40 });
		const mintsBefore = oauth.mints;
		const items = Array.from({ length: 20 }, (_, i) => ({ json: { q: `Question ${i}` } }));
		const out = await ask(store, { items, extra: { message: '={{ $json.q }}', options: { concurrency: 20 } } });
		out.forEach((item) => expect(item.json.answer).toBe(ANSWER));
		expect(oauth.mints - mintsBefore).toBe(1);
		expect(store.persisted).toHaveLength(1);
		const saved = store.persisted[0];
		expect(saved.accessToken).toMatch(/^czs_/);
		expect(Number(saved.refreshAt)).toBeGreaterThan(Date.now() / 1000);

		const next = new HarnessCredentialsHelper(new CozeJwtApi(), { ...saved });
		const [again] = await ask(next);
		expect(again.json.answer).toBe(ANSWER);
		expect(oauth.mints - mintsBefore).toBe(1);
		expect(chatPosts().at(-1)?.headers.authorization).toBe(`Bearer ${String(saved.accessToken)}`);
	});
});

describe('a credential that cannot mint', () => {
	beforeAll(async () => await start());

	it('an unknown fingerprint says to check the region and fingerprint, and shows no key or JWT', async () => {
		const app = newApp();
		const store = new HarnessCredentialsHelper(new CozeJwtApi(), credentialsFor(app, { fingerprint: 'not-registered-kid' }));
		const error = await rejectionOf(ask(store));
		expect(error.message).toMatch(/fingerprint|region/i);
		const shown = JSON.stringify({ message: error.message, description: error.description, context: error.context, stack: error.stack });
		expect(shown).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
		expect(shown).not.toContain(app.privateKeyPem.split('\n')[1]);
		expect(chatPosts().filter((r) => !r.headers.authorization?.startsWith('Bearer czs_'))).toEqual(chatPosts().filter(() => false));
	});
});

describe('items that share one slow token mint, each with its own Timeout', () => {
	// Coze's OAuth token endpoint takes 3 s to answer.
	beforeAll(async () => await start({ tokenDelayMs: 3000 }));

	it.each([
		['the item that waits for the mint', [10, 1]],
		['the item whose request mints', [1, 10]],
	] as const)('%s leaves at its own Timeout with its timeout error; the other gets its answer', async (_label, timeouts) => {
		const app = newApp();
		const store = new HarnessCredentialsHelper(new CozeJwtApi(), credentialsFor(app));
		const mintsBefore = oauth.mints;
		const started = Date.now();
		const out = await ask(store, {
			items: timeouts.map((t, i) => ({ json: { q: `Question ${i}`, t } })),
			extra: { message: '={{ $json.q }}', options: { concurrency: 2, timeout: '={{ $json.t }}' } },
			continueOnFail: true,
		});
		const short = timeouts.indexOf(1);
		const long = 1 - short;
		expect(out[long].json.answer).toBe(ANSWER);
		// Its own error (ItemBudget.timeoutError), naming what it was doing: minting, or waiting for the mint.
		const doing = short === 0 ? 'getting' : 'waiting for';
		expect(out[short].json.error).toBe(
			`Timed out after 1 s while ${doing} an access token from Coze's OAuth token endpoint at ${new URL(emulator.url).origin} (Options → Timeout)`,
		);
		expect(JSON.stringify(out[short].json)).not.toMatch(/ECONNABORTED|Could not reach/);
		expect(oauth.mints - mintsBefore).toBeGreaterThanOrEqual(1);
		expect(Date.now() - started).toBeLessThan(9000);
	});
});
