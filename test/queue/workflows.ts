/**
 * Workflows for the queue-mode tests: a published Webhook (production URL, so main enqueues each
 * call as a job for the workers) → Split Out (one item per entry of the body's `items`) → Coze Chat
 * Send Message. The webhook answers when the execution is over (Respond: When Last Node Finishes).
 */
import { KNOWLEDGE_BASES } from '../emulator/knowledge';
import { scenarios } from '../emulator/scenarios';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE } from '../e2e/workflows';

export const SEND_NODE = 'Send Message';

export interface QueueWorkflow {
	id: string;
	path: string;
	json: Record<string, unknown>;
}

/** What the webhook takes: one Send Message item per entry, in this order. */
export interface BatchBody {
	items: Array<{ question: string; conversationId?: string; session?: string }>;
}

/** Which credential Send Message uses: the access-token one unless told otherwise. */
interface Auth {
	authentication?: string;
	credentialType: string;
	id: string;
	name: string;
}

const ACCESS_TOKEN: Auth = { credentialType: 'cozeApi', id: CREDENTIAL_ID, name: CREDENTIAL_NAME };

function workflow(seed: number, id: string, name: string, path: string, sendOptions: Record<string, unknown>, botId: string, auth = ACCESS_TOKEN): QueueWorkflow {
	const uuid = (n: number) => `00000000-0000-4000-8000-${String(seed * 10 + n).padStart(12, '0')}`;
	const nodes = [
		{
			id: uuid(1),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: uuid(9),
			parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		},
		{
			id: uuid(2),
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [220, 0],
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
		{
			id: uuid(3),
			name: SEND_NODE,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [440, 0],
			credentials: { [auth.credentialType]: { id: auth.id, name: auth.name } },
			parameters: {
				...(auth.authentication ? { authentication: auth.authentication } : {}),
				resource: 'chat',
				operation: 'sendMessage',
				botId: { __rl: true, mode: 'id', value: botId },
				userId: 'queue-user',
				message: '={{ $json.question }}',
				conversationId: '={{ $json.conversationId ?? "" }}',
				options: sendOptions,
			},
		},
	];
	const link = (to: string) => ({ node: to, type: 'main', index: 0 });
	return {
		id,
		path,
		json: {
			id,
			name,
			// Imported inactive, then published (QueueCluster.publish) before main starts.
			active: false,
			settings: { executionOrder: 'v1' },
			nodes,
			connections: { Webhook: { main: [[link('Split Out')]] }, 'Split Out': { main: [[link(SEND_NODE)]] } },
		},
	};
}

/** Scenario 1: items one after another (the default), a bot that thinks 250 ms per answer. */
export const batchWorkflow = workflow(101, 'cozeQueueBatch01', 'Coze queue: batch', 'coze-queue-batch', {}, scenarios.latency.botId);

/** Scenario 2: Items in Parallel (4 at once), same bot; items may share a Conversation ID. */
export const parallelWorkflow = workflow(102, 'cozeQueueParallel1', 'Coze queue: items in parallel', 'coze-queue-parallel', { concurrency: 4 }, scenarios.latency.botId);

/** Scenario 3: a bot that streams for 3 s (10 pieces, 300 ms apart), so a worker can die mid-stream. */
export const slowWorkflow = workflow(103, 'cozeQueueSlow0001', 'Coze queue: slow stream', 'coze-queue-slow', {}, scenarios.slow.botId);

/**
 * Scenario 4a: chatbot memory. Conversation Key = the item's `session`: the node keeps [bot id +
 * session → conversation id] in the workflow's static data. The bot answers "Turn k. You said: …".
 */
export const memoryWorkflow = workflow(105, 'cozeQueueMemory001', 'Coze queue: chatbot memory', 'coze-queue-memory', { conversationKey: '={{ $json.session }}' }, scenarios.memory.botId);

/**
 * Scenario 5: a file posted to the webhook (multipart field `data`) → Knowledge → Upload Document on
 * a worker. In queue mode n8n 2.x keeps binaries in Postgres (binary data mode `database`): the
 * worker reads the bytes main stored.
 */
export const KNOWLEDGE_UPLOAD_NODE = 'Upload Document';
export const knowledgeWorkflow: QueueWorkflow = (() => {
	const id = 'cozeQueueKnowledge';
	const uuid = (n: number) => `00000000-0000-4000-8000-${String(1060 + n).padStart(12, '0')}`;
	return {
		id,
		path: 'coze-queue-knowledge',
		json: {
			id,
			name: 'Coze queue: knowledge upload',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: uuid(1),
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2.1,
					position: [0, 0],
					webhookId: uuid(9),
					parameters: { httpMethod: 'POST', path: 'coze-queue-knowledge', responseMode: 'lastNode', responseData: 'allEntries', options: {} },
				},
				{
					id: uuid(2),
					name: KNOWLEDGE_UPLOAD_NODE,
					type: NODE_TYPE,
					typeVersion: 1.1,
					position: [220, 0],
					credentials: { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
					parameters: {
						resource: 'knowledge',
						operation: 'uploadDocument',
						knowledgeBaseId: { __rl: true, mode: 'id', value: KNOWLEDGE_BASES.handbook.id },
						source: 'binary',
						binaryPropertyName: 'data',
						options: { pollInterval: 0.1 },
					},
				},
			],
			connections: { Webhook: { main: [[{ node: KNOWLEDGE_UPLOAD_NODE, type: 'main', index: 0 }]] } },
		},
	};
})();

/** Files out: Send Message with Download Files on the workers, its picture answered to the webhook caller. */
export const picturesWorkflow: QueueWorkflow = (() => {
	const id = 'cozeQueuePictures';
	const uuid = (n: number) => `00000000-0000-4000-8000-${String(1070 + n).padStart(12, '0')}`;
	return {
		id,
		path: 'coze-queue-pictures',
		json: {
			id,
			name: 'Coze queue: a bot that sends pictures',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: uuid(1),
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: uuid(9),
					parameters: { httpMethod: 'POST', path: 'coze-queue-pictures', responseMode: 'responseNode', options: {} },
				},
				{
					id: uuid(2),
					name: SEND_NODE,
					type: NODE_TYPE,
					typeVersion: 1.1,
					position: [220, 0],
					credentials: { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
					parameters: {
						resource: 'chat',
						operation: 'sendMessage',
						botId: { __rl: true, mode: 'id', value: scenarios.pictureBot.botId },
						userId: 'queue-pictures',
						message: '={{ $json.body.message }}',
						options: { downloadFiles: 'all' },
					},
				},
				{
					id: uuid(3),
					name: 'Send the Picture',
					type: 'n8n-nodes-base.respondToWebhook',
					typeVersion: 1.1,
					position: [440, 0],
					parameters: { respondWith: 'binary', responseDataSource: 'set', inputFieldName: 'data', options: {} },
				},
			],
			connections: {
				Webhook: { main: [[{ node: SEND_NODE, type: 'main', index: 0 }]] },
				[SEND_NODE]: { main: [[{ node: 'Send the Picture', type: 'main', index: 0 }]] },
			},
		},
	};
})();

export const QUEUE_WORKFLOWS = [batchWorkflow, parallelWorkflow, slowWorkflow, memoryWorkflow, knowledgeWorkflow, picturesWorkflow];

export const JWT_CREDENTIAL_ID = 'cozeQueueJwtCred1';
export const JWT_CREDENTIAL_NAME = 'Coze OAuth JWT (emulator)';

/** Scenario 4b: Send Message with Authentication = OAuth JWT (the cozeJwtApi credential). */
export const jwtWorkflow = workflow(104, 'cozeQueueJwt00001', 'Coze queue: OAuth JWT', 'coze-queue-jwt', {}, scenarios.plain.botId, {
	authentication: 'jwt',
	credentialType: 'cozeJwtApi',
	id: JWT_CREDENTIAL_ID,
	name: JWT_CREDENTIAL_NAME,
});
