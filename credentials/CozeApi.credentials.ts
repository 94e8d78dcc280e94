import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** Hint shown when the token is valid somewhere else: tokens are bound to one region. */
const REGION_HINT =
	'Check that the region matches the site where the token was created (coze.cn tokens do not work on coze.com and vice versa)';

export class CozeApi implements ICredentialType {
	name = 'cozeApi';

	displayName = 'Coze API';

	icon: Icon = { light: 'file:../nodes/CozeChat/coze.svg', dark: 'file:../nodes/CozeChat/coze.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-coze/n8n-nodes-coze#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'Coze.cn (China)', value: 'cn', description: 'https://api.coze.cn' },
				{ name: 'Coze.com (International)', value: 'com', description: 'https://api.coze.com' },
				{
					name: 'Custom Base URL',
					value: 'custom',
					description: 'A self-hosted Coze Studio or a local emulator',
				},
			],
			default: 'cn',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://localhost:8888',
			description: 'Base URL of the Coze API, without a path (for example http://localhost:8888)',
			required: true,
			displayOptions: { show: { region: ['custom'] } },
		},
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

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.accessToken}}' },
		},
	};

	// Coze reports most failures with HTTP 200 and a non-zero `code`, so besides HTTP errors the
	// test also fails on the known auth codes and on any envelope that carries no `data`.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.region === "custom" ? $credentials.baseUrl : ($credentials.region === "com" ? "https://api.coze.com" : "https://api.coze.cn") }}',
			url: '/v1/users/me',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 4100,
					message: `Coze code 4100: the access token is invalid or expired. ${REGION_HINT}.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 4101,
					message: `Coze code 4101: the token is not accepted or lacks permissions. ${REGION_HINT}, and that the token has the needed permissions and workspaces ticked.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 700012006,
					message: `Coze code 700012006: login verification is invalid. ${REGION_HINT}.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'data',
					value: undefined,
					message: `Coze rejected the request (non-zero code). ${REGION_HINT}.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'data',
					value: null,
					message: `Coze rejected the request (non-zero code). ${REGION_HINT}.`,
				},
			},
		],
	};
}
