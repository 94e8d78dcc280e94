/**
 * An in-memory `ICredentialsHelper` for one credential type.
 *
 * n8n-core only defines the abstract class; the implementation that a real instance uses lives in
 * the CLI (packages/cli/src/credentials-helper.ts) and talks to the database. This one keeps the
 * parts of it that decide what goes over the wire — `authenticate` (function or declarative
 * `generic` with `={{$credentials.x}}` expressions), `preAuthentication` for expirable
 * credentials, credential property defaults, and expression resolution in credential values —
 * and replaces storage with a plain object.
 */
import { Credentials, getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	IExecuteData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, isExpression, NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';

export class HarnessCredentialsHelper extends ICredentialsHelper {
	/** What preAuthentication wrote to the "database", oldest first (the CLI persists each mint). */
	readonly persisted: ICredentialDataDecryptedObject[] = [];

	constructor(
		private readonly credentialType: ICredentialType,
		private data: ICredentialDataDecryptedObject,
		/**
		 * How a mint is persisted. '2.x': the stored data merged with the mint's output. '1.x': n8n
		 * 1.x's updateCredentials, which reads the row first and then stores the live, shared
		 * credentials object — whatever other requests did to it meanwhile is persisted too.
		 */
		private readonly persistence: { mode: '1.x' | '2.x'; databaseMs?: number } = { mode: '2.x' },
	) {
		super();
	}

	private getType(typeName: string): ICredentialType {
		if (typeName !== this.credentialType.name) {
			throw new UnexpectedError(`Harness only knows credential type "${this.credentialType.name}", not "${typeName}"`);
		}
		return this.credentialType;
	}

	getParentTypes(typeName: string): string[] {
		// n8n resolves the whole chain; one level is enough to route oAuth1Api/oAuth2Api children.
		return this.getType(typeName).extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(typeName: string): INodeProperties[] {
		return this.getType(typeName).properties;
	}

	/** Same algorithm as the CLI's CredentialsHelper.authenticate. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incoming: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incoming as IHttpRequestOptions;
		const { authenticate } = this.getType(typeName);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (typeof authenticate !== 'object') return requestOptions;
		if (!workflow || !node) {
			throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
		}

		const resolve = (value: string): string => {
			if (!isExpression(value)) return value;
			const resolved = workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			return resolved ? String(resolved) : '';
		};

		requestOptions.headers ??= {};
		if (authenticate.type === 'generic') {
			// properties is { headers | qs | body | auth: { key: value } }; merged into the request.
			const target = requestOptions as unknown as Record<string, Record<string, unknown> | undefined>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					const bucket = (target[outerKey] ??= {});
					bucket[resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions;
	}

	/**
	 * The CLI's preAuthentication (packages/cli/src/credentials-helper.ts), persisting to the
	 * in-memory data instead of the database.
	 */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getType(typeName);
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (expirable === undefined || typeof type.preAuthentication !== 'function') return undefined;

		// The credential tester runs a temp noOp node with a `temp: ''` parameter.
		const isTestingCredentials = node.parameters?.temp === '' && node.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTestingCredentials) return undefined;

		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined || !node.credentials) return undefined;
		if (this.persistence.mode === '1.x') {
			Object.assign(credentials, output);
			await new Promise((resolve) => setTimeout(resolve, this.persistence.databaseMs ?? 20)); // the row is read first
			this.data = structuredClone(credentials);
			this.persisted.push(structuredClone(credentials));
			return Object.assign(credentials, output);
		}
		// n8n 2.x merges the output into the stored data.
		this.data = { ...this.data, ...output };
		this.persisted.push(structuredClone(output));
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getType(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<Credentials> {
		return new Credentials(nodeCredentials, type);
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		typeName: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		this.getType(typeName);
		if (raw === true) return structuredClone(this.data);
		return this.applyDefaults(additionalData, mode, executeData, expressionResolveValues);
	}

	/**
	 * The CLI's applyDefaultsAndOverwrites without overwrites: fill in property defaults (dropping
	 * values of properties hidden by displayOptions, as n8n does), then resolve `={{ }}` values.
	 */
	applyDefaults(
		additionalData: IWorkflowExecuteAdditionalData,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): ICredentialDataDecryptedObject {
		const original = structuredClone(this.data);
		const withDefaults = (NodeHelpers.getNodeParameters(
			this.credentialType.properties,
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) ?? {}) as ICredentialDataDecryptedObject;
		// Not declared as properties, so getNodeParameters drops them; n8n copies them back.
		for (const key of ['oauthTokenData', 'allowedHttpRequestDomains', 'allowedDomains']) {
			if (withDefaults[key] === undefined && original[key] !== undefined) withDefaults[key] = original[key];
		}

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } = expressionResolveValues;
			return workflow.expression.getParameterValue(
				withDefaults as INodeParameters,
				runExecutionData,
				runIndex,
				itemIndex,
				node.name,
				connectionInputData,
				mode,
				additionalKeys,
				executeData,
				false,
				withDefaults,
			) as ICredentialDataDecryptedObject;
		}
		// Outside a node run (credential test) n8n resolves against an empty mock workflow.
		const mockNode: INode = { id: 'mock', name: '', type: 'mock', typeVersion: 1, position: [0, 0], parameters: {} };
		const workflow = new Workflow({
			nodes: [mockNode],
			connections: {},
			active: false,
			nodeTypes: {
				getByName: () => undefined as never,
				getByNameAndVersion: () => undefined as never,
				getKnownTypes: () => ({}),
			},
		});
		return workflow.expression.getComplexParameterValue(
			mockNode,
			withDefaults as INodeParameters,
			mode,
			additionalKeys,
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data = data;
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data = { ...this.data, oauthTokenData: data.oauthTokenData };
	}
}
