import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { inputBinaryField, inputBinaryFieldOf } from '../descriptions';

const properties: INodeProperties[] = [
	inputBinaryField('The name of the input binary field containing the file to upload'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['file'], operation: ['upload'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const property = inputBinaryFieldOf(parametersOf(this, itemIndex));
	const file = await coze.files.uploadBinary(property);
	return [{ json: file as unknown as IDataObject, pairedItem: { item: itemIndex } }];
}
