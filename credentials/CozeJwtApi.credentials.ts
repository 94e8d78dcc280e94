import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IN8nHttpFullResponse,
	Icon,
	INodeProperties,
} from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

import { CozeJwtError, credentialScope, MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME, readJwtConfig } from '../nodes/CozeChat/auth/jwtConfig';
import { MintCoordinator, mintSignalOf, notifyMinted, type SignalledTokenPoster } from '../nodes/CozeChat/auth/mintCoordinator';
import { BASE_URL_EXPRESSION, regionProperties } from '../nodes/CozeChat/auth/region';

/** One mint at a time per app/key/site in this n8n process (see MintCoordinator). */
const coordinator = new MintCoordinator();

const TOKEN_REQUEST_TIMEOUT_MS = 30_000;

/** Largest token answer read (Coze's is a few hundred bytes). */
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

/** Reads a response body up to MAX_TOKEN_ANSWER_BYTES; beyond that it closes the connection and fails. */
async function readLimited(body: AsyncIterable<Uint8Array> & { destroy?: () => void }): Promise<string> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const chunk of body) {
		size += chunk.length;
		if (size > MAX_TOKEN_ANSWER_BYTES) {
			body.destroy?.();
			throw new Error(`its answer is larger than ${MAX_TOKEN_ANSWER_BYTES / 1024} KB`);
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks).toString('utf8');
}

const SETTINGS_HINT =
	'Check that the region matches the site where the OAuth app was created, and that the app was authorized with the permissions and workspaces the node needs';

/**
 * Coze OAuth for server-to-server use: n8n signs a short-lived JWT with the service app's private
 * key and exchanges it for an access token, which it keeps in the hidden `accessToken` field and
 * replaces when it is empty and when Coze answers HTTP 401. (n8n 1.123 and 2.41 do not run
 * preAuthentication just because a credential is being tested: their check for a test node never
 * matches. A stored token minted for other settings is therefore never sent; see authenticate.)
 */
export class CozeJwtApi implements ICredentialType {
	name = 'cozeJwtApi';

	displayName = 'Coze OAuth (JWT Service App) API';

	icon: Icon = { light: 'file:../nodes/CozeChat/coze.svg', dark: 'file:../nodes/CozeChat/coze.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-coze/n8n-nodes-coze/blob/main/docs/credentials.md#oauth-jwt-service-app';

	properties: INodeProperties[] = [
		...regionProperties({
			custom: 'Another Coze API host (Coze Studio has no OAuth apps)',
			region: 'The site where the OAuth app was created; the JWT audience is its API host',
			baseUrl: 'Base URL of the Coze API, without a path',
			placeholder: 'e.g. https://api.coze.cn',
		}),
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			description: 'ID of the OAuth app of client type Service application (API → Authorization → OAuth apps)',
		},
		{
			displayName: 'Public Key Fingerprint',
			name: 'fingerprint',
			type: 'string',
			default: '',
			required: true,
			hint: 'The fingerprint shown next to the public key in the OAuth app, not the key itself',
			description: 'The JWT key ID (kid) of the key pair created in the OAuth app',
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description:
				'Contents of the private_key.pem file Coze downloaded when the key pair was created: PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 (BEGIN RSA PRIVATE KEY), without a passphrase',
		},
		{
			displayName: 'Token Lifetime (Seconds)',
			name: 'lifetime',
			type: 'number',
			typeOptions: { minValue: MIN_TOKEN_LIFETIME, maxValue: MAX_TOKEN_LIFETIME },
			default: MAX_TOKEN_LIFETIME,
			description:
				'How long each access token lasts, at most 86399 (24 hours). n8n mints a new one shortly before it expires.',
		},
		{
			displayName: 'Session Name',
			name: 'sessionName',
			type: 'string',
			default: '',
			description: 'Optional. Isolates conversations per end user (the JWT session_name claim).',
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			description:
				'Optional. Only for Coze Enterprise with several organisations: the organisation (account) ID to get the token for.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Expires At',
			name: 'expiresAt',
			type: 'hidden',
			default: 0,
		},
		{
			displayName: 'Refresh At',
			name: 'refreshAt',
			type: 'hidden',
			default: 0,
		},
		{
			displayName: 'Minted For',
			name: 'mintedFor',
			type: 'hidden',
			default: '',
		},
	];

	/** Mints an access token. n8n persists the returned fields into the credential. */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		// The Coze node's request that needs the token: its item Timeout and cancel end its wait (the
		// shared token request ends only when nobody waits for it any more).
		const waiterSignal = mintSignalOf(credentials);
		const post: SignalledTokenPoster = async (request, abortSignal) => {
			const response = (await this.helpers.httpRequest({
				method: 'POST',
				url: request.url,
				headers: request.headers,
				body: JSON.stringify(request.body),
				// Read here within a limit: a token answer is a few hundred bytes, a broken endpoint's may be endless.
				encoding: 'stream',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				// The signed JWT is a credential too: it goes to the token endpoint and nowhere else.
				disableFollowRedirect: true,
				timeout: TOKEN_REQUEST_TIMEOUT_MS,
				abortSignal,
			})) as IN8nHttpFullResponse;
			return { statusCode: response.statusCode, body: await readLimited(response.body as AsyncIterable<Uint8Array>), headers: response.headers };
		};
		try {
			const config = readJwtConfig(credentials);
			const currentToken = typeof credentials.accessToken === 'string' ? credentials.accessToken : undefined;
			// When Coze refused the token, the Coze node empties it and sets refreshAt to minus the
			// refused token's expiresAt (-1 when unknown), so that token is not handed out again.
			const refreshAt = Number(credentials.refreshAt);
			const refused = refreshAt < 0 ? { expiresAt: refreshAt < -1 ? -refreshAt : undefined } : undefined;
			const token = await coordinator.getToken(config, post, currentToken, refused, waiterSignal);
			const fields = {
				accessToken: token.accessToken,
				expiresAt: token.expiresAt,
				refreshAt: token.refreshAt,
				mintedFor: token.scope,
			};
			// The Coze node's other requests may go with the token now, before n8n stores it.
			notifyMinted(credentials, fields);
			return fields;
		} catch (error) {
			// A new error without the request (which carries the JWT) and without an HTTP status, so
			// n8n does not take a failed mint for an expired token and mint again.
			if (error instanceof CozeJwtError) {
				throw new UserError(`Coze OAuth (JWT): ${error.message}`, { description: error.description });
			}
			throw new UserError('Coze OAuth (JWT): could not get an access token', {
				description: error instanceof Error ? error.name : undefined,
			});
		}
	}

	// A function rather than a `generic` expression: n8n calls it for every request.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		// A token minted for other settings (the fingerprint, key, app or site was edited and saved) is
		// not sent: Coze answers HTTP 401 and n8n mints one for the current settings. Otherwise a
		// credential test after such an edit would pass with the old token.
		if (!mintedForCurrentSettings(credentials)) return requestOptions;
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.accessToken ?? '')}` },
		};
	}

	// Sent with the stored token while it was minted for the current settings (n8n mints first when the
	// token is empty, and again after an HTTP 401).
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: '/v1/users/me',
			method: 'GET',
			// The request carries the token: never follow a redirect, and give up on a silent server.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			timeout: 15000,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 4100,
					message: `Coze issued an access token but does not accept it (code 4100). ${SETTINGS_HINT}.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 4101,
					message: `Coze issued an access token but it lacks permissions (code 4101). ${SETTINGS_HINT}.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'data',
					value: undefined,
					message: `Coze issued an access token but rejected the test request (non-zero code). ${SETTINGS_HINT}.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'data',
					value: null,
					message: `Coze issued an access token but rejected the test request (non-zero code). ${SETTINGS_HINT}.`,
				},
			},
		],
	};
}

/** Whether the stored token was minted for the settings in these fields (see credentialScope). */
function mintedForCurrentSettings(credentials: ICredentialDataDecryptedObject): boolean {
	try {
		return credentials.mintedFor === credentialScope(readJwtConfig(credentials));
	} catch {
		return false; // settings that cannot mint: preAuthentication says what is wrong with them
	}
}
