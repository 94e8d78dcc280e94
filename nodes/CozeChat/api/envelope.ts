/** Where Coze's answers put their payload: `data` on the cloud, other keys on Coze Studio. */
import type { IDataObject } from 'n8n-workflow';

import { CozeApiError } from '../core/errors';
import type { CozeMessage } from '../core/types';

/**
 * The object an envelope carries under `data` or one of `alternatives`. A successful answer without
 * it is reported, never turned into an empty item.
 */
export function envelopeObject(envelope: IDataObject, alternatives: string[], what: string, endpoint: string): IDataObject {
	for (const key of ['data', ...alternatives]) {
		const value = envelope[key];
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as IDataObject;
	}
	throw new CozeApiError({
		msg: `Coze answered ${endpoint} without error but also without the ${what} (response keys: ${Object.keys(envelope).join(', ') || 'none'})`,
		logid: ((envelope.detail as IDataObject | undefined)?.logid as string | undefined) ?? undefined,
	});
}

/**
 * The message list of an envelope: `data` (cloud) or `Messages` (Coze Studio). Neither key means no
 * messages: the cloud leaves `data` out for a failed chat, Studio leaves `Messages` out when empty.
 */
export function envelopeMessages(envelope: IDataObject): CozeMessage[] {
	for (const key of ['data', 'Messages']) {
		const value = envelope[key];
		if (Array.isArray(value)) return value as CozeMessage[];
	}
	return [];
}
