/**
 * Coze's speech API (coze-js resources/audio): POST /v1/audio/speech (text → audio bytes),
 * POST /v1/audio/transcriptions (multipart `file` → `{ text }`), GET /v1/audio/voices.
 */
import type { IDataObject } from 'n8n-workflow';

import { CozeApiError, unsupportedByServer } from '../core/errors';
import { readAudio } from '../transport/body';
import type { FilesApi } from './file';
import type { CozeHttp } from './http';

/** The encodings Coze's speech API offers (docs.coze.cn text_to_speech: wav, pcm, ogg_opus, mp3). */
export const AUDIO_FORMATS = ['mp3', 'wav', 'ogg_opus', 'pcm'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** Values the node offered before it followed Coze's documented list; workflows that saved them keep working. */
export const LEGACY_AUDIO_FORMATS: Record<string, AudioFormat> = { ogg: 'ogg_opus', opus: 'ogg_opus' };

/** What each format is saved as. */
export const AUDIO_FILE_TYPES: Record<AudioFormat, { mimeType: string; extension: string; label: string }> = {
	mp3: { mimeType: 'audio/mpeg', extension: 'mp3', label: 'MP3' },
	wav: { mimeType: 'audio/wav', extension: 'wav', label: 'WAV' },
	ogg_opus: { mimeType: 'audio/ogg', extension: 'ogg', label: 'Ogg Opus' },
	pcm: { mimeType: 'audio/pcm', extension: 'pcm', label: 'PCM (Raw Samples)' },
};

export interface SpeechRequest {
	input: string;
	voice_id: string;
	response_format: AudioFormat;
	speed: number;
	sample_rate: number;
}

export interface Voice {
	voice_id: string;
	name: string;
	[key: string]: unknown;
}

const SPEECH_PATH = '/v1/audio/speech';
const TRANSCRIPTIONS_PATH = '/v1/audio/transcriptions';
const VOICES_PATH = '/v1/audio/voices';

/** Self-hosted Coze Studio has none of the audio endpoints (its router at 4f786d6 has no /v1/audio). */
const onStudio = (what: string, path: string) => (error: unknown) => {
	throw unsupportedByServer(error, { what, path, why: 'self-hosted Coze Studio has no speech API' });
};

export class AudioApi {
	constructor(
		private readonly http: CozeHttp,
		private readonly files: FilesApi,
	) {}

	/**
	 * Synthesizes speech. Coze answers a failure as JSON, often with HTTP 200: a JSON (or empty) body
	 * is read as Coze's envelope and its error thrown, never handed back as audio.
	 */
	async speech(request: SpeechRequest): Promise<{ data: Buffer; contentType: string | undefined; logid: string | undefined }> {
		const endpoint = `POST ${SPEECH_PATH}`;
		return await this.http
			.send(
				{ method: 'POST', path: SPEECH_PATH, body: request as unknown as IDataObject, accept: 'audio/*, application/json', activity: 'waiting for Coze to synthesize the speech' },
				async (response, exchange) => {
					const data = await readAudio(response, exchange, endpoint);
					const contentType = response.mediaType || undefined;
					return { data, contentType, logid: response.logid };
				},
			)
			.catch(onStudio('Text to Speech is', SPEECH_PATH));
	}

	/** Transcribes one of the item's binary properties (Coze's speech recognition). */
	async transcribeBinary(propertyName: string): Promise<{ text: string; file_name: string; bytes: number; logid?: string }> {
		const part = await this.files.binaryPart(propertyName);
		const envelope = await this.http
			.envelope('POST', TRANSCRIPTIONS_PATH, { rawBody: part.body, activity: `waiting for Coze to transcribe '${part.fileName}'` })
			.catch(onStudio('Transcribe is', TRANSCRIPTIONS_PATH));
		const data = (envelope.data ?? {}) as IDataObject;
		const logid = (envelope.detail as IDataObject | undefined)?.logid;
		if (typeof data.text !== 'string') {
			throw new CozeApiError({ msg: `Coze's transcription of '${part.fileName}' has no text`, logid: typeof logid === 'string' ? logid : undefined });
		}
		return { text: data.text, file_name: part.fileName, bytes: part.bytes, ...(typeof logid === 'string' ? { logid } : {}) };
	}

	/** One page of the voices the token may use (system voices and the account's cloned ones). */
	async voices(page: { pageNum: number; pageSize: number; filterSystemVoice?: boolean }): Promise<{ voices: Voice[]; hasMore: boolean }> {
		const qs: IDataObject = { page_num: page.pageNum, page_size: page.pageSize };
		if (page.filterSystemVoice) qs.filter_system_voice = true;
		const data = await this.http.data<IDataObject | undefined>('GET', VOICES_PATH, { qs }).catch(onStudio('Listing voices is', VOICES_PATH));
		const list = Array.isArray(data?.voice_list) ? (data.voice_list as IDataObject[]) : [];
		const voices = list
			.filter((voice) => voice.voice_id !== undefined && voice.voice_id !== null)
			.map((voice) => ({ ...voice, voice_id: String(voice.voice_id), name: typeof voice.name === 'string' ? voice.name : String(voice.voice_id) }));
		return { voices, hasMore: data?.has_more === true };
	}
}
