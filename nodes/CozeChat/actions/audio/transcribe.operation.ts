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
		options: [
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 120,
				description: 'Seconds to wait for the text (0 = no limit)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['audio'], operation: ['transcribe'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const property = parameters.text('binaryPropertyName', 'Input Binary Field', { required: true });
	const timeout = parameters.number('options.timeout', 'Options → Timeout', { default: 120, min: 0, unit: 'seconds', minNote: '0 means no limit' });
	const result = await transcribeBinary(this, itemIndex, property, ItemBudget.of(this, timeout));
	return [{ json: result as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
