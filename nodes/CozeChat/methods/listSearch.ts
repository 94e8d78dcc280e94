import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { isMissingEndpoint } from '../core/errors';
import { hasMorePages } from '../core/paging';
import { nodeErrorFor } from '../transport/errors';
import { cozeApiRequest } from '../transport/request';
import { getSession } from '../transport/session';

/** /v1/workspaces: documented default 20, maximum 50. */
const WORKSPACE_PAGE_SIZE = 50;
/** /v1/bots: documented default 20 and no documented maximum, so ask for the default. */
const BOT_PAGE_SIZE = 20;
/** Results per picker page: enough to fill the dropdown, few enough to answer quickly. */
const RESULTS_PER_PAGE = 30;
/** Upper bound on workspace pages, so a huge account cannot stall the picker. */
const MAX_WORKSPACE_PAGES = 10;
/** Upper bound on bot pages per workspace, for the same reason. */
const MAX_BOT_PAGES = 50;

interface Workspace {
	id: string;
	name?: string;
}
interface Bot {
	id: string;
	name?: string;
	description?: string;
}
/** Where the next picker page continues: workspace index, bot page within it, bots seen there. */
interface Cursor {
	workspace: number;
	page: number;
	seen?: number;
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
		const credentials = (await getSession(this)).credentials.data ?? {}; // either credential type
		const site =
			credentials.region === 'com' ? 'https://www.coze.com' : credentials.region === 'cn' ? 'https://www.coze.cn' : undefined;
		const needle = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = [];
		let cursor: Cursor | undefined = paginationToken
			? (JSON.parse(paginationToken) as Cursor)
			: { workspace: 0, page: 1, seen: 0 };
		while (cursor && results.length < RESULTS_PER_PAGE) {
			const workspace = workspaces[cursor.workspace];
			if (!workspace) {
				cursor = undefined;
				break;
			}
			const data = (await cozeApiRequest.call(this, 'GET', '/v1/bots', {
				qs: { workspace_id: workspace.id, publish_status: 'published_online', page_num: cursor.page, page_size: BOT_PAGE_SIZE },
			})) as { items?: Bot[]; total?: number; has_more?: boolean };
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
			const seen: number = (cursor.seen ?? 0) + bots.length;
			const more: boolean =
				cursor.page < MAX_BOT_PAGES &&
				hasMorePages({ received: bots.length, seen, hasMore: data?.has_more, total: data?.total });
			cursor = more
				? { workspace: cursor.workspace, page: cursor.page + 1, seen }
				: { workspace: cursor.workspace + 1, page: 1, seen: 0 };
			if (cursor.workspace >= workspaces.length) cursor = undefined;
		}
		return { results, paginationToken: cursor ? JSON.stringify(cursor) : undefined };
	} catch (error) {
		if (isMissingEndpoint(error)) {
			// Self-hosted Coze Studio has no workspace or bot list in its Open API.
			throw new NodeOperationError(
				this.getNode(),
				'This Coze server cannot list bots (self-hosted Coze Studio has no bot list in its API). Choose "By ID" and enter the bot ID, or "By URL" and paste the bot editor URL.',
			);
		}
		throw nodeErrorFor(this, error);
	}
}

async function listWorkspaces(context: ILoadOptionsFunctions): Promise<Workspace[]> {
	const all: Workspace[] = [];
	for (let page = 1; page <= MAX_WORKSPACE_PAGES; page++) {
		const data = (await cozeApiRequest.call(context, 'GET', '/v1/workspaces', {
			qs: { page_num: page, page_size: WORKSPACE_PAGE_SIZE },
		})) as { workspaces?: Workspace[]; total_count?: number; has_more?: boolean };
		const list = data?.workspaces ?? [];
		all.push(...list);
		if (!hasMorePages({ received: list.length, seen: all.length, hasMore: data?.has_more, total: data?.total_count })) break;
	}
	return all;
}

export { searchChatflows, searchWorkflows } from './workflowSearch';
