import { NodeOperationError, type ILoadOptionsFunctions, type INodeListSearchResult } from 'n8n-workflow';

import { CozeClient } from '../api/client';
import { isMissingEndpoint } from '../core/errors';
import { hasMorePages } from '../core/paging';
import { safeError } from '../boundaries/output';
import { searchAcrossWorkspaces } from './acrossWorkspaces';

/** Upper bound on bot pages per workspace, so a huge account cannot stall the picker. */
const MAX_BOT_PAGES = 50;

/**
 * Bot picker of the Agent (Bot) resource: every bot of every workspace the token sees, drafts that
 * were never published included (Coze's publish_status=all), filtered by name or id.
 */
export async function searchBotsWithDrafts(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const needle = (filter ?? '').trim().toLowerCase();
		const coze = CozeClient.forPicker(this);
		return await searchAcrossWorkspaces(this, coze, paginationToken, {
			maxPages: MAX_BOT_PAGES,
			page: async (workspace, page, seen) => {
				const data = await coze.bots.list({ workspaceId: workspace.id, status: 'all', page });
				return { items: data.items, more: hasMorePages({ received: data.items.length, seen: seen + data.items.length, hasMore: data.hasMore, total: data.total }) };
			},
			entry: (bot, workspace, site) => {
				const id = String(bot.id ?? '');
				const name = typeof bot.name === 'string' && bot.name !== '' ? bot.name : id;
				if (!/^\d+$/.test(id)) return undefined;
				if (needle && !name.toLowerCase().includes(needle) && !id.includes(needle)) return undefined;
				const draft = bot.is_published === false ? ' (draft, never published)' : '';
				return { name: `${name}${draft}`, value: id, url: site ? `${site}/space/${workspace.id}/bot/${id}` : undefined, description: typeof bot.description === 'string' ? bot.description : undefined };
			},
		});
	} catch (error) {
		if (isMissingEndpoint(error) || /not supported by this Coze server/.test(error instanceof Error ? error.message : '')) {
			throw new NodeOperationError(
				this.getNode(),
				'This Coze server cannot list bots (self-hosted Coze Studio has no bot list in its API). Choose "By ID" and enter the bot ID, or "By URL" and paste the bot editor URL.',
			);
		}
		throw safeError(this, error);
	}
}
