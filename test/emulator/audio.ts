/**
 * Coze's speech API (POST /v1/audio/speech, POST /v1/audio/transcriptions, GET /v1/audio/voices) in
 * the shapes of coze-js resources/audio: speech answers the audio bytes themselves (mp3 by default,
 * sample_rate 24000), a transcription `{ text }`, the voice list `{ voice_list, has_more }` paged by
 * page_num / page_size (at most 100).
 *
 * The audio is real, playable sound of a plausible length, though no voice (test/emulator/speech.ts),
 * and carries the request (SPEECH_MARKER and its JSON inside the file's own metadata), so a test can
 * see what was asked, and a transcription of such a file gives its text back (a Text to Speech →
 * Transcribe round trip). Assumed, not sourced: the codes and texts of
 * the errors (an unknown voice, text over 1024 bytes, a file that is not audio); they take
 * Coze's generic 4000 "invalid parameter" shape, answered as JSON with HTTP 200.
 */
import { parseMultipart, type CozeEmulator, type EmulatorRoute } from './server';
import { mp3File, oggOpusFile, pcmFile, readSpeechRequest, wavFile, type SpeechRequest } from './speech';

export { SPEECH_MARKER, readSpeechRequest } from './speech';

export interface EmulatedVoice {
	voice_id: string;
	name: string;
	is_system_voice: boolean;
	language_code: string;
	language_name: string;
	preview_text: string;
	preview_audio: string;
	available_training_times: number;
	create_time: number;
	update_time: number;
}

function voice(voiceId: string, name: string, languageCode: string, languageName: string, system = true): EmulatedVoice {
	return {
		voice_id: voiceId,
		name,
		is_system_voice: system,
		language_code: languageCode,
		language_name: languageName,
		preview_text: '你好，我是你的专属AI克隆声音，希望未来可以一起好好相处哦',
		preview_audio: `https://lf3-appstore-sign.oceancloudapi.com/ocean-cloud-tos/VoiceAssets/${voiceId}.mp3`,
		available_training_times: system ? 0 : 9,
		create_time: 1718792949,
		update_time: 1718792949,
	};
}

/** 105 voices, so a full list takes two pages of 100; one of them the account's cloned voice. */
export const VOICES: EmulatedVoice[] = [
	voice('7426720361733046281', 'Cheerful Girl', 'zh', 'Chinese'),
	voice('7426720361733062665', 'Calm Narrator', 'en', 'English'),
	voice('7468512265151365129', 'My Cloned Voice', 'zh', 'Chinese', false),
	...Array.from({ length: 102 }, (_, i) => voice(String(7426720361733100000n + BigInt(i)), `Studio Voice ${i + 1}`, 'en', 'English')),
];

const WRITERS: Record<string, (request: SpeechRequest, rate: number) => Buffer> = { mp3: mp3File, wav: wavFile, ogg_opus: oggOpusFile, pcm: pcmFile };
/**
 * A text that makes the speech endpoint answer as a captive portal or a misconfigured proxy would:
 * HTTP 200 with an HTML page instead of audio (the node must not save it as speech).
 */
export const PROXY_PAGE_INPUT = 'Answer like a captive portal';
export const PROXY_PAGE = '<!DOCTYPE html><html><head><title>Guest Wi-Fi</title></head><body>Sign in to continue</body></html>';

const CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', wav: 'audio/wav', ogg_opus: 'audio/ogg', pcm: 'audio/pcm' };

export class AudioEmulator {
	/** What each speech request asked for, in order. */
	readonly speechRequests: Array<Record<string, unknown>> = [];

	constructor(private readonly emulator: CozeEmulator) {}

	readonly route: EmulatorRoute = async (request) => {
		const { res } = request;
		if (request.method === 'GET' && request.path === '/v1/audio/voices') {
			const size = Number(request.query.page_size ?? 100);
			const page = Number(request.query.page_num ?? 1);
			if (!(size > 0 && size <= 100) || !(page > 0)) {
				return this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: page_size must be in (0, 100], page_num > 0' }), true;
			}
			// The 102 "Studio Voice" fillers are there for paging tests: the demo lists the named voices only.
			const voices = this.emulator.demo ? VOICES.slice(0, 3) : VOICES;
			const list = request.query.filter_system_voice === 'true' ? voices.filter((v) => !v.is_system_voice) : voices;
			const slice = list.slice((page - 1) * size, page * size);
			return this.emulator.ok(res, { voice_list: slice, has_more: page * size < list.length }), true;
		}
		if (request.method === 'POST' && request.path === '/v1/audio/speech') {
			const body = (request.body ?? {}) as Record<string, unknown>;
			this.speechRequests.push(body);
			const input = typeof body.input === 'string' ? body.input : '';
			const format = typeof body.response_format === 'string' ? body.response_format : 'mp3';
			if (!input) return this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: input is required' }), true;
			if (input === PROXY_PAGE_INPUT) {
				res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
				res.end(PROXY_PAGE);
				return true;
			}
			if (Buffer.byteLength(input, 'utf8') > 1024) return this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: input is longer than 1024 bytes' }), true;
			if (!VOICES.some((v) => v.voice_id === body.voice_id)) {
				return this.emulator.json(res, 200, { code: 4000, msg: `Request parameter error: voice_id ${String(body.voice_id)} does not exist` }), true;
			}
			if (!(format in WRITERS)) return this.emulator.json(res, 200, { code: 4000, msg: `Request parameter error: response_format ${format} is not supported` }), true;
			const rate = typeof body.sample_rate === 'number' && body.sample_rate >= 8000 && body.sample_rate <= 48000 ? body.sample_rate : 24000;
			const audio = WRITERS[format]({ input, voice_id: body.voice_id, response_format: format, speed: body.speed, sample_rate: body.sample_rate }, rate);
			res.writeHead(200, { 'Content-Type': CONTENT_TYPES[format], 'Content-Length': String(audio.length), 'X-Tt-Logid': '20241210152726467C48D89D6DB2F3ED2F' });
			res.end(audio);
			return true;
		}
		if (request.method === 'POST' && request.path === '/v1/audio/transcriptions') {
			const file = parseMultipart(String(request.req.headers['content-type'] ?? ''), request.rawBytes).find((p) => p.name === 'file');
			if (!file) return this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: file is required' }), true;
			if (!/^audio\//.test(file.contentType ?? '') && !/\.(mp3|wav|ogg|opus|pcm|m4a|aac)$/i.test(file.filename ?? '')) {
				return this.emulator.json(res, 200, { code: 4000, msg: `Request parameter error: unsupported audio format (${file.contentType ?? 'unknown'})` }), true;
			}
			const text = readSpeechRequest(file.data)?.input ?? `(${file.data.length} bytes of speech)`;
			return this.emulator.ok(res, { text }), true;
		}
		return false;
	};
}
