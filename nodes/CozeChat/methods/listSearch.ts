import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { nodeErrorFor } from '../transport/errors';
import { cozeApiRequest } from '../transport/request';

const PAGE_SIZE = 50;
/** Results per picker page: enough to fill the dropdown, few enough to answer quickly. */
const RESULTS_PER_PAGE = 30;
/** Upper bound on workspace pages, so a huge account cannot stall the picker. */
const MAX_WORKSPACE_PAGES = 10;

interface Workspace {
	id: string;
	name?: string;
}
interface Bot {
	id: string;
	name?: string;
	description?: string;
}
/** Where the next picker page continues: workspace index and bot page within it. */
interface Cursor {
	workspace: number;
	page: number;
}

/**
 * Bot picker: published bots of every workspace the token can see, filtered by name or id, one
 * picker page at a time. Coze has no cross-workspace search, so the workspaces are listed first,
 * then each one's bots page by page; the pagination token says where to go on.
 */
export async function searchBots(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	try {
		const workspaces = await listWorkspaces(this);
		const credentials = await this.getCredentials('cozeApi');
		const site =
			credentials.region === 'com' ? 'https://www.coze.com' : credentials.region === 'cn' ? 'https://www.coze.cn' : undefined;
		const needle = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = [];
		let cursor: Cursor | undefined = paginationToken ? (JSON.parse(paginationToken) as Cursor) : { workspace: 0, page: 1 };
		while (cursor && results.length < RESULTS_PER_PAGE) {
			const workspace = workspaces[cursor.workspace];
			if (!workspace) {
				cursor = undefined;
				break;
			}
			const data = (await cozeApiRequest.call(this, 'GET', '/v1/bots', {
				qs: { workspace_id: workspace.id, publish_status: 'published_online', page_num: cursor.page, page_size: PAGE_SIZE },
			})) as { items?: Bot[]; total?: number };
			const bots = data?.items ?? [];
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
			const more: boolean = bots.length === PAGE_SIZE && cursor.page * PAGE_SIZE < Number(data?.total ?? Infinity);
			cursor = more ? { workspace: cursor.workspace, page: cursor.page + 1 } : { workspace: cursor.workspace + 1, page: 1 };
			if (cursor.workspace >= workspaces.length) cursor = undefined;
		}
		return { results, paginationToken: cursor ? JSON.stringify(cursor) : undefined };
	} catch (error) {
		throw nodeErrorFor(this, error);
	}
}

async function listWorkspaces(context: ILoadOptionsFunctions): Promise<Workspace[]> {
	const all: Workspace[] = [];
	for (let page = 1; page <= MAX_WORKSPACE_PAGES; page++) {
		const data = (await cozeApiRequest.call(context, 'GET', '/v1/workspaces', {
			qs: { page_num: page, page_size: PAGE_SIZE },
		})) as { workspaces?: Workspace[]; total_count?: number };
		const list = data?.workspaces ?? [];
		all.push(...list);
		if (list.length < PAGE_SIZE || all.length >= Number(data?.total_count ?? 0)) break;
	}
	return all;
}

export { searchChatflows, searchWorkflows } from './workflowSearch';
