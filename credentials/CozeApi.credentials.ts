import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { BASE_URL_EXPRESSION, regionProperties } from '../nodes/CozeChat/auth/region';

/** Hint shown when the token is valid somewhere else: tokens are bound to one region. */
const REGION_HINT =
	'Check that the region matches the site where the token was created (coze.cn tokens do not work on coze.com and vice versa)';

export class CozeApi implements ICredentialType {
	name = 'cozeApi';

	displayName = 'Coze API';

	icon: Icon = { light: 'file:../nodes/CozeChat/coze.svg', dark: 'file:../nodes/CozeChat/coze.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-coze/n8n-nodes-coze#credentials';

	properties: INodeProperties[] = [
		...regionProperties({
			custom: 'A self-hosted Coze Studio or a local emulator',
			baseUrl: 'Base URL of the Coze API, without a path (for example http://localhost:8888)',
			placeholder: 'http://localhost:8888',
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

	// Coze reports most failures with HTTP 200 and a non-zero `code`, so besides HTTP errors the
	// test also fails on the known auth codes (700012006 is Coze Studio's bad key) and on any
	// envelope that carries no `data`.
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			// Self-hosted Coze Studio has no /v1/users/me (a valid key would get its cookie-login 401);
			// listing the conversations of a bot that does not exist needs only a valid key there.
			url: '={{ $credentials.region === "custom" ? "/v1/conversations?bot_id=0&page_num=1&page_size=1" : "/v1/users/me" }}',
			method: 'GET',
			// The request carries the token: never follow a redirect, and give up on a silent server.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			timeout: 15000,
		},
		// n8n's type allows one kind of rule per list, but its tester reads both kinds from one list:
		// responseCode rules for HTTP errors, responseSuccessBody rules for Coze's HTTP 200 errors.
		rules: [
			...[301, 302, 303, 307, 308].map((status) => ({
				type: 'responseCode' as const,
				properties: {
					value: status,
					message: `Coze answered with a redirect (HTTP ${status}). The test does not follow redirects, because they would carry your token to another address: check the region and the Base URL (for example http:// vs https://, or a missing path).`,
				},
			})),
			{
				type: 'responseCode',
				properties: { value: 401, message: `HTTP 401: the access token was rejected. ${REGION_HINT}.` },
			},
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
		] as Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> as ICredentialTestRequest['rules'],
	};
}
