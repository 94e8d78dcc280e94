import type { INodeProperties } from 'n8n-workflow';

import type { ItemParameters, NumberRule } from '../../boundaries/parameters';

/** One speech request takes seconds, not the minutes a chat may: a shorter default than chats. */
const AUDIO_TIMEOUT_RULE: NumberRule = { default: 120, min: 0, unit: 'seconds', minNote: '0 means no limit' };

/** Options → Timeout (Seconds) of an audio operation; `what` is what it waits for ("the audio"). */
export function audioTimeoutOption(what: string): INodeProperties {
	return {
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 120, // AUDIO_TIMEOUT_RULE.default (n8n's lint wants a literal)
		description: `Longest time to wait for ${what}; 0 means no limit. When it runs out the item fails.`,
	};
}

/** Options → Timeout (Seconds) of an audio operation (0: none). */
export function audioTimeoutSecondsOf(parameters: ItemParameters): number {
	return parameters.number('options.timeout', 'Options → Timeout (Seconds)', AUDIO_TIMEOUT_RULE);
}
