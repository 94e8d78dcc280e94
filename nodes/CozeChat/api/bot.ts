/**
 * Coze's bot (agent) API, for prompt-ops: list drafts and published bots, read a configuration,
 * create, update, publish, unpublish, list versions. Shapes from Coze's docs (coze-sdk-gen
 * docs/api-markdown: bots_list_draft_published, get_metadata_draft_published, create_bot,
 * update_bot, publish_bot, list_bot_versions) and cozepy 6b0f4cd (bots/__init__.py unpublish,
 * bots/versions). Self-hosted Coze Studio serves GET /v1/bots/:id only; the rest say so.
 */
import type { IDataObject } from 'n8n-workflow';

import { CozeApiError, unsupportedByServer } from '../core/errors';
import { envelopeObject } from './envelope';
import type { CozeHttp } from './http';

/** /v1/bots: documented default 20, no documented maximum; ask for the default. */
export const BOT_LIST_PAGE_SIZE = 20;
/** /v1/bots/:id/versions: 1–30 (list_bot_versions.md). */
export const BOT_VERSION_PAGE_SIZE = 30;

/** The channel ids Coze documents for publishing: 1024 the API, 999 the Chat SDK. */
export const API_CHANNEL = '1024';

export type BotListStatus = 'all' | 'published_online' | 'published_draft' | 'unpublished_draft';

/** Coze's "server issues, try again after a short delay" answer to a publish (coze-java #47). */
export const PUBLISH_RETRY_CODE = 702042078;

/** The endpoints Coze Studio lacks, for "not supported by this Coze server". */
const STUDIO_WHY = 'self-hosted Coze Studio manages agents in its web UI; its Open API only reads one, with GET /v1/bots/:bot_id';

function onStudio(what: string, path: string) {
	return (error: unknown): never => {
		throw unsupportedByServer(error, { what, path, why: STUDIO_WHY });
	};
}

export class BotsApi {
	constructor(private readonly http: CozeHttp) {}

	/** One page of a workspace's bots in one publish status. */
	async list(query: { workspaceId: string; status: BotListStatus; connectorId?: string; page: number }): Promise<{ items: IDataObject[]; total?: number; hasMore?: boolean }> {
		// Coze's docs name the page page_num; cozepy (6b0f4cd _list_v2) sends page_index: send both, so
		// whichever the server reads, page 2 is page 2 and not page 1 again.
		const qs: IDataObject = { workspace_id: query.workspaceId, publish_status: query.status, page_num: query.page, page_index: query.page, page_size: BOT_LIST_PAGE_SIZE };
		if (query.connectorId && (query.status === 'published_online' || query.status === 'published_draft')) qs.connector_id = query.connectorId;
		const data = await this.http.data<IDataObject | undefined>('GET', '/v1/bots', { qs }).catch(onStudio('Listing bots is', 'GET /v1/bots'));
		const items = Array.isArray(data?.items) ? (data.items as IDataObject[]) : [];
		return { items, total: typeof data?.total === 'number' ? data.total : undefined, hasMore: typeof data?.has_more === 'boolean' ? data.has_more : undefined };
	}

	/** A bot's configuration: its published version, or its current draft. */
	async get(botId: string, draft: boolean): Promise<IDataObject> {
		const path = `/v1/bots/${botId}`;
		const envelope = await this.http.envelope('GET', path, { qs: { is_published: draft ? 'false' : 'true' } });
		return envelopeObject(envelope, [], 'bot', `GET ${path}`);
	}

	/** A new draft bot; Coze answers with its id. */
	async create(body: IDataObject): Promise<string> {
		const data = await this.http.data<IDataObject | undefined>('POST', '/v1/bot/create', { body }).catch(onStudio('Creating bots is', 'POST /v1/bot/create'));
		const botId = data?.bot_id;
		if (typeof botId !== 'string' || botId === '') {
			throw new CozeApiError({ msg: 'Coze answered POST /v1/bot/create without error but also without the new bot_id' });
		}
		return botId;
	}

	/** Changes the draft: only the fields in `body` (Coze leaves the others as they are). */
	async update(body: IDataObject): Promise<void> {
		await this.http.data('POST', '/v1/bot/update', { body }).catch(onStudio('Updating bots is', 'POST /v1/bot/update'));
	}

	/** Publishes the current draft to the channels; Coze answers with the new version. */
	async publish(botId: string, connectorIds: string[], connectors?: IDataObject): Promise<IDataObject> {
		const body: IDataObject = { bot_id: botId, connector_ids: connectorIds };
		if (connectors && Object.keys(connectors).length > 0) body.connectors = connectors;
		let failure: unknown;
		try {
			return (await this.http.data<IDataObject | undefined>('POST', '/v1/bot/publish', { body })) ?? {};
		} catch (error) {
			failure = error;
		}
		throw publishFailure(failure);
	}

	/** Takes the bot off one channel. */
	async unpublish(botId: string, connectorId: string, reason?: string): Promise<void> {
		const path = `/v1/bots/${botId}/unpublish`;
		const body: IDataObject = { bot_id: botId, connector_id: connectorId };
		if (reason) body.unpublish_reason = reason;
		await this.http.data('POST', path, { body }).catch(onStudio('Unpublishing bots is', `POST ${path}`));
	}

	/** One page of a bot's versions (published ones, or its draft). */
	async versions(query: { botId: string; status: 'published_online' | 'unpublished_draft'; connectorId?: string; page: number }): Promise<{ items: IDataObject[]; total?: number; hasMore?: boolean }> {
		const path = `/v1/bots/${query.botId}/versions`;
		const qs: IDataObject = { page_num: query.page, page_size: BOT_VERSION_PAGE_SIZE, publish_status: query.status };
		if (query.connectorId && query.status === 'published_online') qs.connector_id = query.connectorId;
		const data = await this.http.data<IDataObject | undefined>('GET', path, { qs }).catch(onStudio('Bot versions are', `GET ${path}`));
		const items = Array.isArray(data?.items) ? (data.items as IDataObject[]) : [];
		// Coze's docs page with has_more, cozepy with total: honour whichever comes.
		return { items, total: typeof data?.total === 'number' ? data.total : undefined, hasMore: typeof data?.has_more === 'boolean' ? data.has_more : undefined };
	}
}

/** A publish error as it should reach the user: Coze's "try again" code says how, Studio says it cannot. */
function publishFailure(error: unknown): unknown {
	if (error instanceof CozeApiError && error.code === PUBLISH_RETRY_CODE) {
		return new CozeApiError({
			code: error.code,
			msg: error.msg,
			logid: error.logid,
			httpStatus: error.httpStatus,
			hint: 'Coze could not publish right now (it says: try again after a short delay). Nothing was published: run Publish again in a minute (Settings → Retry On Fail with Wait Between Tries of 30000 ms or more does that), then check with Get Versions. If it keeps failing, open the agent in Coze and check that its draft can be published there (a model chosen, no errors shown).',
		});
	}
	return unsupportedByServer(error, { what: 'Publishing bots is', path: 'POST /v1/bot/publish', why: STUDIO_WHY });
}
