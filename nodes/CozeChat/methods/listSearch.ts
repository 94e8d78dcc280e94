import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { isMissingEndpoint } from '../core/errors';
import { hasMorePages } from '../core/paging';
import { listVoices } from '../api/audio';
import { listPublishedBots, listWorkspaces } from '../api/space';
import { siteOfRegion } from '../auth/region';
import { safeError } from '../boundaries/output';
import { getSession } from '../transport/session';

/** Results per picker page: enough to fill the dropdown, few enough to answer quickly. */
const RESULTS_PER_PAGE = 30;
/** Upper bound on bot pages per workspace, so a huge account cannot stall the picker. */
const MAX_BOT_PAGES = 50;

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
		const site = siteOfRegion((await getSession(this)).credentials.data?.region); // either credential type
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
			const data = await listPublishedBots(this, workspace.id, cursor.page);
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
		throw safeError(this, error);
	}
}

export { searchChatflows, searchWorkflows } from './workflowSearch';

/** Voice picker: the voices Text to Speech can use, filtered by name or id, one Coze page (100) at a time. */
export async function searchVoices(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	try {
		const pageNum = Number(paginationToken) > 0 ? Number(paginationToken) : 1;
		const page = await listVoices(this, { pageNum, pageSize: 100 });
		const wanted = (filter ?? '').trim().toLowerCase();
		const results: INodeListSearchItems[] = page.voices
			.filter((voice) => wanted === '' || voice.name.toLowerCase().includes(wanted) || voice.voice_id.includes(wanted))
			.map((voice) => {
				const language = typeof voice.language_name === 'string' && voice.language_name ? ` (${voice.language_name})` : '';
				return { name: `${voice.name}${language}`, value: voice.voice_id, url: typeof voice.preview_audio === 'string' && voice.preview_audio.startsWith('https://') ? voice.preview_audio : undefined };
			});
		return { results, paginationToken: page.hasMore && page.voices.length > 0 ? String(pageNum + 1) : undefined };
	} catch (error) {
		if (isMissingEndpoint(error)) {
			throw new NodeOperationError(this.getNode(), 'This Coze server cannot list voices (self-hosted Coze Studio has no voice list in its API). Choose "ID" and enter the voice ID.');
		}
		throw safeError(this, error);
	}
}

export { searchKnowledgeBases, searchWorkspaces } from './knowledgeSearch';
