import type { INodeExecutionData, INodeParameters, StructuredChunk } from 'n8n-workflow';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { EMULATOR_TOKEN, type CozeEmulator } from '../emulator/server';
import { scenarios } from '../emulator/workflowScenarios';
import { runNode } from '../harness';

/** Runs the node in n8n-core's engine against the emulator; `onChunk` makes it a streaming execution. */
export async function runWorkflowNode(
	emulator: CozeEmulator,
	parameters: INodeParameters,
	options: {
		items?: INodeExecutionData[];
		continueOnFail?: boolean;
		abortSignal?: AbortSignal;
		onChunk?: (chunk: StructuredChunk) => void;
		/** The node's version (the latest when not given). */
		typeVersion?: number;
		/** The credential's Base URL (the emulator's own URL when not given). */
		baseUrl?: string;
	} = {},
): Promise<INodeExecutionData[]> {
	const { items } = await runNode({
		node: new CozeChat(),
		credentialType: new CozeApi(),
		credentials: { region: 'custom', baseUrl: options.baseUrl ?? emulator.url, accessToken: EMULATOR_TOKEN },
		parameters,
		items: options.items,
		continueOnFail: options.continueOnFail,
		abortSignal: options.abortSignal,
		onChunk: options.onChunk,
		typeVersion: options.typeVersion,
	});
	return items;
}

export function workflowParams(operation: string, workflowId: string, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'workflow',
		operation,
		workflowId: { __rl: true, mode: 'id', value: workflowId },
		options: {},
		...extra,
	};
}

export const runParams = (scenario: keyof typeof scenarios, extra: INodeParameters = {}) =>
	workflowParams('run', scenarios[scenario].workflowId, extra);
