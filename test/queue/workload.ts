/** Driving the queue cluster: webhook calls, the scenario-1 batch, and reading the emulator's log. */
import { EMULATOR_TOKEN, type CozeEmulator, type RecordedRequest } from '../emulator/server';
import type { QueueCluster } from './cluster';
import { sleep } from './services';
import type { BatchBody } from './workflows';

export interface WebhookResult {
	status: number;
	body: unknown;
	ms: number;
}

/** POSTs to a production webhook; retries while main has not registered it yet (404). */
export async function callWebhook(cluster: QueueCluster, path: string, body: BatchBody): Promise<WebhookResult> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const sent = Date.now();
		let response: Response;
		let text: string;
		try {
			response = await fetch(`${cluster.mainUrl}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			text = await response.text();
		} catch (error) {
			// main went away (teardown) or dropped the connection: an answer like any other
			return { status: 0, body: `no HTTP answer: ${(error as Error).message}`, ms: Date.now() - sent };
		}
		if (response.status === 404 && Date.now() < deadline) {
			await sleep(500);
			continue;
		}
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON
		}
		return { status: response.status, body: parsed, ms: Date.now() - sent };
	}
}

/** Scenario 1's input: `runs` executions of `itemsPerRun` distinct questions. */
export function batchBodies(tag: string, runs: number, itemsPerRun: number): BatchBody[] {
	return Array.from({ length: runs }, (_, run) => ({
		items: Array.from({ length: itemsPerRun }, (_, item) => ({ question: `${tag} run ${run} item ${item}` })),
	}));
}

/** The user message of one POST /v3/chat. */
export function postedMessage(request: RecordedRequest): string {
	const messages = (request.body as { additional_messages?: Array<{ content: string }> }).additional_messages ?? [];
	return messages[messages.length - 1]?.content ?? '';
}

/** The user message of every POST /v3/chat the emulator received, oldest first. */
export function postedMessages(emulator: CozeEmulator): string[] {
	return emulator.requestsTo('/v3/chat').map(postedMessage);
}

/** How often each message was POSTed to /v3/chat. */
export function postCounts(emulator: CozeEmulator): Map<string, number> {
	const counts = new Map<string, number>();
	for (const message of postedMessages(emulator)) counts.set(message, (counts.get(message) ?? 0) + 1);
	return counts;
}

/** A conversation in the emulator, as a user would have created it earlier. */
export async function createConversation(emulator: CozeEmulator, botId: string): Promise<string> {
	const response = await fetch(`${emulator.url}/v1/conversation/create`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${EMULATOR_TOKEN}` },
		body: JSON.stringify({ bot_id: botId }),
	});
	const envelope = (await response.json()) as { code: number; data: { id: string } };
	if (envelope.code !== 0) throw new Error(`conversation/create failed: ${JSON.stringify(envelope)}`);
	return envelope.data.id;
}

/** Waits until `check` returns a value (not undefined), polling. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 250): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(everyMs);
	}
}
