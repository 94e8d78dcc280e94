/** Coze's workspace and bot lists (what the pickers browse). */
import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { hasMorePages } from '../core/paging';
import { cozeApiRequest } from '../transport/request';

/** /v1/workspaces: documented default 20, maximum 50 (docs.coze.cn list_workspace). */
const WORKSPACE_PAGE_SIZE = 50;
/** Upper bound on workspace pages, so a huge account cannot stall a picker. */
const MAX_WORKSPACE_PAGES = 10;
/** /v1/bots: documented default 20 and no documented maximum, so ask for the default. */
export const BOT_PAGE_SIZE = 20;

export interface Workspace {
	id: string;
	name?: string;
}

export interface Bot {
	id: string;
	name?: string;
	description?: string;
}

/** Every workspace the token can see (up to MAX_WORKSPACE_PAGES pages). */
export async function listWorkspaces(context: ILoadOptionsFunctions): Promise<Workspace[]> {
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

/** One page of a workspace's published bots. */
export async function listPublishedBots(
	context: ILoadOptionsFunctions,
	workspaceId: string,
	page: number,
): Promise<{ items?: Bot[]; total?: number; has_more?: boolean }> {
	return (await cozeApiRequest.call(context, 'GET', '/v1/bots', {
		qs: { workspace_id: workspaceId, publish_status: 'published_online', page_num: page, page_size: BOT_PAGE_SIZE },
	})) as { items?: Bot[]; total?: number; has_more?: boolean };
}
