/** Coze's workspace and bot lists (what the pickers browse). */
import { CozeApiError, TransportError } from '../core/errors';
import { PerRun } from '../core/perRun';
import { hasMorePages } from '../core/paging';
import type { CozeHttp } from './http';

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

const dialects = new PerRun<'cloud' | 'studio'>();

export class WorkspacesApi {
	constructor(private readonly http: CozeHttp) {}

	/** Every workspace the token can see (up to MAX_WORKSPACE_PAGES pages). */
	async list(): Promise<Workspace[]> {
		const all: Workspace[] = [];
		for (let page = 1; page <= MAX_WORKSPACE_PAGES; page++) {
			const data = await this.http.data<{ workspaces?: Workspace[]; total_count?: number; has_more?: boolean }>('GET', '/v1/workspaces', {
				qs: { page_num: page, page_size: WORKSPACE_PAGE_SIZE },
			});
			const list = data?.workspaces ?? [];
			all.push(...list);
			if (!hasMorePages({ received: list.length, seen: all.length, hasMore: data?.has_more, total: data?.total_count })) break;
		}
		return all;
	}

	/** One page of a workspace's published bots. */
	async publishedBots(workspaceId: string, page: number): Promise<{ items?: Bot[]; total?: number; has_more?: boolean }> {
		return await this.http.data('GET', '/v1/bots', {
			qs: { workspace_id: workspaceId, publish_status: 'published_online', page_num: page, page_size: BOT_PAGE_SIZE },
		});
	}

	/**
	 * Which server the credential talks to, once per node run: Coze's cloud, or a self-hosted Coze
	 * Studio, where some endpoints take other shapes (its knowledge API reads uploaded files, not
	 * base64). Only a custom base URL can be Studio. It is Studio when it answers GET /v1/workspaces —
	 * not one of Studio's Open API routes — the way Studio answers every such path: 401 "missing
	 * session_key in cookie". Any other answer (a list, a 404 from a proxy, a refusal of that one
	 * endpoint) is the cloud's; only a failure to get an answer is an error (and asked again next time).
	 * The probe runs under the operation time limit (it serves every item of the run); each item
	 * waits for it within its own budget.
	 */
	async dialect(): Promise<'cloud' | 'studio'> {
		if (!(await this.http.customBaseUrl())) return 'cloud';
		const { context } = this.http;
		const probe = dialects.get(context, 'dialect', () =>
			this.http
				.shared()
				.data('GET', '/v1/workspaces', { qs: { page_num: 1, page_size: 1 } })
				.then(
					() => 'cloud' as const,
					(error: unknown) => {
						if (error instanceof CozeApiError && /missing session_key in cookie/i.test(error.msg)) return 'studio' as const;
						if (error instanceof TransportError) throw error;
						return 'cloud' as const;
					},
				),
		);
		return await this.http.budget.waitFor(probe, 'finding out which Coze server this is');
	}
}
