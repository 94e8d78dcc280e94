/** Coze's workspace and bot lists (what the pickers browse). */
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import { ItemBudget } from '../boundaries/budget';
import { CozeApiError, TransportError } from '../core/errors';
import { PerRun } from '../core/perRun';
import { hasMorePages } from '../core/paging';
import { cozeApiRequest } from '../transport/request';
import { usesCustomBaseUrl } from '../transport/session';

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

const dialects = new PerRun<'cloud' | 'studio'>();

/**
 * Which server the credential talks to, once per node run: Coze's cloud, or a self-hosted Coze
 * Studio, where some endpoints take other shapes (its knowledge API reads uploaded files, not
 * base64). Only a custom base URL can be Studio. It is Studio when it answers GET /v1/workspaces —
 * not one of Studio's Open API routes — the way Studio answers every such path: 401 "missing
 * session_key in cookie". Any other answer (a list, a 404 from a proxy, a refusal of that one
 * endpoint) is the cloud's; only a failure to get an answer is an error (and asked again next time).
 * The probe runs under the operation time limit; each item waits for it within its own budget.
 */
export async function serverDialect(context: IExecuteFunctions, budget: ItemBudget): Promise<'cloud' | 'studio'> {
	if (!(await usesCustomBaseUrl(context))) return 'cloud';
	const probe = dialects.get(context, 'dialect', () =>
		cozeApiRequest.call(context, 'GET', '/v1/workspaces', { qs: { page_num: 1, page_size: 1 }, budget: ItemBudget.of(context) }).then(
			() => 'cloud' as const,
			(error: unknown) => {
				if (error instanceof CozeApiError && /missing session_key in cookie/i.test(error.msg)) return 'studio' as const;
				if (error instanceof TransportError) throw error;
				return 'cloud' as const;
			},
		),
	);
	return await budget.waitFor(probe, 'finding out which Coze server this is');
}
