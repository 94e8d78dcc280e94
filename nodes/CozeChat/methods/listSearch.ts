import {
	NodeOperationError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { isMissingEndpoint } from '../core/errors';
import { hasMorePages } from '../core/paging';
import { CozeClient } from '../api/client';
import { safeError } from '../boundaries/output';
import { searchAcrossWorkspaces } from './acrossWorkspaces';

/** Upper bound on bot pages per workspace, so a huge account cannot stall the picker. */
const MAX_BOT_PAGES = 50;

/**
 * Bot picker: published bots of every workspace the token can see, filtered by name or id, one
 * picker page at a time.
 */
export async function searchBots(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	try {
		const needle = (filter ?? '').trim().toLowerCase();
		const coze = CozeClient.forPicker(this);
		return await searchAcrossWorkspaces(this, coze, paginationToken, {
			maxPages: MAX_BOT_PAGES,
			page: async (workspace, page, seen) => {
				const data = await coze.workspaces.publishedBots(workspace.id, page);
				const items = data?.items ?? [];
				return { items, more: hasMorePages({ received: items.length, seen: seen + items.length, hasMore: data?.has_more, total: data?.total }) };
			},
			entry: (bot, workspace, site) => {
				const name = bot.name || bot.id;
				if (needle && !name.toLowerCase().includes(needle) && !bot.id.includes(needle)) return undefined;
				return { name, value: bot.id, url: site ? `${site}/space/${workspace.id}/bot/${bot.id}` : undefined, description: bot.description };
			},
		});
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
		const page = await CozeClient.forPicker(this).audio.voices({ pageNum, pageSize: 100 });
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

export { searchBotsWithDrafts } from './botSearch';
export { searchPluginCategories, searchPlugins, searchPluginTools } from './pluginSearch';
