import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { toNodeError } from '../transport/errors';
import { cozeApiRequest } from '../transport/request';

const PAGE_SIZE = 50;
/** Upper bound on pages fetched per list, so a huge account cannot stall the picker. */
const MAX_PAGES = 20;

interface Workspace {
	id: string;
	name?: string;
}
interface Bot {
	id: string;
	name?: string;
	description?: string;
}

/**
 * Bot picker: published bots of every workspace the token can see, filtered by name or id.
 * Coze has no cross-workspace search, so workspaces are listed first, then each one's bots.
 */
export async function searchBots(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	try {
		const workspaces = await collectPages<Workspace>(this, '/v1/workspaces', {}, 'workspaces');
		const credentials = await this.getCredentials('cozeApi');
		const site = credentials.region === 'com' ? 'https://www.coze.com' : credentials.region === 'cn' ? 'https://www.coze.cn' : undefined;
		const needle = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = [];
		for (const workspace of workspaces) {
			const bots = await collectPages<Bot>(
				this,
				'/v1/bots',
				{ workspace_id: workspace.id, publish_status: 'published_online' },
				'items',
			);
			for (const bot of bots) {
				const name = bot.name || bot.id;
				if (needle && !name.toLowerCase().includes(needle) && !bot.id.includes(needle)) continue;
				results.push({
					name: workspaces.length > 1 && workspace.name ? `${name} (${workspace.name})` : name,
					value: bot.id,
					url: site ? `${site}/space/${workspace.id}/bot/${bot.id}` : undefined,
					description: bot.description,
				});
			}
		}
		results.sort((a, b) => a.name.localeCompare(b.name));
		return { results };
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}

async function collectPages<T>(
	context: ILoadOptionsFunctions,
	path: string,
	qs: Record<string, string>,
	listKey: string,
): Promise<T[]> {
	const all: T[] = [];
	for (let page = 1; page <= MAX_PAGES; page++) {
		const data = (await cozeApiRequest.call(context, 'GET', path, {
			qs: { ...qs, page_num: page, page_size: PAGE_SIZE },
		})) as Record<string, unknown>;
		const list = (data?.[listKey] as T[] | undefined) ?? [];
		all.push(...list);
		const total = Number(data?.total_count ?? data?.total ?? 0);
		if (list.length < PAGE_SIZE || (total > 0 && all.length >= total)) break;
	}
	return all;
}
