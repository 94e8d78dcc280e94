import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { EMULATOR_TOKEN, type CozeEmulator } from '../emulator/server';
import { runNode, testCredential, type CredentialTestResult, type RunNodeOptions, type RunNodeResult } from '../harness';

export interface RunCozeOptions {
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	token?: string;
	abortSignal?: AbortSignal;
	baseUrl?: string;
	onChunk?: (chunk: { type: string; content?: string }) => void;
	/** The workflow's static data as loaded from n8n's database. */
	staticData?: IDataObject;
	/** Tool sub-nodes on the node's Tools input (see the harness's RunNodeOptions.tools). */
	tools?: RunNodeOptions['tools'];
}

/** Runs the Coze Chat node inside n8n-core's real execution context against the emulator. */
export async function runCoze(
	emulator: CozeEmulator,
	parameters: INodeParameters,
	options: RunCozeOptions = {},
): Promise<INodeExecutionData[]> {
	return (await runCozeWithState(emulator, parameters, options)).items;
}

/** Like runCoze, with the workflow's static data in (as loaded from n8n's database) and out. */
export async function runCozeWithState(
	emulator: CozeEmulator,
	parameters: INodeParameters,
	options: RunCozeOptions = {},
): Promise<RunNodeResult> {
	return await runNode({
		node: new CozeChat(),
		credentialType: new CozeApi(),
		credentials: { region: 'custom', baseUrl: options.baseUrl ?? emulator.url, accessToken: options.token ?? EMULATOR_TOKEN },
		parameters,
		items: options.items,
		continueOnFail: options.continueOnFail,
		abortSignal: options.abortSignal,
		onChunk: options.onChunk,
		staticData: options.staticData,
		tools: options.tools,
	});
}

export function sendMessage(botId: string, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'chat',
		operation: 'sendMessage',
		botId: { __rl: true, mode: 'id', value: botId },
		userId: 'it-user',
		message: 'What day is 2024-10-01?',
		options: {},
		...extra,
	};
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
	try {
		await promise;
	} catch (error) {
		return error as Error & Record<string, unknown>;
	}
	throw new Error('expected a rejection, but the promise resolved');
}

/** The Coze API credential's test, as n8n runs it (the node tests it: `testedBy`). */
export async function testCozeCredential(credentials: Record<string, unknown>): Promise<CredentialTestResult> {
	return await testCredential(new CozeApi(), credentials as never, undefined, new CozeChat());
}
