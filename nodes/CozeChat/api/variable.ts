/** Coze's user variables of a bot or an app: read (GET /v1/variables) and set (PUT /v1/variables). */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ItemBudget } from '../boundaries/budget';
import { cozeApiRequest } from '../transport/request';

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

/** The values of `keywords` (all of the owner's user variables when empty). */
export async function getVariables(context: IExecuteFunctions, owner: VariableOwner, keywords: string[], budget?: ItemBudget): Promise<VariableValue[]> {
	const qs: IDataObject = { ...owner };
	// Comma-separated, as Coze's docs and cozepy send it.
	if (keywords.length > 0) qs.keywords = keywords.join(',');
	const data = (await cozeApiRequest.call(context, 'GET', VARIABLES_PATH, { qs, budget })) as IDataObject | undefined;
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
export async function setVariables(context: IExecuteFunctions, owner: VariableOwner, values: Record<string, string>, budget?: ItemBudget): Promise<void> {
	const data = Object.entries(values).map(([keyword, value]) => ({ keyword, value }));
	await cozeApiRequest.call(context, 'PUT', VARIABLES_PATH, { body: { ...owner, data }, budget });
}
