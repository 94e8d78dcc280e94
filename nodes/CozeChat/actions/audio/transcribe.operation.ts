import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { transcribeBinary } from '../../api/audio';
import { parametersOf } from '../../boundaries/parameters';
import { concurrencyOption, inputBinaryField, inputBinaryFieldOf, sortedOptions } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import { audioBudgetOf, audioTimeoutOption } from './common';

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

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const property = inputBinaryFieldOf(parameters);
	const budget = audioBudgetOf(this, parameters);
	const result = await transcribeBinary(this, itemIndex, property, budget);
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
