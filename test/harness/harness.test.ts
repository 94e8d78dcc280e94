/**
 * Proves the harness runs a node through n8n-core's real context and real sockets, using a tiny
 * in-test node + credential against a local http server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { runNode, testCredential } from './index';

// ---------------------------------------------------------------------------------------------
// Local server

interface Seen {
	url: string;
	authorization?: string;
}
const seen: Seen[] = [];
/** Called when /hang (or /slow) got its request, and when the server sees that request's socket close. */
let hangStarted: () => void = () => {};
let hangClosed: () => void = () => {};

function route(req: IncomingMessage, res: ServerResponse): void {
	const url = new URL(req.url ?? '/', 'http://x');
	seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
	const json = (status: number, body: unknown) => {
		res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
	};

	switch (url.pathname) {
		case '/echo':
			return json(200, { authorization: req.headers.authorization, query: Object.fromEntries(url.searchParams) });
		case '/stream': {
			const status = Number(url.searchParams.get('status') ?? 200);
			res.writeHead(status, { 'content-type': 'text/event-stream' });
			let n = 0;
			const timer = setInterval(() => {
				n += 1;
				res.write(`data: ${n}\n\n`);
				if (n === 3) {
					clearInterval(timer);
					res.end();
				}
			}, 5);
			return;
		}
		case '/hang': // sends headers and one event, then never ends
		case '/slow': // never even sends headers
			if (url.pathname === '/hang') res.writeHead(200, { 'content-type': 'text/event-stream' }).write('data: first\n\n');
			res.on('close', () => hangClosed());
			hangStarted();
			return;
		case '/status':
			return json(Number(url.searchParams.get('code')), { message: 'server says no' });
		case '/me': {
			const auth = req.headers.authorization;
			if (auth === 'Bearer good') return json(200, { code: 0, data: { id: 'u1' } });
			if (auth === 'Bearer revoked') return json(200, { code: 4100, msg: 'token revoked' });
			if (auth === 'Bearer forbidden') return json(403, { msg: 'forbidden' });
			return json(401, { msg: 'unauthorized' });
		}
		default:
			return json(404, { msg: 'not found' });
	}
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
	server = createServer(route);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
	seen.length = 0;
	onBodyChunk = () => {};
});

// ---------------------------------------------------------------------------------------------
// Tiny credential + node

class TestApi implements ICredentialType {
	name = 'testApi';
	displayName = 'Test API';
	properties: INodeProperties[] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Token', name: 'accessToken', type: 'string', typeOptions: { password: true }, default: '' },
	];
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};
	test: ICredentialTestRequest;

	// n8n types `rules` as either all responseCode or all responseSuccessBody rules.
	constructor(rules: ICredentialTestRequest['rules'] = [
		{ type: 'responseSuccessBody', properties: { key: 'code', value: 4100, message: 'Token revoked (4100)' } },
	]) {
		this.test = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/me', method: 'GET' }, rules };
	}
}

/** Called by the test node for every response body chunk it reads. */
let onBodyChunk: () => void = () => {};

async function readAll(body: Readable): Promise<string> {
	let text = '';
	for await (const chunk of body) {
		text += Buffer.from(chunk as Uint8Array).toString('utf8');
		onBodyChunk();
	}
	return text;
}

class TestNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Test',
		name: 'harnessTest',
		group: ['transform'],
		version: [1, 2],
		description: 'Exercises the harness',
		defaults: { name: 'Harness Test' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'testApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				options: [
					{ name: 'Echo', value: 'echo' },
					{ name: 'Stream', value: 'stream' },
					{ name: 'Hang', value: 'hang' },
					{ name: 'Slow', value: 'slow' },
					{ name: 'Status', value: 'status' },
					{ name: 'Operation Error', value: 'opError' },
				],
				default: 'echo',
			},
			{ displayName: 'Text', name: 'text', type: 'string', default: 'default text' },
			{
				displayName: 'Target',
				name: 'target',
				type: 'resourceLocator',
				default: { mode: 'id', value: '' },
				modes: [
					{ displayName: 'ID', name: 'id', type: 'string' },
					{
						displayName: 'URL',
						name: 'url',
						type: 'string',
						extractValue: { type: 'regex', regex: 'https://example\\.com/bots/(\\w+)' },
					},
				],
			},
			{ displayName: 'Status', name: 'status', type: 'number', default: 200 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const { baseUrl: base } = await this.getCredentials<{ baseUrl: string }>('testApi');
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				const status = this.getNodeParameter('status', i) as number;
				let json: IDataObject;
				if (operation === 'echo') {
					const text = this.getNodeParameter('text', i) as string;
					const target = this.getNodeParameter('target', i, '', { extractValue: true }) as string;
					json = (await this.helpers.httpRequestWithAuthentication.call(this, 'testApi', {
						method: 'GET',
						url: `${base}/echo`,
						qs: { text, target, version: this.getNode().typeVersion },
						json: true,
					})) as IDataObject;
				} else if (['stream', 'hang', 'slow'].includes(operation)) {
					const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'testApi', {
						method: 'GET',
						url: `${base}/${operation}`,
						qs: { status },
						encoding: 'stream',
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
					})) as IN8nHttpFullResponse;
					json = { statusCode: response.statusCode, body: await readAll(response.body as Readable) };
				} else if (operation === 'status') {
					json = (await this.helpers.httpRequestWithAuthentication.call(this, 'testApi', {
						method: 'GET',
						url: `${base}/status`,
						qs: { code: status },
						json: true,
					})) as IDataObject;
				} else {
					throw new NodeOperationError(this.getNode(), `Unsupported operation '${operation}'`, { itemIndex: i });
				}
				out.push(...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(json), { itemData: { item: i } }));
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [out];
	}
}

function run(parameters: INodeParameters, extra: { items?: INodeExecutionData[]; continueOnFail?: boolean; abortSignal?: AbortSignal; token?: string } = {}) {
	return runNode({
		node: new TestNode(),
		credentialType: new TestApi(),
		credentials: { baseUrl, accessToken: extra.token ?? 'good' },
		parameters,
		items: extra.items,
		continueOnFail: extra.continueOnFail,
		abortSignal: extra.abortSignal,
	});
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('expected a rejection');
}

// ---------------------------------------------------------------------------------------------

describe('runNode', () => {
	it('applies the generic Bearer authenticate, resolves expressions / resource locators and sends qs', async () => {
		const started = Date.now();
		const { items } = await run(
			{ operation: 'echo', text: '={{ $json.text.toUpperCase() }}', target: { __rl: true, mode: 'url', value: 'https://example.com/bots/b42' } },
			{ items: [{ json: { text: 'hello' } }, { json: { text: 'world' } }] },
		);
		// Visible with --verbose; the first call includes loading n8n-core and the Container setup.
		console.log(`first runNode call took ${Date.now() - started} ms`);

		expect(items.map((item) => item.json.query)).toEqual([
			{ text: 'HELLO', target: 'b42', version: '2' },
			{ text: 'WORLD', target: 'b42', version: '2' },
		]);
		expect(items[1].pairedItem).toEqual({ item: 1 });
		expect(seen.map((s) => s.authorization)).toEqual(['Bearer good', 'Bearer good']);
	});

	it('fills in parameter defaults and honours typeVersion', async () => {
		const { items } = await runNode({
			node: new TestNode(),
			credentialType: new TestApi(),
			credentials: { baseUrl, accessToken: 'good' },
			parameters: {},
			typeVersion: 1,
		});
		expect(items[0].json.query).toEqual({ text: 'default text', target: '', version: '1' });
	});

	it('yields an iterable body for encoding stream + returnFullResponse + ignoreHttpStatusErrors', async () => {
		const { items } = await run({ operation: 'stream', status: 200 });
		expect(items[0].json).toEqual({ statusCode: 200, body: 'data: 1\n\ndata: 2\n\ndata: 3\n\n' });

		const failed = await run({ operation: 'stream', status: 400 });
		expect(failed.items[0].json).toEqual({ statusCode: 400, body: 'data: 1\n\ndata: 2\n\ndata: 3\n\n' });
		expect(seen[0].authorization).toBe('Bearer good');
	});

	it('propagates NodeApiError from HTTP failures and NodeOperationError from the node unchanged', async () => {
		const apiError = await rejectionOf(run({ operation: 'status', status: 500 }));
		expect(apiError).toBeInstanceOf(NodeApiError);
		expect((apiError as NodeApiError).httpCode).toBe('500');

		const opError = await rejectionOf(run({ operation: 'opError' }));
		expect(opError).toBeInstanceOf(NodeOperationError);
		expect((opError as NodeOperationError).message).toBe("Unsupported operation 'opError'");
	});

	it('turns failures into items when continueOnFail is set', async () => {
		const { items } = await run(
			{ operation: '={{ $json.op }}', status: 404 },
			{ continueOnFail: true, items: [{ json: { op: 'status' } }, { json: { op: 'echo' } }] },
		);
		expect(items).toHaveLength(2);
		expect(items[0].json.error).toBe('The resource you are requesting could not be found');
		expect(items[1].json.query).toEqual(expect.objectContaining({ text: 'default text' }));
	});

	async function cancelMidRequest(operation: 'hang' | 'slow'): Promise<unknown> {
		const controller = new AbortController();
		// 'hang': abort once the node is reading the body; 'slow': once the server has the request.
		const started = new Promise<void>((resolve) => {
			if (operation === 'hang') onBodyChunk = resolve;
			else hangStarted = resolve;
		});
		const closed = new Promise<void>((resolve) => (hangClosed = resolve));
		const running = run({ operation }, { abortSignal: controller.signal });
		await started;
		controller.abort();
		const error = await rejectionOf(running);
		await closed; // the server saw the socket go away
		return error;
	}

	it('aborts a stream request whose body is being read when the execution is cancelled', async () => {
		// The response had already resolved, so the node's body iteration throws axios' CanceledError as is.
		expect(await cancelMidRequest('hang')).toMatchObject({ name: 'CanceledError', code: 'ERR_CANCELED' });
	});

	it('aborts a stream request still waiting for headers, as a NodeApiError', async () => {
		const error = await cancelMidRequest('slow');
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error).toMatchObject({ httpCode: 'ERR_CANCELED', cause: { name: 'CanceledError' } });
	});
});

describe('testCredential', () => {
	const credentials = (accessToken: string) => ({ baseUrl, accessToken });

	it('returns OK when the test request succeeds and no rule matches', async () => {
		await expect(testCredential(new TestApi(), credentials('good'))).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seen).toEqual([{ url: '/me', authorization: 'Bearer good' }]);
	});

	it('fails on a matching responseSuccessBody rule', async () => {
		await expect(testCredential(new TestApi(), credentials('revoked'))).resolves.toEqual({
			status: 'Error',
			message: 'Token revoked (4100)',
		});
	});

	it('uses a responseCode rule message, else the HTTP status text', async () => {
		const withCodeRule = new TestApi([{ type: 'responseCode', properties: { value: 403, message: 'Token lacks permissions' } }]);
		await expect(testCredential(withCodeRule, credentials('forbidden'))).resolves.toEqual({
			status: 'Error',
			message: 'Token lacks permissions',
		});
		await expect(testCredential(new TestApi(), credentials('forbidden'))).resolves.toEqual({
			status: 'Error',
			message: 'Forbidden',
		});
		await expect(testCredential(new TestApi(), credentials('wrong'))).resolves.toEqual({
			status: 'Error',
			message: 'Unauthorized',
		});
	});

	it('reports connection errors by code', async () => {
		await expect(testCredential(new TestApi(), { baseUrl: 'http://127.0.0.1:1', accessToken: 'good' })).resolves.toEqual({
			status: 'Error',
			message: 'ECONNREFUSED',
		});
	});
});
