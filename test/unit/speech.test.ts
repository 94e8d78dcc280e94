/**
 * The emulator's speech files (test/emulator/speech.ts) are real audio of a plausible length that
 * carry their request: WAV and MP3 structure checked field by field (Chromium and ffmpeg play
 * them; see the module's notes), the length follows the text and the speed, and the request reads
 * back from every format (the Text to Speech → Transcribe round trip).
 */
import { mp3File, oggOpusFile, pcmFile, readSpeechRequest, speechPlan, wavFile, type SpeechRequest } from '../emulator/speech';

const request = (input: string, extra: Partial<SpeechRequest> = {}): SpeechRequest => ({ input, voice_id: '7426720361733046281', response_format: 'mp3', speed: 1, sample_rate: 24000, ...extra });
const SENTENCE = 'Kyoto: 17°C and cloudy. Take a light jacket.';

/** The MPEG audio frames after the ID3 tag: each one's version, rate index, mode and length. */
function mp3Frames(file: Buffer): Array<{ version: number; layer: number; mono: boolean; bytes: number }> {
	expect(file.subarray(0, 3).toString('latin1')).toBe('ID3');
	const tagSize = (file[6] << 21) | (file[7] << 14) | (file[8] << 7) | file[9];
	const frames = [];
	for (let at = 10 + tagSize; at < file.length; ) {
		expect([file[at], file[at + 1] & 0xe0]).toEqual([0xff, 0xe0]); // frame sync
		const version = (file[at + 1] >> 3) & 3;
		const layer = (file[at + 1] >> 1) & 3;
		const bitrateIndex = file[at + 2] >> 4;
		const rateIndex = (file[at + 2] >> 2) & 3;
		const rate = [[11025, 12000, 8000], [], [22050, 24000, 16000], [44100, 48000, 32000]][version][rateIndex];
		const kbps = version === 3 ? [0, 32, 40, 48, 56, 64][bitrateIndex] : [0, 8, 16, 24, 32][bitrateIndex];
		const bytes = Math.floor(((version === 3 ? 144 : 72) * kbps * 1000) / rate);
		frames.push({ version, layer, mono: file[at + 3] >> 6 === 3, bytes });
		at += bytes;
	}
	return frames;
}

describe('emulator speech: MP3', () => {
	it.each([
		[24000, 2, 576],
		[44100, 3, 1152],
		[16000, 2, 576],
		[8000, 0, 576],
	])('%i Hz: an ID3 tag, then whole Layer III mono frames as long as the text takes to say', (rate, version, samplesPerFrame) => {
		const file = mp3File(request(SENTENCE, { sample_rate: rate }), rate);
		const frames = mp3Frames(file);
		expect(frames.every((f) => f.version === version && f.layer === 1 && f.mono)).toBe(true);
		const seconds = (frames.length * samplesPerFrame) / rate;
		expect(seconds).toBeGreaterThan(speechPlan(SENTENCE, 1).seconds - 0.1);
		expect(seconds).toBeLessThan(speechPlan(SENTENCE, 1).seconds + 0.2);
		expect(seconds).toBeGreaterThan(2.5); // about as long as saying it takes, not 0:00
	});

	it('carries its request (UTF-8) in the tag', () => {
		const asked = request('今天杭州天气晴朗。');
		expect(readSpeechRequest(mp3File(asked, 24000))).toEqual(asked);
	});
});

describe('emulator speech: WAV and PCM', () => {
	it('RIFF/WAVE 16-bit mono PCM at the asked rate, audible samples, the request in LIST/INFO', () => {
		const asked = request(SENTENCE, { response_format: 'wav', sample_rate: 16000 });
		const file = wavFile(asked, 16000);
		expect(file.subarray(0, 4).toString('latin1')).toBe('RIFF');
		expect(file.readUInt32LE(4)).toBe(file.length - 8);
		expect(file.subarray(8, 16).toString('latin1')).toBe('WAVEfmt ');
		expect([file.readUInt16LE(20), file.readUInt16LE(22), file.readUInt32LE(24), file.readUInt16LE(34)]).toEqual([1, 1, 16000, 16]);
		expect(file.subarray(36, 40).toString('latin1')).toBe('data');
		const dataBytes = file.readUInt32LE(40);
		expect(dataBytes / 2 / 16000).toBeCloseTo(speechPlan(SENTENCE, 1).seconds, 2);
		const samples = new Int16Array(file.buffer.slice(file.byteOffset + 44, file.byteOffset + 44 + dataBytes));
		expect(Math.max(...samples.map(Math.abs))).toBeGreaterThan(5000);
		expect(file.subarray(44 + dataBytes, 44 + dataBytes + 4).toString('latin1')).toBe('LIST');
		expect(readSpeechRequest(file)).toEqual(asked);
	});

	it('the length follows the text and the speed', () => {
		const short = speechPlan('Hello.', 1).seconds;
		const long = speechPlan('Hello. '.repeat(10), 1).seconds;
		expect(long).toBeGreaterThan(6 * short);
		expect(speechPlan(SENTENCE, 2).seconds).toBeCloseTo(speechPlan(SENTENCE, 1).seconds / 2, 5);
		expect(speechPlan('今天杭州天气晴朗', 1).seconds).toBeGreaterThan(1.5); // a syllable per character
	});

	it('PCM is the raw samples, then the request', () => {
		const asked = request(SENTENCE, { response_format: 'pcm' });
		const file = pcmFile(asked, 24000);
		expect(file.length).toBeGreaterThan(2 * 24000 * 2);
		expect(readSpeechRequest(file)).toEqual(asked);
	});
});

describe('emulator speech: Ogg Opus', () => {
	it('Ogg pages with valid CRCs, OpusHead, OpusTags with the request, and a final granule position for the whole length', () => {
		const asked = request(SENTENCE, { response_format: 'ogg_opus' });
		const file = oggOpusFile(asked, 24000);
		let last = 0n;
		let pages = 0;
		for (let at = 0; at < file.length; pages++) {
			expect(file.subarray(at, at + 4).toString('latin1')).toBe('OggS');
			const segments = file[at + 26];
			const body = [...file.subarray(at + 27, at + 27 + segments)].reduce((a, b) => a + b, 0);
			const page = Buffer.from(file.subarray(at, at + 27 + segments + body));
			const crc = page.readUInt32LE(22);
			page.writeUInt32LE(0, 22);
			let check = 0;
			for (const byte of page) {
				check ^= byte << 24;
				for (let i = 0; i < 8; i++) check = check & 0x80000000 ? (check << 1) ^ 0x04c11db7 : check << 1;
				check >>>= 0;
			}
			expect(check).toBe(crc);
			if (pages === 0) expect(page.subarray(27 + segments, 27 + segments + 8).toString('latin1')).toBe('OpusHead');
			last = page.readBigInt64LE(6);
			at += page.length;
		}
		expect(Number(last - 312n) / 48000).toBeCloseTo(speechPlan(SENTENCE, 1).seconds, 1);
		expect(readSpeechRequest(file)).toEqual(asked);
	});
});
