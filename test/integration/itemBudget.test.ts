/**
 * The time owner (boundaries/budget.ts): one budget per item, one rule for every request, poll,
 * upload, retry pause and token mint. Each waiter leaves at its own deadline with its own error;
 * invalid numbers are parameter errors, never "no limit"; a slow upload is activity, not silence.
 * The node runs in n8n-core's engine over real sockets.
 */
import type { ICredentialDataDecryptedObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { CozeJwtApi } from '../../credentials/CozeJwtApi.credentials';
import { LIMITS } from '../../nodes/CozeChat/boundaries/budget';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { on, serverSide } from '../emulator/hostile';
import { createTestApp, type TestApp } from '../emulator/oauth';
import { scenarios } from '../emulator/scenarios';
import type { EmulatorRoute } from '../emulator/server';
import { HarnessCredentialsHelper, runNode } from '../harness';
import { useEmulator } from './emulatorSetup';
import { rejectionOf, runCoze, sendMessage } from './helpers';

const emulator = useEmulator({ oauth: true });
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

function jwtRun(app: TestApp, parameters: INodeParameters, options: { items?: number; continueOnFail?: boolean } = {}) {
	const credentials: ICredentialDataDecryptedObject = { region: 'custom', baseUrl: emulator.url, appId: app.appId, fingerprint: app.keyId, privateKey: app.privateKeyPem, lifetime: 86399 };
	return runNode({
		node: new CozeChat(),
		credentialType: new CozeJwtApi(),
		credentials: {},
		credentialsHelper: new HarnessCredentialsHelper(new CozeJwtApi(), credentials),
		parameters: { ...parameters, authentication: 'jwt' },
		items: options.items ? Array.from({ length: options.items }, (_, i) => ({ json: { i } })) : undefined,
		continueOnFail: options.continueOnFail,
	});
}

function newApp(): TestApp {
	const app = createTestApp('pkcs8');
	useEmulator.oauth(emulator).registerApp(app);
	return app;
}

/** Holds matching requests for `ms`, then lets the emulator answer them as usual. */
function delayed(match: (request: Parameters<EmulatorRoute>[0]) => boolean, ms: (n: number) => number): EmulatorRoute {
	let n = 0;
	return async (request) => {
		if (match(request)) await sleep(ms(n++));
		return false;
	};
}

const tokenPath = on('POST', '/api/permission/oauth2/token');

describe('a JWT mint shared by two executions: each waiter leaves at its own deadline', () => {
	it('the one with Timeout 1 s fails at 1 s with its own timeout; the other gets its answer', async () => {
		const app = newApp();
		emulator.publicRoutes.unshift(delayed(tokenPath, () => 3000));
		const patient = jwtRun(app, sendMessage(scenarios.plain.botId, { options: { timeout: 30 } }));
		await sleep(200); // the patient execution mints; the hasty one joins its mint
		const started = Date.now();
		const hasty = await rejectionOf(jwtRun(app, sendMessage(scenarios.plain.botId, { options: { timeout: 1 } })));
		expect(Date.now() - started).toBeLessThan(2500);
		expect(hasty.message).toContain('Timed out after 1 s');
		const [item] = (await patient).items;
		expect(item.json.status).toBe('completed');
		expect(emulator.requestsTo('/api/permission/oauth2/token')).toHaveLength(1);
	});

	it("the minting execution's Timeout does not fail the one that waits for the same mint", async () => {
		const app = newApp();
		emulator.publicRoutes.unshift(delayed(tokenPath, () => 2500));
		const hasty = rejectionOf(jwtRun(app, sendMessage(scenarios.plain.botId, { options: { timeout: 1 } })));
		await sleep(200);
		const [item] = (await jwtRun(app, sendMessage(scenarios.plain.botId, { options: { timeout: 30 } }))).items;
		expect(item.json.status).toBe('completed');
		expect((await hasty).message).toContain('Timed out after 1 s');
	});
});

describe('Items in Parallel with the JWT credential', () => {
	it("items wait for the token, never for the minting item's own request", async () => {
		const app = newApp();
		// The first chat request (the item that mints) gets its answer only after 5 s.
		emulator.publicRoutes.unshift(delayed(on('POST', '/v3/chat'), (n) => (n === 0 ? 5000 : 0)));
		const { items } = await jwtRun(app, sendMessage(scenarios.plain.botId, { options: { timeout: 3, concurrency: 3 } }), { items: 3, continueOnFail: true });
		const completed = items.filter((item: INodeExecutionData) => item.json.status === 'completed');
		expect(completed).toHaveLength(2);
		expect(items.filter((item) => String(item.json.error).includes('Timed out after 3 s'))).toHaveLength(1);
		expect(emulator.requestsTo('/api/permission/oauth2/token')).toHaveLength(1);
	});
});

describe('numbers are read, never guessed', () => {
	it.each([-1, '30s', 'all'])('Timeout %p is a parameter error naming the field; nothing is sent', async (timeout) => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { timeout } })));
		expect(error.message).toMatch(/^Options → Timeout \(Seconds\): /);
		expect(error.message).toContain('0 means no limit');
		expect(emulator.requestsTo('/v3/chat')).toHaveLength(0);
	});

	it.each(['fast', 0, -2])('Poll Interval %p is a parameter error naming the field', async (pollInterval) => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { stream: false, pollInterval } })));
		expect(error.message).toMatch(/^Options → Poll Interval \(Seconds\): /);
		expect(emulator.requestsTo('/v3/chat')).toHaveLength(0);
	});

	it('a poll never outlives the item: Timeout 1 s against a chat that never finishes', async () => {
		emulator.pollsUntilDone = 1_000_000;
		try {
			const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { stream: false, pollInterval: 0.1, timeout: 1 } })));
			// No wall-clock bound here (shared machines are noisy): the polls Coze saw bound the time.
			expect(error.message).toContain('did not finish within 1 s');
			expect(error.message).not.toContain('canceling it failed');
			expect(emulator.requestsTo('/v3/chat/retrieve').length).toBeLessThanOrEqual(12);
			expect(emulator.requestsTo('/v3/chat/cancel')).toHaveLength(1);
		} finally {
			emulator.pollsUntilDone = 0;
		}
	});

	it('the cancel of a timed-out chat has its own allowance, however little of the Timeout the last poll left', async () => {
		// The last poll stops ~0.1 s before the deadline; Coze takes 0.6 s to answer the cancel. With
		// only the item's remaining time the cancel itself timed out and the chat kept running.
		emulator.pollsUntilDone = 1_000_000;
		emulator.publicRoutes.push(async (request) => {
			if (request.path === '/v3/chat/cancel') await new Promise((resolve) => setTimeout(resolve, 600));
			return false;
		});
		try {
			const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { stream: false, pollInterval: 0.4, timeout: 1 } })));
			expect(error.message).toContain('did not finish within 1 s');
			// Coze answered the cancel (the emulator refuses it as 4104 here: its chat is past its time).
			expect(error.message).not.toContain('canceling it failed');
			expect(emulator.requestsTo('/v3/chat/cancel')).toHaveLength(1);
		} finally {
			emulator.pollsUntilDone = 0;
		}
	});
});

describe('rate limits', () => {
	it('Retry-After: -1 is not a date in 2001: the default backoff applies, and the last error names the rate limit', async () => {
		const seen = serverSide();
		emulator.publicRoutes.push((request) => {
			if (!on('POST', '/v3/chat')(request)) return false;
			seen.hits++;
			request.res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '-1' });
			request.res.end(JSON.stringify({ code: 4013, msg: 'Too Many Requests' }));
			return true;
		});
		const error = await rejectionOf(runCoze(emulator, sendMessage(scenarios.plain.botId, { options: { timeout: 3 } })));
		expect(seen.hits).toBeGreaterThanOrEqual(2);
		expect(seen.hits).toBeLessThanOrEqual(4); // 1 s, then 2 s of backoff within 3 s
		expect(error.message).toContain('rate-limited this item');
	});
});

describe('an upload that takes long to send', () => {
	const idleMs = LIMITS.idleMs;
	// 3 s: the silent tail below (socket buffers drained at 4 MB/s) stays well under it on a busy machine.
	beforeAll(() => (LIMITS.idleMs = 3000));
	afterAll(() => (LIMITS.idleMs = idleMs));

	it('is activity while its bytes are accepted: a 16 MB file the server reads in bursts uploads, though no answer byte comes for seconds', async () => {
		// 1 MB every 0.25 s: between bursts the connection accepts nothing (under the 3 s idle limit);
		// the whole upload takes about 4 s, all of it before the first byte of the answer. (The last
		// few MB wait in the kernel's socket buffers, where the client cannot see them go: at 4 MB/s
		// they are read within the idle limit.)
		emulator.uploadReading = { pauseMs: 250, burstBytes: 1024 * 1024 };
		const file = Buffer.alloc(16 * 1024 * 1024, 7);
		const item = { json: {}, binary: { data: { data: file.toString('base64'), mimeType: 'application/octet-stream', fileName: 'big.bin', fileExtension: 'bin' } } };
		const started = Date.now();
		const [uploaded] = await runCoze(emulator, { resource: 'file', operation: 'upload', binaryPropertyName: 'data' }, { items: [item] });
		expect(Date.now() - started).toBeGreaterThan(3000); // longer than the idle limit
		expect(uploaded.json).toMatchObject({ bytes: file.length, file_name: 'big.bin' });
	});

	it("a server that reads steadily but slowly (1 MB/s, the kernel's buffers holding seconds of it) is not cut when the last bytes have left the node and wait in those buffers", async () => {
		// 256 KB every 0.25 s. Loopback socket buffers take several MB the client can no longer see
		// go: at this rate the server needs longer than the idle limit to read them after the body's
		// last byte was accepted, and no answer byte comes before it has read everything.
		emulator.uploadReading = { pauseMs: 250, burstBytes: 256 * 1024 };
		const file = Buffer.alloc(12 * 1024 * 1024, 7);
		const item = { json: {}, binary: { data: { data: file.toString('base64'), mimeType: 'application/octet-stream', fileName: 'slow.bin', fileExtension: 'bin' } } };
		const [uploaded] = await runCoze(emulator, { resource: 'file', operation: 'upload', binaryPropertyName: 'data' }, { items: [item] });
		expect(uploaded.json).toMatchObject({ bytes: file.length, file_name: 'slow.bin' });
	}, 60_000);

	it('a server that stops reading altogether is still cut off by the idle limit', async () => {
		emulator.uploadReading = { pauseMs: 100, stop: true };
		const file = Buffer.alloc(6 * 1024 * 1024, 7);
		const item = { json: {}, binary: { data: { data: file.toString('base64'), mimeType: 'application/octet-stream', fileName: 'big.bin', fileExtension: 'bin' } } };
		const error = await rejectionOf(runCoze(emulator, { resource: 'file', operation: 'upload', binaryPropertyName: 'data' }, { items: [item] }));
		expect(error.message).toContain('Coze sent nothing for 3 s');
	});
});
