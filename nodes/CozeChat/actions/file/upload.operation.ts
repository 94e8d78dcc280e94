import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { uploadBinary } from '../../api/file';
import { parametersOf } from '../../boundaries/parameters';

const properties: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'data',
		hint: 'The name of the input binary field containing the file to upload',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['file'], operation: ['upload'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const property = parametersOf(this, itemIndex).text('binaryPropertyName', 'Input Binary Field', { required: true });
	const file = await uploadBinary(this, itemIndex, property);
	return [{ json: file as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
