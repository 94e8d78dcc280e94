import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import type { CozeClient } from '../api/client';
import type { Workspace } from '../api/space';
import { siteOfRegion } from '../auth/region';
import { getSession } from '../transport/session';

/** Results per picker page: enough to fill the dropdown, few enough to answer quickly. */
const RESULTS_PER_PAGE = 30;

/** Where the next picker page continues: workspace index, page within it, items seen there. */
interface Cursor {
	workspace: number;
	page: number;
	seen: number;
}

export interface WorkspaceWalk<T> {
	/** Upper bound on pages per workspace, so a huge account (or a server that never ends a list) cannot stall the picker. */
	maxPages: number;
	/** One page of a workspace's items, and whether another follows (after `seen` items of it). */
	page(workspace: Workspace, page: number, seen: number): Promise<{ items: T[]; more: boolean }>;
	/** An item as a picker entry (its name without the workspace), or undefined when the filter leaves it out. */
	entry(item: T, workspace: Workspace, site: string | undefined): INodeListSearchItems | undefined;
}

/**
 * One picker page of items from every workspace the token sees, one workspace's pages after
 * another: Coze has no search across workspaces. The pagination token says where to go on. With
 * more than one workspace, each entry's name says which it is in; `site` is Coze's own site for
 * the credential's region (none for a custom base URL), for links.
 */
export async function searchAcrossWorkspaces<T>(
	context: ILoadOptionsFunctions,
	coze: CozeClient,
	paginationToken: string | undefined,
	walk: WorkspaceWalk<T>,
): Promise<INodeListSearchResult> {
	const workspaces = await coze.workspaces.list();
	const site = siteOfRegion((await getSession(context)).credentials.data?.region); // either credential type
	const results: INodeListSearchItems[] = [];
	let cursor: Cursor | undefined = { workspace: 0, page: 1, seen: 0, ...(paginationToken ? (JSON.parse(paginationToken) as Partial<Cursor>) : {}) };
	while (cursor && results.length < RESULTS_PER_PAGE) {
		const workspace = workspaces[cursor.workspace];
		if (!workspace) {
			cursor = undefined;
			break;
		}
		const { items, more } = await walk.page(workspace, cursor.page, cursor.seen);
		for (const item of items) {
			const entry = walk.entry(item, workspace, site);
			if (!entry) continue;
			results.push(workspaces.length > 1 && workspace.name ? { ...entry, name: `${entry.name} (${workspace.name})` } : entry);
		}
		const seen: number = cursor.seen + items.length;
		cursor = more && cursor.page < walk.maxPages ? { workspace: cursor.workspace, page: cursor.page + 1, seen } : { workspace: cursor.workspace + 1, page: 1, seen: 0 };
		if (cursor.workspace >= workspaces.length) cursor = undefined;
	}
	return { results, paginationToken: cursor ? JSON.stringify(cursor) : undefined };
}
