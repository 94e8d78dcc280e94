import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { AUDIO_FILE_TYPES, AUDIO_FORMATS, LEGACY_AUDIO_FORMATS, type AudioFormat } from '../../api/audio';
import type { CozeClient } from '../../api/client';
import { parametersOf } from '../../boundaries/parameters';
import { concurrencyOption, sortedOptions } from '../descriptions';
import { itemsInParallel } from '../parallelism';
import { audioTimeoutOption, audioTimeoutSecondsOf } from './common';

/** Coze's limit on the text of one request: 1024 bytes of UTF-8 (docs.coze.cn text_to_speech), about 341 Chinese characters. */
export const MAX_SPEECH_BYTES = 1024;
const SAMPLE_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000];

export const voiceIdLocator: INodeProperties = {
	displayName: 'Voice',
	name: 'voiceId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Coze voice to speak with',
	builderHint: {
		propertyHint: "The voice's ID (Audio → Get Many Voices lists them): { __rl: true, mode: 'id', value: '<voice_id>' }",
	},
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a voice...',
			typeOptions: { searchListMethod: 'searchVoices', searchable: true },
		},
		{ displayName: 'ID', name: 'id', type: 'string', placeholder: 'e.g. 7426720361733046281' },
	],
};

const properties: INodeProperties[] = [
	{
		displayName: 'Text',
		name: 'input',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.answer }}',
		description: `What to say, at most ${MAX_SPEECH_BYTES} bytes in UTF-8 (about 1000 Latin or 340 Chinese characters)`,
	},
	voiceIdLocator,
	{
		displayName: 'Put Output in Field',
		name: 'binaryPropertyOutput',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the audio in',
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
				displayName: 'Audio Format',
				name: 'responseFormat',
				type: 'options',
				options: AUDIO_FORMATS.map((format) => ({ name: AUDIO_FILE_TYPES[format].label, value: format })),
				default: 'mp3',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'e.g. answer.mp3',
				description: 'Name of the audio file; empty: speech.mp3, speech.wav, … after the format',
			},
			{
				displayName: 'Sample Rate',
				name: 'sampleRate',
				type: 'options',
				options: SAMPLE_RATES.map((rate) => ({ name: `${rate} Hz`, value: rate })),
				default: 24000,
			},
			{
				displayName: 'Speed',
				name: 'speed',
				type: 'number',
				typeOptions: { minValue: 0.2, maxValue: 3, numberPrecision: 1 },
				default: 1,
				description: 'How fast the voice speaks, from 0.2 to 3 (1 is normal)',
			},
			audioTimeoutOption('the audio'),
		]),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['audio'], operation: ['textToSpeech'] } }, properties);

/** Each item is its own request: nothing is shared, so items may run side by side. */
export const parallelism = itemsInParallel();

/** The item's time: Options → Timeout (Seconds). */
export const timeoutSeconds = audioTimeoutSecondsOf;

export async function execute(this: IExecuteFunctions, itemIndex: number, coze: CozeClient): Promise<INodeExecutionData[]> {
	const parameters = parametersOf(this, itemIndex);
	const input = parameters.text('input', 'Text', { required: true, keepSpaces: true });
	const inputBytes = Buffer.byteLength(input, 'utf8');
	if (inputBytes > MAX_SPEECH_BYTES) {
		parameters.fail(
			`Text is ${inputBytes} bytes long in UTF-8 (${input.length} characters); Coze speaks at most ${MAX_SPEECH_BYTES} bytes per request (about 1000 Latin or 340 Chinese characters)`,
			'Split the text (for example with a Code node) and convert each part on its own item.',
		);
	}
	const voiceId = String(parameters.raw('voiceId', 'Voice', '', { extractValue: true }) ?? '').trim();
	if (voiceId === '') parameters.fail('Voice: choose one from the list or enter its ID');
	const field = parameters.text('binaryPropertyOutput', 'Put Output in Field', { required: true });
	const chosen = parameters.text('options.responseFormat', 'Options → Audio Format', { default: 'mp3' });
	const format = (LEGACY_AUDIO_FORMATS[chosen] ?? chosen) as AudioFormat;
	if (!(AUDIO_FORMATS as readonly string[]).includes(format)) {
		parameters.fail(`Options → Audio Format: '${format}' is not one of ${AUDIO_FORMATS.join(', ')}`);
	}
	const sampleRate = parameters.number('options.sampleRate', 'Options → Sample Rate', { default: 24000, integer: true, min: 8000, max: 48000, unit: 'Hz' });
	if (!SAMPLE_RATES.includes(sampleRate)) {
		parameters.fail(`Options → Sample Rate: ${sampleRate} Hz is not one Coze offers (${SAMPLE_RATES.join(', ')})`);
	}
	const speed = parameters.number('options.speed', 'Options → Speed', { default: 1, min: 0.2, max: 3 });
	const fileType = AUDIO_FILE_TYPES[format];
	const fileName = parameters.text('options.fileName', 'Options → File Name') || `speech.${fileType.extension}`;

	const audio = await coze.audio.speech({ input, voice_id: voiceId, response_format: format, speed, sample_rate: sampleRate });
	const binary = await this.helpers.prepareBinaryData(audio.data, fileName, fileType.mimeType);
	return [
		{
			json: {
				voice_id: voiceId,
				format,
				sample_rate: sampleRate,
				speed,
				characters: input.length,
				bytes: audio.data.length,
				content_type: audio.contentType ?? fileType.mimeType,
				...(audio.logid ? { logid: audio.logid } : {}),
			},
			binary: { [field]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}
