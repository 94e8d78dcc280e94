import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
} from 'n8n-workflow';

import { credentialBaseUrl } from '../auth/region';
import { authenticationOf } from '../boundaries/parameters';
import { secretsOf } from '../boundaries/redact';
import { registerCredential } from '../boundaries/secrets';
import { TokenGate } from './tokenGate';

export type CozeContext = IExecuteFunctions | ILoadOptionsFunctions;


/** The credential fields whose values must never be shown. */
const SECRET_FIELDS = ['accessToken', 'privateKey'];

/**
 * What every request of one execution shares: the credential, read and decrypted once (n8n's
 * `getCredentials` costs milliseconds, and a batch makes hundreds of requests), the API base URL,
 * and the credential's secrets, which the output boundary keeps out of everything the node emits.
 */
export interface CozeSession {
	credentialType: string;
	/** Passed to httpRequestWithAuthentication, which then neither loads nor decrypts again. */
	credentials: ICredentialsDecrypted;
	/** Base URL without a trailing slash; may carry a path prefix (a proxy, a gateway). */
	baseUrl: string;
	origin: string;
	/** The credential's secret values now (a JWT credential's token changes during an execution). */
	secrets(): string[];
	/** For the JWT credential: keeps its access token fresh (see TokenGate). */
	tokenGate?: TokenGate;
}

const sessions = new WeakMap<object, Promise<CozeSession>>();

/** The session of this execution (or load-options call), created on first use. */
export async function getSession(context: CozeContext): Promise<CozeSession> {
	let session = sessions.get(context);
	if (!session) {
		session = createSession(context);
		sessions.set(context, session);
		session.then(
			// The output boundary keeps these secrets out of everything the node emits from now on.
			(ready) => registerCredential(context, { secrets: ready.secrets, customBaseUrl: ready.credentials.data?.region === 'custom' }),
			() => sessions.delete(context), // a later item may try again and report the same error itself
		);
	}
	return await session;
}

/** Which credential the node uses: the Authentication choice, when the node has one. */
export function credentialTypeOf(context: CozeContext): string {
	return authenticationOf(context) === 'jwt' ? 'cozeJwtApi' : 'cozeApi';
}

async function createSession(context: CozeContext): Promise<CozeSession> {
	const credentialType = credentialTypeOf(context);
	const data = await context.getCredentials<ICredentialDataDecryptedObject>(credentialType);
	const reference = context.getNode().credentials?.[credentialType];
	const baseUrl = baseUrlOf(context, data, credentialType);
	return {
		credentialType,
		credentials: { id: reference?.id ?? '', name: reference?.name ?? credentialType, type: credentialType, data },
		baseUrl,
		origin: new URL(baseUrl).origin,
		secrets: () => secretsOf(data, SECRET_FIELDS),
		tokenGate: credentialType === 'cozeJwtApi' ? new TokenGate(data) : undefined,
	};
}

/** The API base URL of a credential (auth/region.ts credentialBaseUrl), or an error naming the credential. */
export function baseUrlOf(
	context: CozeContext,
	credentials: ICredentialDataDecryptedObject,
	credentialType = 'cozeApi',
): string {
	const answer = credentialBaseUrl(credentials);
	if ('url' in answer) return answer.url;
	const label = credentialType === 'cozeJwtApi' ? 'Coze OAuth (JWT)' : 'Coze API';
	throw new NodeOperationError(context.getNode(), `Credential '${label}': ${answer.problem}`);
}

/** Whether the credential points at a custom base URL (Coze Studio, a proxy). */
export async function usesCustomBaseUrl(context: CozeContext): Promise<boolean> {
	return (await getSession(context)).credentials.data?.region === 'custom';
}
