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

/** The credential's API base URL as an n8n expression, for the credential tests. */
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
