import type { ICredentialDataDecryptedObject, IHttpRequestOptions, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { regionProperties } from '../nodes/CozeChat/auth/region';

export class CozeApi implements ICredentialType {
	name = 'cozeApi';

	displayName = 'Coze API';

	icon: Icon = { light: 'file:../nodes/CozeChat/coze.svg', dark: 'file:../nodes/CozeChat/coze.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-coze/n8n-nodes-coze/blob/main/docs/credentials.md#coze-api-personal-or-service-access-token';

	properties: INodeProperties[] = [
		...regionProperties({
			custom: 'A self-hosted Coze Studio or a local emulator',
			baseUrl: 'Base URL of the Coze API, without a path (for example http://localhost:8888)',
			placeholder: 'e.g. http://localhost:8888',
		}),
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A personal access token (starts with pat_) or a service access token, created in Coze under API → Authorization',
		},
	];

	// A function rather than a `generic` expression: n8n calls it for every request, and evaluating
	// an expression per request is a measurable share of a batch job's time.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.accessToken ?? '').trim()}` },
		};
	}

	// Tested by the Coze Chat node (methods/credentialTest.ts, `testedBy: 'cozeApiConnection'`): n8n
	// gives declarative tests no bound on their total time, and a server that drips bytes kept the
	// test running for ever.
}
