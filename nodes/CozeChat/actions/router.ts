import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItemJson, toNodeError } from '../transport/errors';
import * as chat from './chat/Chat.resource';
import * as conversation from './conversation/Conversation.resource';
import * as file from './file/File.resource';

type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

/** resource → operation → execute; adding an operation means adding it to its resource file. */
const operations: Record<string, Record<string, { execute: Operation }>> = {
	chat: {
		sendMessage: chat.sendMessage,
		retrieve: chat.retrieve,
		listMessages: chat.listMessages,
		cancel: chat.cancel,
		submitToolOutputs: chat.submitToolOutputs,
	},
	conversation: {
		create: conversation.create,
		get: conversation.get,
		list: conversation.list,
		clearContext: conversation.clearContext,
	},
	file: { upload: file.upload },
};

/**
 * Runs the chosen operation once per input item. Every output item carries its pairedItem; with
 * Continue On Fail a failing item becomes an error item and the others still run.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const handler = operations[resource]?.[operation];
			if (!handler) {
				throw new Error(`The operation '${operation}' of resource '${resource}' is not supported`);
			}
			output.push(...(await handler.execute.call(this, itemIndex)));
		} catch (error) {
			const nodeError = toNodeError(this.getNode(), error, itemIndex);
			if (this.continueOnFail()) {
				output.push({ json: errorItemJson(nodeError), pairedItem: { item: itemIndex } });
				continue;
			}
			throw nodeError;
		}
	}
	return [output];
}
