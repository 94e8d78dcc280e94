import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { CozeClient } from '../api/client';
import { siteOfRegion } from '../auth/region';
import { safeError } from '../boundaries/output';
import { isMissingEndpoint } from '../core/errors';
import { hasMorePages } from '../core/paging';
import { getSession } from '../transport/session';
import { searchAcrossWorkspaces } from './acrossWorkspaces';

const PAGE_SIZE = 100;
/** Upper bound on knowledge base pages per workspace, so a huge account cannot stall the picker. */
const MAX_PAGES = 20;

/** Workspace picker: every workspace the token sees, filtered by name or id. */
export async function searchWorkspaces(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const site = siteOfRegion((await getSession(this)).credentials.data?.region);
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = (await CozeClient.forPicker(this).workspaces.list())
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
		const wanted = (filter ?? '').trim();
		const byId = /^\d+$/.test(wanted);
		const coze = CozeClient.forPicker(this);
		return await searchAcrossWorkspaces(this, coze, paginationToken, {
			maxPages: MAX_PAGES,
			// A name filter goes to Coze; an id is matched here (Coze searches names only).
			page: async (workspace, pageNum, seen) => {
				const page = await coze.knowledge.listDatasets({ spaceId: workspace.id, pageNum, pageSize: PAGE_SIZE, ...(wanted && !byId ? { name: wanted } : {}) });
				return { items: page.datasets, more: hasMorePages({ received: page.datasets.length, seen: seen + page.datasets.length, total: page.total }) };
			},
			entry: (dataset, workspace, site) =>
				byId && !dataset.dataset_id.includes(wanted)
					? undefined
					: { name: dataset.name, value: dataset.dataset_id, url: site ? `${site}/space/${workspace.id}/knowledge/${dataset.dataset_id}` : undefined },
		});
	} catch (error) {
		if (isMissingEndpoint(error)) {
			throw new NodeOperationError(this.getNode(), 'This Coze server cannot list knowledge bases without a workspace list (self-hosted Coze Studio has none in its API): choose "By URL" and paste the knowledge base\'s URL, or "ID".');
		}
		throw safeError(this, error);
	}
}
