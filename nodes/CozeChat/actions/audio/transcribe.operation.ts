import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { concurrencyOption, inputBinaryField, inputBinaryFieldOf, sortedOptions } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import { audioTimeoutOption, audioTimeoutSecondsOf } from './common';

const properties: INodeProperties[] = [
	inputBinaryField('The name of the input binary field containing the audio to transcribe'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([
			concurrencyOption,
			audioTimeoutOption('the text'),
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['audio'], operation: ['transcribe'] } }, properties);

/** Each item is its own request: nothing is shared, so items may run side by side. */
export const parallelism = itemsInParallel();

/** The item's time: Options → Timeout (Seconds). */
export const timeoutSeconds = audioTimeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const property = inputBinaryFieldOf(parameters);
	const result = await coze.audio.transcribeBinary(property);
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
