/**
 * Runs a node's `execute()` inside n8n-core's real execution engine, with HTTP over real sockets.
 *
 * `runNode` builds a one-node Workflow and hands it to `WorkflowExecute.runNode` — the per-node step
 * of n8n's engine, which constructs the real `ExecuteContext` and calls `execute()` exactly like a
 * workflow run does (close functions, executeOnce, class-style nodes...). So `getNodeParameter`
 * (expressions, `extractValue`), `continueOnFail`, `getExecutionCancelSignal`, the binary helpers
 * and `helpers.httpRequestWithAuthentication` (→ credentialsHelper.authenticate → OutboundHttp →
 * axios) are n8n-core's own code. What is NOT run is the surrounding workflow loop: errors are
 * thrown to the caller rather than turned into error items, and no pairedItem is added.
 *
 * `testCredential` mirrors the CLI's CredentialsTester for credentials with a `test` request:
 * n8n-core's RoutingNode sends the request from a temp noOp node, then the rules are applied.
 */
import { CredentialTestContext, ExecuteContext, ExecutionLifecycleHooks, ExternalSecretsProxy, LoadOptionsContext, RoutingNode, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialType,
	IConnections,
	IDataObject,
	IExecuteData,
	ITaskMetadata,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	ResourceMapperFields,
	INodeParameters,
	INodeType,
	INodeTypes,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	NodeExecutionHint,
	StructuredChunk,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	createEmptyRunExecutionData,
	createRunExecutionData,
	NodeHelpers,
	UnexpectedError,
	Workflow,
} from 'n8n-workflow';

import { ensureContainer } from './container';
import { HarnessCredentialsHelper } from './credentials-helper';

export { HarnessCredentialsHelper } from './credentials-helper';

// The CLI's tester matches rules with lodash's `get`; lodash has no types installed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const get = require('lodash/get') as (object: unknown, path: string) => unknown;

export interface RunNodeOptions {
	node: INodeType;
	credentialType: ICredentialType;
	credentials: ICredentialDataDecryptedObject;
	parameters: INodeParameters;
	/** Input items, default `[{ json: {} }]`. */
	items?: INodeExecutionData[];
	/** Sets `node.onError = 'continueRegularOutput'`, which makes `continueOnFail()` true. */
	continueOnFail?: boolean;
	/** Returned by `getExecutionCancelSignal()`; n8n-core attaches it to every `httpRequestWithAuthentication`. */
	abortSignal?: AbortSignal;
	/** Default: highest of `node.description.version`. */
	typeVersion?: number;
	/** Default 'manual'. */
	mode?: string;
	/**
	 * Makes the execution a streaming one (like a Chat Trigger or a Webhook that responds with
	 * Streaming): `isStreaming()` is true and every `sendChunk` reaches this handler.
	 */
	onChunk?: (chunk: StructuredChunk) => void;
	/**
	 * The credential store to use instead of a fresh one built from `credentials`: pass the same
	 * helper to several runs to see what one run persisted (a refreshed token) in the next.
	 */
	credentialsHelper?: HarnessCredentialsHelper;
	/** The workflow's static data as n8n loads it from its database (a plain JSON object). */
	staticData?: IDataObject;
	/**
	 * Tool sub-nodes connected to the node's `ai_tool` input, in this order: each is a real node
	 * whose `supplyData` hands n8n-core the given tool object (e.g. a LangChain DynamicTool), so the
	 * node reads them through n8n-core's own getInputConnectionData.
	 */
	tools?: Array<{ nodeName: string; tool: unknown; disabled?: boolean }>;
}

export interface RunNodeResult {
	/** Output 0 of the node. */
	items: INodeExecutionData[];
	/** The workflow's static data after the run, as plain JSON (what n8n would write back). */
	staticData: IDataObject;
	/** Whether n8n's change tracking marked the static data as changed (n8n saves it only then). */
	staticDataChanged: boolean;
	/** The execution hints the node added (shown above its output in the editor). */
	hints: NodeExecutionHint[];
	/** The node run's metadata (`setMetadata`: token usage, tracing), as n8n puts it into the run data. */
	metadata: ITaskMetadata | undefined;
}

const CREDENTIAL_ID = 'harness-credential';

function singleNodeTypes(nodeType: INodeType, extra: INodeType[] = []): INodeTypes {
	const all = [nodeType, ...extra];
	const lookup = (name: string) => all.find((type) => type.description.name === name) ?? (undefined as never);
	return {
		getByName: lookup,
		getByNameAndVersion: (name, version) => lookup(name) && NodeHelpers.getVersionedNodeType(lookup(name), version),
		getKnownTypes: () => ({}),
	};
}

function unsupported(what: string): () => never {
	return () => {
		throw new UnexpectedError(`${what} is not supported by the test harness`);
	};
}

export function createAdditionalData(credentialsHelper: HarnessCredentialsHelper): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	return {
		credentialsHelper,
		externalSecretsProxy: new ExternalSecretsProxy(), // no providers: `$secrets` is empty
		executionId: 'harness-execution',
		workflowId: 'harness-workflow',
		userId: 'harness-user',
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		logAiEvent: () => {},
		executeWorkflow: unsupported('executeWorkflow'),
		getRunExecutionData: unsupported('getRunExecutionData'),
		getRuntimeCredential: unsupported('getRuntimeCredential'),
		startRunnerTask: unsupported('startRunnerTask'),
	};
}

function highestVersion(nodeType: INodeType): number {
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

export async function runNode(opts: RunNodeOptions): Promise<RunNodeResult> {
	ensureContainer();
	const { node: nodeType, credentialType } = opts;
	const mode = (opts.mode ?? 'manual') as WorkflowExecuteMode;

	const node: INode = {
		id: 'harness-node',
		name: nodeType.description.defaults.name ?? nodeType.description.displayName,
		type: nodeType.description.name,
		typeVersion: opts.typeVersion ?? highestVersion(nodeType),
		position: [0, 0],
		parameters: structuredClone(opts.parameters),
		credentials: { [credentialType.name]: { id: CREDENTIAL_ID, name: credentialType.displayName } },
		...(opts.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const { toolNodes, toolTypes, connections } = toolSubNodes(node.name, opts.tools ?? []);
	// Like in n8n, the Workflow constructor fills in parameter defaults on `node`.
	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness workflow',
		nodes: [node, ...toolNodes],
		connections,
		active: false,
		nodeTypes: singleNodeTypes(nodeType, toolTypes),
		settings: { executionOrder: 'v1' },
		staticData: opts.staticData ? structuredClone(opts.staticData) : undefined,
	});

	const additionalData = createAdditionalData(opts.credentialsHelper ?? new HarnessCredentialsHelper(credentialType, opts.credentials));
	if (opts.onChunk) {
		const hooks = new ExecutionLifecycleHooks(mode, 'harness-execution', { id: workflow.id, name: workflow.name, nodes: [node], connections: {}, active: false } as unknown as IWorkflowBase);
		hooks.addHandler('sendChunk', opts.onChunk);
		additionalData.hooks = hooks;
		additionalData.streamingEnabled = true;
	}
	const executeData: IExecuteData = { node, data: { main: [opts.items ?? [{ json: {} }]] }, source: null };
	const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack: [executeData] } });

	const engine = new WorkflowExecute(additionalData, mode, runExecutionData);
	const response = await engine.runNode(workflow, executeData, runExecutionData, 0, additionalData, mode, opts.abortSignal);
	if (!('data' in response)) {
		throw new UnexpectedError('The node asked the engine to run sub-nodes, which the harness does not support');
	}
	return {
		items: response.data?.[0] ?? [],
		staticData: JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject,
		staticDataChanged: workflow.staticData.__dataChanged === true,
		hints: 'hints' in response && Array.isArray(response.hints) ? response.hints : [],
		metadata: executeData.metadata,
	};
}

/** One sub-node per tool, connected to `target`'s ai_tool input (see RunNodeOptions.tools). */
function toolSubNodes(target: string, tools: NonNullable<RunNodeOptions['tools']>) {
	const toolNodes: INode[] = [];
	const toolTypes: INodeType[] = [];
	const connections: IConnections = {};
	tools.forEach(({ nodeName, tool, disabled }, index) => {
		const type = `harnessTool${index}`;
		toolTypes.push({
			description: {
				displayName: nodeName,
				name: type,
				group: ['transform'],
				version: 1,
				description: 'A tool sub-node of the test harness',
				defaults: { name: nodeName },
				inputs: [],
				outputs: ['ai_tool'],
				properties: [],
			},
			supplyData: async () => ({ response: tool }),
		});
		toolNodes.push({ id: `harness-tool-${index}`, name: nodeName, type, typeVersion: 1, position: [0, 0], parameters: {}, ...(disabled ? { disabled } : {}) });
		connections[nodeName] = { ai_tool: [[{ node: target, type: 'ai_tool', index: 0 }]] };
	});
	return { toolNodes, toolTypes, connections };
}

/** n8n's real LoadOptionsContext for a one-node workflow, as the editor's pickers and forms get it. */
function loadOptionsContext(
	nodeType: INodeType,
	credentialType: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
	parameters: INodeParameters = {},
): LoadOptionsContext {
	const node: INode = {
		id: 'harness-node',
		name: nodeType.description.defaults.name ?? nodeType.description.displayName,
		type: nodeType.description.name,
		typeVersion: highestVersion(nodeType),
		position: [0, 0],
		parameters: structuredClone(parameters),
		credentials: { [credentialType.name]: { id: CREDENTIAL_ID, name: credentialType.displayName } },
	};
	const workflow = new Workflow({
		id: 'harness-workflow',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: singleNodeTypes(nodeType),
	});
	const additionalData = createAdditionalData(new HarnessCredentialsHelper(credentialType, credentials));
	return new LoadOptionsContext(workflow, node, additionalData, 'parameters');
}

/**
 * Calls a node's `methods.listSearch[method]` (a resource locator's list mode) in n8n-core's real
 * LoadOptionsContext, the way the editor does when the user opens or filters the list.
 */
export async function runListSearch(opts: {
	node: INodeType;
	credentialType: ICredentialType;
	credentials: ICredentialDataDecryptedObject;
	method: string;
	filter?: string;
	paginationToken?: string;
	parameters?: INodeParameters;
}): Promise<INodeListSearchResult> {
	ensureContainer();
	const { node: nodeType, credentialType } = opts;
	const search = nodeType.methods?.listSearch?.[opts.method];
	if (!search) throw new UnexpectedError(`listSearch method '${opts.method}' not found`);
	const context = loadOptionsContext(nodeType, credentialType, opts.credentials, opts.parameters);
	return await search.call(context, opts.filter, opts.paginationToken);
}

/** Runs a resource mapper method (a form's fields) in n8n's real LoadOptionsContext. */
export async function runResourceMapping(opts: {
	node: INodeType;
	credentialType: ICredentialType;
	credentials: ICredentialDataDecryptedObject;
	method: string;
	parameters?: INodeParameters;
	/** The node type the editor sends, e.g. `cozeChatTool` for the AI Agent tool variant. */
	nodeTypeName?: string;
}): Promise<ResourceMapperFields> {
	ensureContainer();
	const { credentialType } = opts;
	let nodeType = opts.node;
	if (opts.nodeTypeName) {
		// A variant under another name (as n8n registers a node's AI-tool variant), same methods.
		const variant = Object.create(nodeType) as INodeType;
		variant.description = { ...nodeType.description, name: opts.nodeTypeName };
		nodeType = variant;
	}
	const method = nodeType.methods?.resourceMapping?.[opts.method];
	if (!method) throw new UnexpectedError(`resourceMapping method '${opts.method}' not found`);
	const context = loadOptionsContext(nodeType, credentialType, opts.credentials, opts.parameters);
	return await method.call(context);
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** Narrow view of what the CLI's tester reads off a failed request. */
interface RequestFailure {
	message?: unknown;
	cause?: { code?: unknown; response?: { status?: unknown; statusText?: unknown } };
}

/**
 * Port of CredentialsTester.testCredentials (packages/cli/src/services/credentials-tester.service.ts)
 * for credentials that declare `test: ICredentialTestRequest`.
 */
export async function testCredential(
	credentialType: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
	credentialsHelper = new HarnessCredentialsHelper(credentialType, credentials),
	/** The node that may test the credential (`testedBy`), used when the credential has no `test` of its own. */
	testingNode?: INodeType,
): Promise<CredentialTestResult> {
	ensureContainer();
	const { test } = credentialType;
	const additionalData = createAdditionalData(credentialsHelper);
	const mode: WorkflowExecuteMode = 'internal';

	const credentialsDecrypted: ICredentialsDecrypted = {
		id: CREDENTIAL_ID,
		name: credentialType.displayName,
		type: credentialType.name,
	};
	try {
		credentialsDecrypted.data = credentialsHelper.applyDefaults(additionalData, mode);
	} catch (error) {
		return { status: 'Error', message: String((error as Error).message) };
	}

	if (!test) {
		// Like the CLI: the credential's own test wins; otherwise a node's `testedBy` function, called
		// with a CredentialTestContext (its only HTTP helper is the legacy `request`).
		const testedBy = testingNode?.description.credentials?.find((c) => c.name === credentialType.name)?.testedBy;
		const testFunction = typeof testedBy === 'string' ? testingNode?.methods?.credentialTest?.[testedBy] : undefined;
		if (!testFunction) return { status: 'Error', message: 'No testing function found for this credential.' };
		return await testFunction.call(new CredentialTestContext(additionalData), credentialsDecrypted);
	}

	// The CLI copies the noOp node's description and gives it one property routed to the test request.
	// The loaded description's name is 'noOp', unprefixed: the CLI's own isTestingCredentials check
	// (type 'n8n-nodes-base.noOp') therefore never matches, and preAuthentication does not run just
	// because of a test (seen in real n8n 1.123.81 and 2.41.1, test/e2e/jwt.test.ts).
	const nodeType: INodeType = {
		description: {
			displayName: 'No Operation, do nothing',
			name: 'noOp',
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credentialType.name, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' },
			],
		},
	};
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		credentials: { [credentialType.name]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: singleNodeTypes(nodeType) });
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		mode,
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		executeData,
		[],
	);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
	} catch (caught) {
		const error = caught as RequestFailure;
		const httpResponse = error.cause?.response;
		if (httpResponse) {
			const statusCode = Number(httpResponse.status);
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && statusCode === rule.properties.value) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				const statusMessage = typeof httpResponse.statusText === 'string' ? httpResponse.statusText : '';
				return { status: 'Error', message: statusMessage || `Received HTTP status code: ${statusCode}` };
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: String(error.cause.code) };
		}
		return { status: 'Error', message: String(error.message) };
	}

	for (const rule of test.rules ?? []) {
		// Note the polarity: a responseSuccessBody rule FAILS the test when the value matches.
		if (rule.type === 'responseSuccessBody' && get(response?.[0]?.[0]?.json, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
