import type { INodeProperties } from 'n8n-workflow';

import * as getVoices from './getVoices.operation';
import * as textToSpeech from './textToSpeech.operation';
import * as transcribe from './transcribe.operation';

export { getVoices, textToSpeech, transcribe };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['audio'] } },
		options: [
			{
				name: 'Get Many Voices',
				value: 'getVoices',
				description: 'List the voices Text to Speech can use (system voices and your cloned ones)',
				action: 'Get many voices',
			},
			{
				name: 'Text to Speech',
				value: 'textToSpeech',
				description: 'Turn text into speech with a Coze voice; the audio is a binary output field',
				action: 'Convert text to speech',
			},
			{
				name: 'Transcribe',
				value: 'transcribe',
				description: 'Turn the speech in an input binary field into text',
				action: 'Transcribe audio to text',
			},
		],
		default: 'textToSpeech',
	},
	...textToSpeech.description,
	...transcribe.description,
	...getVoices.description,
];
