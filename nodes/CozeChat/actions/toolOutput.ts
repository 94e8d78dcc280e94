import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemParameters } from '../boundaries/parameters';
import { keepFullResult } from './telemetry';

/**
 * As a tool of n8n's AI Agent the node hands its result to a language model, which pays for every
 * token of it: by default the model gets the answer and the ids it may need to go on (like n8n's
 * own vendor nodes' Simplify Output), not usage counters and empty lists. Shown only on the tool
 * variant of the node (`@tool`).
 */
export const simplifyForToolField: INodeProperties = {
	displayName: 'Simplify Output',
	name: 'simplifyToolOutput',
	type: 'boolean',
	default: true,
	description: 'Whether to give the model only the answer and the IDs it needs to continue, instead of the full result',
	displayOptions: { show: { '@tool': [true] } },
};

/** True when the node runs as a tool of the AI Agent (n8n names the tool variant "<type>Tool"). */
export function runsAsTool(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}

/** `full`, or only its `keys` (those that hold something) when the node runs as a tool and simplifies. */
export function forTheModel(parameters: ItemParameters, full: IDataObject, keys: string[]): IDataObject {
	if (!runsAsTool(parameters.context) || !parameters.boolean('simplifyToolOutput', 'Simplify Output', true)) return full;
	const simple: IDataObject = {};
	for (const key of keys) {
		const value = full[key];
		if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) continue;
		simple[key] = value;
	}
	keepFullResult(simple, full); // its usage still counts in n8n's token total
	return simple;
}
