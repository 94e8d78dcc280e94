import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { listDatasets } from '../api/knowledge';
import { listWorkspaces } from '../api/space';
import { siteOfRegion } from '../auth/region';
import { safeError } from '../boundaries/output';
import { isMissingEndpoint } from '../core/errors';
import { hasMorePages } from '../core/paging';
import { getSession } from '../transport/session';

const PAGE_SIZE = 100;
/** Upper bound on knowledge base pages per workspace, so a huge account cannot stall the picker. */
const MAX_PAGES = 20;

interface Cursor {
	workspace: number;
	page: number;
	seen: number;
}

/** Coze's own site for the credential's region, for links in the pickers (none for a custom base URL). */
async function siteOf(context: ILoadOptionsFunctions): Promise<string | undefined> {
	return siteOfRegion((await getSession(context)).credentials.data?.region);
}

/** Workspace picker: every workspace the token sees, filtered by name or id. */
export async function searchWorkspaces(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const site = await siteOf(this);
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = (await listWorkspaces(this))
			.filter((w) => wanted === '' || (w.name ?? '').toLowerCase().includes(wanted) || w.id.includes(wanted))
			.map((w) => ({ name: w.name || w.id, value: w.id, url: site ? `${site}/space/${w.id}/develop` : undefined }));
		return { results };
	} catch (error) {
		if (isMissingEndpoint(error)) {
			throw new NodeOperationError(this.getNode(), 'This Coze server cannot list workspaces (self-hosted Coze Studio has no workspace list in its API): choose "ID" and enter the workspace (space) ID from its URL.');
		}
		throw safeError(this, error);
	}
}

/**
 * Knowledge base picker: the knowledge bases of every workspace the token sees, filtered by name
 * (Coze's own fuzzy search) or id, one workspace's pages after another.
 */
export async function searchKnowledgeBases(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const workspaces = await listWorkspaces(this);
		const site = await siteOf(this);
		const wanted = (filter ?? '').trim();
		const byId = /^\d+$/.test(wanted);
		const results: INodeListSearchItems[] = [];
		let cursor: Cursor | undefined = paginationToken ? (JSON.parse(paginationToken) as Cursor) : { workspace: 0, page: 1, seen: 0 };
		while (cursor && results.length < 30) {
			const workspace = workspaces[cursor.workspace];
			if (!workspace) {
				cursor = undefined;
				break;
			}
			// A name filter goes to Coze; an id is matched here (Coze searches names only).
			const page = await listDatasets(this, { spaceId: workspace.id, pageNum: cursor.page, pageSize: PAGE_SIZE, ...(wanted && !byId ? { name: wanted } : {}) });
			for (const dataset of page.datasets) {
				if (byId && !dataset.dataset_id.includes(wanted)) continue;
				results.push({
					name: workspaces.length > 1 && workspace.name ? `${dataset.name} (${workspace.name})` : dataset.name,
					value: dataset.dataset_id,
					url: site ? `${site}/space/${workspace.id}/knowledge/${dataset.dataset_id}` : undefined,
				});
			}
			const seen: number = cursor.seen + page.datasets.length;
			const more: boolean = cursor.page < MAX_PAGES && hasMorePages({ received: page.datasets.length, seen, total: page.total });
			cursor = more ? { workspace: cursor.workspace, page: cursor.page + 1, seen } : { workspace: cursor.workspace + 1, page: 1, seen: 0 };
			if (cursor.workspace >= workspaces.length) cursor = undefined;
		}
		return { results, paginationToken: cursor ? JSON.stringify(cursor) : undefined };
	} catch (error) {
		if (isMissingEndpoint(error)) {
			throw new NodeOperationError(this.getNode(), 'This Coze server cannot list knowledge bases without a workspace list (self-hosted Coze Studio has none in its API): choose "By URL" and paste the knowledge base\'s URL, or "ID".');
		}
		throw safeError(this, error);
	}
}
