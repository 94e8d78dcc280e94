/** Coze's user variables of a bot or an app: read (GET /v1/variables) and set (PUT /v1/variables). */
import type { IDataObject } from 'n8n-workflow';

import { unsupportedByServer } from '../core/errors';
import type { CozeHttp } from './http';

export const VARIABLES_PATH = '/v1/variables';

/** Whose variables: a bot's or an app's, for one user (connector_uid) of one channel. */
export interface VariableOwner {
	bot_id?: string;
	app_id?: string;
	connector_id: string;
	connector_uid: string;
}

export interface VariableValue {
	keyword: string;
	value: string;
	create_time?: number;
	update_time?: number;
}

/** Self-hosted Coze Studio has no variables Open API: say so instead of its web-session 401. */
const onStudio = (error: unknown) => {
	throw unsupportedByServer(error, { what: 'Variables are', path: VARIABLES_PATH, why: 'self-hosted Coze Studio does not offer one to API tokens' });
};

export class VariablesApi {
	constructor(private readonly http: CozeHttp) {}

	/** The values of `keywords` (all of the owner's user variables when empty). */
	async get(owner: VariableOwner, keywords: string[]): Promise<VariableValue[]> {
		const qs: IDataObject = { ...owner };
		// Comma-separated, as Coze's docs and cozepy send it.
		if (keywords.length > 0) qs.keywords = keywords.join(',');
		const data = await this.http.data<IDataObject | undefined>('GET', VARIABLES_PATH, { qs }).catch(onStudio);
		const items = Array.isArray(data?.items) ? (data.items as IDataObject[]) : [];
		return items
			.filter((item) => typeof item.keyword === 'string')
			.map((item) => ({
				keyword: item.keyword as string,
				value: typeof item.value === 'string' ? item.value : JSON.stringify(item.value ?? ''),
				create_time: typeof item.create_time === 'number' ? item.create_time : undefined,
				update_time: typeof item.update_time === 'number' ? item.update_time : undefined,
			}));
	}

	/** Sets the given values (Coze answers with no data). */
	async set(owner: VariableOwner, values: Record<string, string>): Promise<void> {
		const data = Object.entries(values).map(([keyword, value]) => ({ keyword, value }));
		await this.http.data('PUT', VARIABLES_PATH, { body: { ...owner, data } }).catch(onStudio);
	}
}
