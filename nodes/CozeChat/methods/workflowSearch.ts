import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import { CozeClient } from '../api/client';
import { safeError } from '../boundaries/output';
import { usesCustomBaseUrl } from '../transport/session';
import { searchAcrossWorkspaces } from './acrossWorkspaces';

/** Upper bound on workflow pages per workspace: a server that always says has_more cannot loop the picker. */
const MAX_WORKFLOW_PAGES = 50;

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
		const needle = (filter ?? '').trim().toLowerCase();
		const coze = CozeClient.forPicker(context);
		return await searchAcrossWorkspaces(context, coze, paginationToken, {
			maxPages: MAX_WORKFLOW_PAGES,
			page: async (workspace, page) => {
				const data = await coze.workflows.listPublished({ workspaceId: workspace.id, mode, page });
				return { items: data?.items ?? [], more: data?.has_more === true };
			},
			entry: (workflow, workspace, site) => {
				const name = workflow.workflow_name || workflow.workflow_id;
				if (needle && !name.toLowerCase().includes(needle) && !workflow.workflow_id.includes(needle)) return undefined;
				return {
					name,
					value: workflow.workflow_id,
					url: site ? `${site}/work_flow?space_id=${workspace.id}&workflow_id=${workflow.workflow_id}` : undefined,
					description: workflow.description,
				};
			},
		});
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
