/**
 * Audio resource against the emulator over real sockets, in n8n-core's execution context: Text to
 * Speech into a binary field (n8n's binary helpers), a JSON error never saved as audio, Transcribe
 * of an input binary field, Get Many Voices over Coze's pages and the voice picker.
 */
import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { VOICES, readSpeechRequest } from '../emulator/audio';
import { answer, endless, on, serverSide } from '../emulator/hostile';
import { CozeEmulator, EMULATOR_TOKEN } from '../emulator/server';
import { runListSearch } from '../harness';
import { useEmulator } from './emulatorSetup';
import { rejectionOf, runCoze } from './helpers';

const emulator = useEmulator();
const VOICE = VOICES[0].voice_id;
const voice = (value: string) => ({ __rl: true, mode: 'id', value });
const speak = (extra: Record<string, unknown> = {}) => ({ resource: 'audio', operation: 'textToSpeech', input: 'Kyoto is cloudy today.', voiceId: voice(VOICE), ...extra });

/** The request the emulator wrote into its fake audio, read back from the bytes. */
function spokenRequest(bytes: Buffer): Record<string, unknown> {
	const request = readSpeechRequest(bytes);
	if (!request) throw new Error('no emulator speech request in these bytes');
	return request as unknown as Record<string, unknown>;
}

async function binaryBytes(item: { binary?: Record<string, { data: string; id?: string }> }, field: string): Promise<Buffer> {
	const binary = item.binary?.[field];
	if (!binary) throw new Error(`no binary field ${field}`);
	return Buffer.from(binary.data, 'base64');
}

describe('Audio → Text to Speech', () => {
	it('puts the audio into the binary field "data" as speech.mp3, with what Coze was asked', async () => {
		const [item] = await runCoze(emulator, speak());
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.binary?.data).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'speech.mp3', fileExtension: 'mp3' });
		const bytes = await binaryBytes(item as never, 'data');
		expect(bytes.subarray(0, 3).toString('latin1')).toBe('ID3');
		expect(item.json).toMatchObject({ voice_id: VOICE, format: 'mp3', sample_rate: 24000, speed: 1, characters: 22, bytes: bytes.length, content_type: 'audio/mpeg' });
		const [request] = emulator.requestsTo('/v1/audio/speech');
		expect(request.body).toEqual({ input: 'Kyoto is cloudy today.', voice_id: VOICE, response_format: 'mp3', speed: 1, sample_rate: 24000 });
		expect(spokenRequest(bytes)).toMatchObject({ input: 'Kyoto is cloudy today.' });
	});

	it('takes the format, sample rate, speed, file name and output field from the options', async () => {
		const [item] = await runCoze(emulator, speak({ binaryPropertyOutput: 'audio', options: { responseFormat: 'wav', sampleRate: 16000, speed: 1.5, fileName: 'answer.wav' } }));
		expect(item.binary?.data).toBeUndefined();
		expect(item.binary?.audio).toMatchObject({ mimeType: 'audio/wav', fileName: 'answer.wav' });
		expect(spokenRequest(await binaryBytes(item as never, 'audio'))).toMatchObject({ response_format: 'wav', sample_rate: 16000, speed: 1.5 });
	});

	it("a voice that does not exist is Coze's error (code and message), never a file; Continue On Fail keeps the item", async () => {
		const error = await rejectionOf(runCoze(emulator, speak({ voiceId: voice('7000000000000000000') })));
		expect(error.message).toContain('4000');
		expect(error.message).toContain('voice_id 7000000000000000000 does not exist');
		const [item] = await runCoze(emulator, speak({ voiceId: voice('7000000000000000000') }), { continueOnFail: true });
		expect(item.binary).toBeUndefined();
		expect(String(item.json.error)).toContain('does not exist');
	});

	it('a JSON body is never saved as audio, whatever its Content-Type says', async () => {
		emulator.publicRoutes.unshift((request) => {
			if (request.path !== '/v1/audio/speech') return false;
			request.res.writeHead(200, { 'Content-Type': 'audio/mpeg' });
			request.res.end(JSON.stringify({ code: 4101, msg: 'The token you entered does not have permission for this API' }));
			return true;
		});
		const error = await rejectionOf(runCoze(emulator, speak()));
		expect(error.message).toContain('4101');
		expect(error.message).toContain('does not have permission');
	});

	it('Items in Parallel: every item its own audio, in input order; under Continue On Fail a failing item keeps its place', async () => {
		const texts = ['one', 'two', 'three', 'four'];
		const items = texts.map((text) => ({ json: { text, voice: text === 'three' ? '7000000000000000000' : VOICE } }));
		const out = await runCoze(emulator, speak({ input: '={{ $json.text }}', voiceId: voice('={{ $json.voice }}'), options: { concurrency: 4 } }), { items, continueOnFail: true });
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(String(out[2].json.error)).toContain('does not exist');
		for (const index of [0, 1, 3]) expect(spokenRequest(await binaryBytes(out[index] as never, 'data')).input).toBe(texts[index]);
	});

	it('text over 1024 UTF-8 bytes, an empty voice or an unknown sample rate fail before anything is sent, naming the field', async () => {
		expect((await rejectionOf(runCoze(emulator, speak({ input: 'x'.repeat(1025) })))).message).toContain('Text is 1025 bytes long in UTF-8 (1025 characters)');
		// Coze counts bytes: 342 Chinese characters are 1026 bytes.
		expect((await rejectionOf(runCoze(emulator, speak({ input: '晴'.repeat(342) })))).message).toContain('Text is 1026 bytes long in UTF-8 (342 characters)');
		expect((await rejectionOf(runCoze(emulator, speak({ voiceId: voice('') })))).message).toContain('Voice: choose one');
		expect((await rejectionOf(runCoze(emulator, speak({ options: { sampleRate: 11025 } })))).message).toContain('Options → Sample Rate: 11025 Hz');
		expect(emulator.requestsTo('/v1/audio/speech')).toHaveLength(0);
	});
});

describe('Audio → Text to Speech judges the answer before saving it', () => {
	const answerWith = (status: number, contentType: string, body: string | Buffer) =>
		emulator.publicRoutes.unshift(answer(on('POST', '/v1/audio/speech'), () => ({ status, contentType, body })));

	it("Coze's documented formats: ogg_opus is sent as such and saved as .ogg; a workflow saved with the old 'ogg' sends ogg_opus; 341 Chinese characters (1023 bytes) are spoken", async () => {
		const [item] = await runCoze(emulator, speak({ input: '晴'.repeat(341), options: { responseFormat: 'ogg_opus', sampleRate: 22050 } }));
		expect(item.binary?.data).toMatchObject({ mimeType: 'audio/ogg', fileName: 'speech.ogg' });
		const [legacy] = await runCoze(emulator, speak({ options: { responseFormat: 'ogg' } }));
		expect(legacy.json.format).toBe('ogg_opus');
		expect(emulator.requestsTo('/v1/audio/speech').map((r) => (r.body as Record<string, unknown>).response_format)).toEqual(['ogg_opus', 'ogg_opus']);
	});

	it.each([
		['a proxy page', 'text/html; charset=utf-8', '<html><body>Service temporarily unavailable</body></html>'],
		['an outage notice', 'text/plain', 'Down for maintenance until 03:00'],
	])('HTTP 200 with %s is an error item naming the status, the media type and the first bytes, never speech.mp3', async (_what, contentType, body) => {
		answerWith(200, contentType, body);
		const [item] = await runCoze(emulator, speak(), { continueOnFail: true });
		expect(item.binary).toBeUndefined();
		expect(String(item.json.error)).toContain(`HTTP 200 and '${contentType.split(';')[0]}' instead of audio`);
		expect(String(item.json.error)).toContain(body.slice(0, 20));
	});

	it('audio/*, application/ogg and octet-stream are audio; an unlabelled answer is audio only when its bytes are', async () => {
		const mp3 = Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.alloc(64, 1)]);
		for (const contentType of ['audio/mpeg', 'application/ogg', 'application/octet-stream']) {
			answerWith(200, contentType, mp3);
			const [item] = await runCoze(emulator, speak());
			expect(item.json.bytes).toBe(mp3.length);
			emulator.publicRoutes.shift();
		}
		emulator.publicRoutes.unshift(answer(on('POST', '/v1/audio/speech'), () => ({ status: 200, contentType: '', body: mp3 })));
		expect((await runCoze(emulator, speak()))[0].json.bytes).toBe(mp3.length);
		emulator.publicRoutes.shift();
		emulator.publicRoutes.unshift(answer(on('POST', '/v1/audio/speech'), () => ({ status: 200, contentType: '', body: 'hello' })));
		expect(String((await runCoze(emulator, speak(), { continueOnFail: true }))[0].json.error)).toContain("'no content type' instead of audio: hello");
	});

	it('an HTTP 500 with megabytes of HTML is read only as far as the error bound: the error, not the Timeout', async () => {
		const seen = serverSide();
		emulator.publicRoutes.unshift(endless(on('POST', '/v1/audio/speech'), seen, { status: 500, contentType: 'text/html', prefix: '<html><h1>Internal Server Error</h1>', maxBytes: 6 * 1024 * 1024 }));
		const [item] = await runCoze(emulator, speak({ options: { timeout: 20 } }), { continueOnFail: true });
		expect(String(item.json.error)).toContain('HTTP 500');
		expect(String(item.json.error)).toContain('Internal Server Error');
		expect(String(item.json.error)).not.toContain('Timed out');
	}, 60_000);
});

describe('Audio → Transcribe', () => {
	it('sends the input binary field as a file and outputs its text (a Text to Speech → Transcribe round trip)', async () => {
		const [spoken] = await runCoze(emulator, speak({ input: '今天杭州天气晴朗。' }));
		const [item] = await runCoze(emulator, { resource: 'audio', operation: 'transcribe', binaryPropertyName: 'data' }, { items: [spoken] });
		expect(item.json).toMatchObject({ text: '今天杭州天气晴朗。', file_name: 'speech.mp3' });
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('a file that is not audio is Coze\'s error; a missing binary field names the field', async () => {
		const text = { json: {}, binary: { data: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain', fileName: 'notes.txt' } } };
		const error = await rejectionOf(runCoze(emulator, { resource: 'audio', operation: 'transcribe', binaryPropertyName: 'data' }, { items: [text] }));
		expect(error.message).toContain('unsupported audio format');
		const missing = await rejectionOf(runCoze(emulator, { resource: 'audio', operation: 'transcribe', binaryPropertyName: 'voice' }, { items: [text] }));
		expect(missing.message).toContain('voice');
	});
});

describe('Audio → Get Many Voices and the voice picker', () => {
	it('Limit reads one page; Return All follows has_more over Coze\'s pages of 100', async () => {
		const some = await runCoze(emulator, { resource: 'audio', operation: 'getVoices', limit: 5 });
		expect(some.map((i) => i.json.voice_id)).toEqual(VOICES.slice(0, 5).map((v) => v.voice_id));
		const all = await runCoze(emulator, { resource: 'audio', operation: 'getVoices', returnAll: true });
		expect(all).toHaveLength(VOICES.length);
		expect(emulator.requestsTo('/v1/audio/voices').map((r) => r.query.page_num)).toEqual(['1', '1', '2']);
		const cloned = await runCoze(emulator, { resource: 'audio', operation: 'getVoices', returnAll: true, options: { filterSystemVoice: true } });
		expect(cloned.map((i) => i.json.name)).toEqual(['My Cloned Voice']);
	});

	it('the picker lists voices by name with their language, filters, and pages on', async () => {
		const search = (filter?: string, paginationToken?: string) =>
			runListSearch({ node: new CozeChat(), credentialType: new CozeApi(), credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN }, method: 'searchVoices', filter, paginationToken });
		const first = await search();
		expect(first.results[0]).toMatchObject({ name: 'Cheerful Girl (Chinese)', value: VOICES[0].voice_id });
		expect(first.paginationToken).toBe('2');
		expect((await search(undefined, '2')).results).toHaveLength(VOICES.length - 100);
		expect((await search('cloned')).results.map((r) => r.name)).toEqual(['My Cloned Voice (Chinese)']);
	});
});

describe('Audio on a self-hosted Coze Studio', () => {
	let studio: CozeEmulator;
	beforeAll(async () => {
		studio = new CozeEmulator({ dialect: 'studio' });
		await studio.start();
	});
	afterAll(async () => studio.stop());

	it('says the server has no speech API instead of showing its web-session 401', async () => {
		const error = await rejectionOf(runCoze(studio, speak()));
		expect(error.message).toMatch(/Text to Speech is not supported by this Coze server: it has no \/v1\/audio\/speech endpoint \(self-hosted Coze Studio has no speech API\)/);
		const voices = await rejectionOf(runCoze(studio, { resource: 'audio', operation: 'getVoices', limit: 5 }));
		expect(voices.message).toContain('Listing voices is not supported by this Coze server');
	});
});
