import type { INodeProperties } from 'n8n-workflow';

/** Region → Coze API base URL (the custom region brings its own). */
export const REGION_BASE_URLS: Record<string, string> = {
	cn: 'https://api.coze.cn',
	com: 'https://api.coze.com',
};

/** Region → Coze's web site, where the pickers link bots, workflows and knowledge bases (none for a custom base URL). */
const REGION_SITES: Record<string, string> = {
	cn: 'https://www.coze.cn',
	com: 'https://www.coze.com',
};

export function siteOfRegion(region: unknown): string | undefined {
	return typeof region === 'string' ? REGION_SITES[region] : undefined;
}

/**
 * The one rule for a credential's API base URL, which every reader follows (the node's session, the
 * credential test, the JWT credential's token request): region `cn` or `com`, or for `custom` an
 * http(s) URL without query or fragment, surrounding spaces and trailing slashes dropped (it may carry
 * a path prefix: a proxy, a gateway). Returns the URL, or what is wrong with the fields.
 */
export function credentialBaseUrl(fields: { region?: unknown; baseUrl?: unknown }): { url: string } | { problem: string } {
	const region = typeof fields.region === 'string' && fields.region.trim() !== '' ? fields.region.trim() : 'cn';
	if (region !== 'custom') {
		const url = REGION_BASE_URLS[region];
		return url ? { url } : { problem: `unknown region '${region}': choose Coze.cn, Coze.com or Custom Base URL` };
	}
	const raw = typeof fields.baseUrl === 'string' ? fields.baseUrl : '';
	const url = raw.trim().replace(/\/+$/, '');
	let parsed: URL | undefined;
	try {
		parsed = new URL(url);
	} catch {
		parsed = undefined;
	}
	if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.search !== '' || parsed.hash !== '' || /[\s?#]/.test(url)) {
		return { problem: `Base URL '${raw}' is not an http(s) URL without query (expected something like http://localhost:8888)` };
	}
	return { url };
}

/**
 * The credential's API base URL as an n8n expression, for the credentials' built-in test requests: the
 * same rule as credentialBaseUrl for valid fields (test/unit checks they agree).
 */
export const BASE_URL_EXPRESSION =
	'={{ $credentials.region === "custom" ? $credentials.baseUrl.replace(/\\/+$/, "") : ($credentials.region === "com" ? "https://api.coze.com" : "https://api.coze.cn") }}';

/** The Region and Base URL fields both credentials start with. */
export function regionProperties(texts: { custom: string; region?: string; baseUrl: string; placeholder: string }): INodeProperties[] {
	return [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'Coze.cn (China)', value: 'cn', description: REGION_BASE_URLS.cn },
				{ name: 'Coze.com (International)', value: 'com', description: REGION_BASE_URLS.com },
				{ name: 'Custom Base URL', value: 'custom', description: texts.custom },
			],
			default: 'cn',
			...(texts.region ? { description: texts.region } : {}),
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: texts.placeholder,
			description: texts.baseUrl,
			required: true,
			displayOptions: { show: { region: ['custom'] } },
		},
	];
}
