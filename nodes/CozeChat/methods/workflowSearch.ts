import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import { listPublishedWorkflows } from '../api/workflow';
import { listWorkspaces, type Workspace } from '../api/space';
import { siteOfRegion } from '../auth/region';
import { safeError } from '../boundaries/output';
import { getSession, usesCustomBaseUrl } from '../transport/session';

const RESULTS_PER_PAGE = 30;
/** Upper bound on workflow pages per workspace: a server that always says has_more cannot loop the picker. */
const MAX_WORKFLOW_PAGES = 50;

interface Cursor {
	workspace: number;
	page: number;
}

/** Workflow picker: published workflows of every workspace the token sees (GET /v1/workflows). */
export async function searchWorkflows(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await search(this, 'workflow', filter, paginationToken);
}

/** Chatflow picker: the same list with workflow_mode=chatflow. */
export async function searchChatflows(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await search(this, 'chatflow', filter, paginationToken);
}

async function search(
	context: ILoadOptionsFunctions,
	mode: 'workflow' | 'chatflow',
	filter: string | undefined,
	paginationToken: string | undefined,
): Promise<INodeListSearchResult> {
	try {
		const workspaces = await listWorkspaces(context);
		const site = siteOfRegion((await getSession(context)).credentials.data?.region); // either credential type
		const needle = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = [];
		let cursor: Cursor | undefined = paginationToken ? (JSON.parse(paginationToken) as Cursor) : { workspace: 0, page: 1 };
		while (cursor && results.length < RESULTS_PER_PAGE) {
			const workspace: Workspace | undefined = workspaces[cursor.workspace];
			if (!workspace) {
				cursor = undefined;
				break;
			}
			const data = await listPublishedWorkflows(context, { workspaceId: workspace.id, mode, page: cursor.page });
			for (const workflow of data?.items ?? []) {
				const name = workflow.workflow_name || workflow.workflow_id;
				if (needle && !name.toLowerCase().includes(needle) && !workflow.workflow_id.includes(needle)) continue;
				results.push({
					name: workspaces.length > 1 && workspace.name ? `${name} (${workspace.name})` : name,
					value: workflow.workflow_id,
					url: site ? `${site}/work_flow?space_id=${workspace.id}&workflow_id=${workflow.workflow_id}` : undefined,
					description: workflow.description,
				});
			}
			cursor = data?.has_more === true && cursor.page < MAX_WORKFLOW_PAGES ? { workspace: cursor.workspace, page: cursor.page + 1 } : { workspace: cursor.workspace + 1, page: 1 };
			if (cursor.workspace >= workspaces.length) cursor = undefined;
		}
		return { results, paginationToken: cursor ? JSON.stringify(cursor) : undefined };
	} catch (error) {
		if (error instanceof CozeApiError && (error.httpStatus === 401 || error.httpStatus === 404) && (await usesCustomBaseUrl(context))) {
			throw new NodeOperationError(
				context.getNode(),
				'This Coze server has no workflow list (Coze Studio lacks GET /v1/workspaces and /v1/workflows): choose By URL or ID instead',
			);
		}
		throw safeError(context, error); // the credential's secrets removed, as everywhere else
	}
}
