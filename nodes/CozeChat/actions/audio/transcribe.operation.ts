import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { transcribeBinary } from '../../api/audio';
import { ItemBudget } from '../../boundaries/budget';
import { parametersOf } from '../../boundaries/parameters';
import { concurrencyOption, sortedOptions } from '../descriptions';
import { itemsInParallel } from '../parallelism';

const properties: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'data',
		hint: 'The name of the input binary field containing the audio to transcribe',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: sortedOptions([
			concurrencyOption,
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 120,
				description: 'Longest time to wait for the text; 0 means no limit. When it runs out the item fails.',
			},
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['audio'], operation: ['transcribe'] } }, properties);

/** Each item is its own request: nothing is shared, so items may run side by side. */
export const parallelism = itemsInParallel();

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const property = parameters.text('binaryPropertyName', 'Input Binary Field', { required: true });
	const timeout = parameters.number('options.timeout', 'Options → Timeout (Seconds)', { default: 120, min: 0, unit: 'seconds', minNote: '0 means no limit' });
	const result = await transcribeBinary(this, itemIndex, property, ItemBudget.of(this, timeout));
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
