/**
 * The emulator's "speech": real, playable audio files of a plausible length, written without any
 * dependency, that still carry the request they answer (so a Text to Speech → Transcribe round trip
 * gives the text back).
 *
 * The sound is no voice: one buzzy vowel-like syllable per character (CJK) or per three letters,
 * pitch and vowel picked from the text, pauses at spaces and punctuation, about as long as a person
 * would take to say the text at the requested speed.
 *
 * - wav: RIFF/WAVE, 16-bit mono PCM at the requested sample rate, the request in a LIST/INFO ICMT
 *   chunk after the samples;
 * - mp3: an ID3v2.4 tag whose TXXX frame holds the request, then constant-bitrate MPEG Layer III
 *   mono frames (MPEG-1, 2 or 2.5 by the sample rate) coded by hand: a few spectral lines per
 *   granule (Huffman table 1), silence between syllables;
 * - pcm: the raw samples (16-bit little-endian mono), then the request (a short click at the end);
 * - ogg_opus: an Ogg Opus stream (OpusHead, OpusTags holding the request, then pages of 20 ms
 *   silent CELT frames): valid and of the right length, but silent.
 *
 * The request is written as SPEECH_MARKER, then its JSON, then a NUL byte; readSpeechRequest
 * finds it again in any of these files.
 */

export const SPEECH_MARKER = 'COZE-EMULATOR-SPEECH';

export interface SpeechRequest {
	input: string;
	voice_id?: unknown;
	response_format: string;
	speed?: unknown;
	sample_rate?: unknown;
}

/** The request written into an emulator speech file, or undefined for any other file. */
export function readSpeechRequest(bytes: Buffer): SpeechRequest | undefined {
	const at = bytes.indexOf(SPEECH_MARKER, 0, 'latin1');
	if (at < 0) return undefined;
	let start = at + SPEECH_MARKER.length;
	if (bytes[start] === 0 || bytes[start] === 0x3d) start++; // ID3 TXXX: description NUL value; OpusTags: NAME=value
	const end = bytes.indexOf(0, start);
	return JSON.parse(bytes.subarray(start, end < 0 ? undefined : end).toString('utf8')) as SpeechRequest;
}

const tagOf = (request: SpeechRequest) => Buffer.from(`${JSON.stringify(request)}\u0000`, 'utf8');

interface Syllable {
	start: number;
	length: number;
	pitch: number;
	/** Two formant frequencies (Hz) of the syllable's vowel. */
	formants: [number, number];
}

const VOWELS: Array<[number, number]> = [
	[730, 1090], // a
	[270, 2290], // i
	[300, 870], // u
	[530, 1840], // e
	[570, 840], // o
];

/** The syllables of `text` spoken at `speed` (1 = normal), and the whole length in seconds. */
export function speechPlan(text: string, speed: number): { seconds: number; syllables: Syllable[] } {
	const rate = Math.min(4, Math.max(0.25, Number.isFinite(speed) && speed > 0 ? speed : 1));
	const syllables: Syllable[] = [];
	let t = 0.15;
	let n = 0;
	const say = (seed: number, length: number) => {
		const pitch = 150 + ((seed * 7) % 40) - Math.min(30, n * 0.6); // a falling sentence melody
		syllables.push({ start: t / rate, length: length / rate, pitch, formants: VOWELS[seed % VOWELS.length] });
		t += length + 0.03;
		n++;
	};
	for (const token of text.match(/[\p{L}\p{N}]+|./gsu) ?? []) {
		if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(token)) {
			for (const char of token) say(char.codePointAt(0) ?? 0, 0.2);
		} else if (/[\p{L}\p{N}]/u.test(token)) {
			const count = Math.max(1, Math.round(token.length / 3));
			for (let i = 0; i < count; i++) say(token.charCodeAt(Math.min(token.length - 1, i * 3)) + i, 0.17);
		} else if (/[.!?;:,。！？；：，、…]/u.test(token)) {
			t += /[,，、]/u.test(token) ? 0.15 : 0.3;
		} else {
			t += 0.05;
		}
	}
	return { seconds: Math.max(0.5, (t + 0.2) / rate), syllables };
}

/** How loud the syllable is at `t` seconds into it (0 outside). */
function envelope(s: Syllable, t: number): number {
	if (t < 0 || t >= s.length) return 0;
	const x = t / s.length;
	return Math.min(1, x / 0.15) * Math.min(1, (1 - x) / 0.3);
}

/** 16-bit mono samples of the plan at `rate` Hz. */
export function speechSamples(text: string, speed: number, rate: number): Int16Array {
	const plan = speechPlan(text, speed);
	const samples = new Int16Array(Math.round(plan.seconds * rate));
	for (const s of plan.syllables) {
		const first = Math.floor(s.start * rate);
		const count = Math.ceil(s.length * rate);
		const harmonics: Array<[number, number]> = [];
		for (let h = 1; h * s.pitch < Math.min(4000, rate / 2); h++) {
			const f = h * s.pitch;
			const gain = s.formants.reduce((sum, formant) => sum + 1 / (1 + ((f - formant) / 120) ** 2), 0) + 0.15 / h;
			harmonics.push([f, gain]);
		}
		const norm = harmonics.reduce((sum, [, g]) => sum + g, 0);
		for (let i = 0; i < count && first + i < samples.length; i++) {
			const t = i / rate;
			const vibrato = 1 + 0.01 * Math.sin(2 * Math.PI * 5 * t);
			let v = 0;
			for (const [f, g] of harmonics) v += g * Math.sin(2 * Math.PI * f * vibrato * t);
			samples[first + i] = Math.round((v / norm) * envelope(s, t) * 12000);
		}
	}
	return samples;
}

export function wavFile(request: SpeechRequest, rate: number): Buffer {
	const samples = speechSamples(request.input, Number(request.speed ?? 1), rate);
	const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
	const comment = Buffer.concat([Buffer.from(SPEECH_MARKER, 'latin1'), tagOf(request)]);
	const icmt = Buffer.concat([chunk('ICMT', comment)]);
	const list = chunk('LIST', Buffer.concat([Buffer.from('INFO', 'latin1'), icmt]));
	const fmt = Buffer.alloc(16);
	fmt.writeUInt16LE(1, 0); // PCM
	fmt.writeUInt16LE(1, 2); // mono
	fmt.writeUInt32LE(rate, 4);
	fmt.writeUInt32LE(rate * 2, 8);
	fmt.writeUInt16LE(2, 12);
	fmt.writeUInt16LE(16, 14);
	const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), chunk('fmt ', fmt), chunk('data', data), list]);
	return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(body.length), body]);
}

export function pcmFile(request: SpeechRequest, rate: number): Buffer {
	const samples = speechSamples(request.input, Number(request.speed ?? 1), rate);
	return Buffer.concat([Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength), Buffer.from(SPEECH_MARKER, 'latin1'), tagOf(request)]);
}

function chunk(id: string, data: Buffer): Buffer {
	return Buffer.concat([Buffer.from(id, 'latin1'), u32le(data.length), data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function u32le(n: number): Buffer {
	const b = Buffer.alloc(4);
	b.writeUInt32LE(n, 0);
	return b;
}

// ── MP3 ─────────────────────────────────────────────────────────────────────────────────────

class BitWriter {
	private readonly bytes: number[] = [];

	private current = 0;

	private used = 0;

	bits = 0;

	write(value: number, count: number): void {
		for (let i = count - 1; i >= 0; i--) {
			this.current = (this.current << 1) | ((value >> i) & 1);
			this.used++;
			this.bits++;
			if (this.used === 8) {
				this.bytes.push(this.current);
				this.current = 0;
				this.used = 0;
			}
		}
	}

	toBuffer(): Buffer {
		return Buffer.from(this.used ? [...this.bytes, this.current << (8 - this.used)] : this.bytes);
	}
}

/** MPEG version bits, sample rate index and samples per granule for each rate MP3 has. */
const MPEG_RATES: Record<number, { version: number; index: number }> = {
	44100: { version: 3, index: 0 },
	48000: { version: 3, index: 1 },
	32000: { version: 3, index: 2 },
	22050: { version: 2, index: 0 },
	24000: { version: 2, index: 1 },
	16000: { version: 2, index: 2 },
	11025: { version: 0, index: 0 },
	12000: { version: 0, index: 1 },
	8000: { version: 0, index: 2 },
};

/** One granule's spectrum: line index → quantized value (-1, 0 or 1 each), and the global gain. */
interface Granule {
	lines: Map<number, number>;
	gain: number;
}

/** The Huffman-coded big_values of a granule (table 1 for every region), and its pair count. */
function codeGranule(g: Granule, out: BitWriter): { bits: number; bigValues: number } {
	if (g.lines.size === 0) return { bits: 0, bigValues: 0 };
	const before = out.bits;
	const last = Math.max(...g.lines.keys());
	const pairs = Math.floor(last / 2) + 1;
	for (let p = 0; p < pairs; p++) {
		const x = g.lines.get(2 * p) ?? 0;
		const y = g.lines.get(2 * p + 1) ?? 0;
		// ISO 11172-3 Huffman table 1: (0,0) 1, (0,1) 001, (1,0) 01, (1,1) 000; then a sign bit per non-zero value.
		if (!x && !y) out.write(0b1, 1);
		else if (!x) out.write(0b001, 3);
		else if (!y) out.write(0b01, 2);
		else out.write(0b000, 3);
		if (x) out.write(x < 0 ? 1 : 0, 1);
		if (y) out.write(y < 0 ? 1 : 0, 1);
	}
	return { bits: out.bits - before, bigValues: pairs };
}

function writeGranuleSideInfo(side: BitWriter, coded: { bits: number; bigValues: number }, gain: number, lsf: boolean): void {
	side.write(coded.bits, 12); // part2_3_length (no scale factors: scalefac_compress 0)
	side.write(coded.bigValues, 9);
	side.write(coded.bits ? gain : 0, 8);
	side.write(0, lsf ? 9 : 4); // scalefac_compress
	side.write(0, 1); // window_switching_flag: long blocks
	for (let r = 0; r < 3; r++) side.write(coded.bits ? 1 : 0, 5); // table_select
	side.write(7, 4); // region0_count
	side.write(7, 3); // region1_count
	if (!lsf) side.write(0, 1); // preflag
	side.write(0, 1); // scalefac_scale
	side.write(0, 1); // count1table_select
}

/** The granules of the speech plan: a few spectral lines for the pitch and the two formants. */
function speechGranules(text: string, speed: number, rate: number): Granule[] {
	const plan = speechPlan(text, speed);
	const hop = 576;
	const count = Math.ceil((plan.seconds * rate) / hop);
	const lineHz = rate / 2 / 576;
	const granules: Granule[] = [];
	for (let m = 0; m < count; m++) {
		const t = (m * hop + hop / 2) / rate;
		const lines = new Map<number, number>();
		const s = plan.syllables.find((x) => t >= x.start && t < x.start + x.length);
		const level = s ? envelope(s, t - s.start) : 0;
		if (s && level > 0.05) {
			for (const f of [s.pitch * 2, ...s.formants]) {
				const k = Math.min(575, Math.max(1, Math.round(f / lineHz - 0.5)));
				// A steady sinusoid's MDCT coefficient turns by (k + ½)·π per granule: signs +,−,−,+ (k even) or +,+,−,− (k odd).
				const phase = (m * (2 * k + 1)) % 4;
				lines.set(k, phase === 0 || phase === 3 ? 1 : -1);
			}
		}
		granules.push({ lines, gain: 196 + Math.round(4 * Math.log2(Math.max(level, 0.05))) });
	}
	return granules;
}

export function mp3File(request: SpeechRequest, requestedRate: number): Buffer {
	const rate = MPEG_RATES[requestedRate] ? requestedRate : 24000;
	const { version, index } = MPEG_RATES[rate];
	const lsf = version !== 3;
	const granulesPerFrame = lsf ? 1 : 2;
	const bitrate = lsf ? 32000 : 64000;
	const bitrateIndex = lsf ? 4 : 5;
	const frameBytes = Math.floor(((lsf ? 72 : 144) * bitrate) / rate);
	const sideBytes = lsf ? 9 : 17;
	const granules = speechGranules(request.input, Number(request.speed ?? 1), rate);
	while (granules.length % granulesPerFrame) granules.push({ lines: new Map(), gain: 0 });
	const frames: Buffer[] = [];
	for (let f = 0; f < granules.length; f += granulesPerFrame) {
		const header = Buffer.from([0xff, 0xe0 | (version << 3) | (1 << 1) | 1, (bitrateIndex << 4) | (index << 2), 0xc0]);
		const main = new BitWriter();
		const coded = granules.slice(f, f + granulesPerFrame).map((g) => ({ ...codeGranule(g, main), gain: g.gain }));
		const side = new BitWriter();
		side.write(0, lsf ? 8 : 9); // main_data_begin: no bit reservoir
		side.write(0, lsf ? 1 : 5); // private bits
		if (!lsf) side.write(0, 4); // scfsi
		for (const g of coded) writeGranuleSideInfo(side, g, g.gain, lsf);
		const frame = Buffer.alloc(frameBytes);
		header.copy(frame, 0);
		side.toBuffer().copy(frame, 4);
		const data = main.toBuffer();
		if (4 + sideBytes + data.length > frameBytes) throw new Error('emulator bug: an MP3 granule does not fit its frame');
		data.copy(frame, 4 + sideBytes);
		frames.push(frame);
	}
	return Buffer.concat([id3Tag(request), ...frames]);
}

/** An ID3v2.4 tag with one TXXX frame (UTF-8): description SPEECH_MARKER, value the request. */
function id3Tag(request: SpeechRequest): Buffer {
	const content = Buffer.concat([Buffer.from([3]), Buffer.from(`${SPEECH_MARKER}\u0000`, 'latin1'), tagOf(request)]);
	const frame = Buffer.concat([Buffer.from('TXXX', 'latin1'), syncsafe(content.length), Buffer.from([0, 0]), content]);
	const padded = Buffer.concat([frame, Buffer.alloc(16)]);
	return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0]), syncsafe(padded.length), padded]);
}

function syncsafe(n: number): Buffer {
	return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

// ── Ogg Opus ────────────────────────────────────────────────────────────────────────────────

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
	let r = i << 24;
	for (let j = 0; j < 8; j++) r = r & 0x80000000 ? ((r << 1) ^ 0x04c11db7) >>> 0 : (r << 1) >>> 0;
	return r >>> 0;
});

function oggCrc(page: Buffer): number {
	let crc = 0;
	for (const byte of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
	return crc >>> 0;
}

function oggPage(packets: Buffer[], granule: bigint, sequence: number, flags: number): Buffer {
	const lacing: number[] = [];
	for (const p of packets) {
		let left = p.length;
		while (left >= 255) {
			lacing.push(255);
			left -= 255;
		}
		lacing.push(left);
	}
	const header = Buffer.alloc(27 + lacing.length);
	header.write('OggS', 0, 'latin1');
	header[4] = 0;
	header[5] = flags;
	header.writeBigInt64LE(granule, 6);
	header.writeUInt32LE(0x436f7a65, 14); // serial number "Coze"
	header.writeUInt32LE(sequence, 18);
	header[26] = lacing.length;
	lacing.forEach((l, i) => (header[27 + i] = l));
	const page = Buffer.concat([header, ...packets]);
	page.writeUInt32LE(oggCrc(page), 22);
	return page;
}

export function oggOpusFile(request: SpeechRequest, rate: number): Buffer {
	const head = Buffer.alloc(19);
	head.write('OpusHead', 0, 'latin1');
	head[8] = 1; // version
	head[9] = 1; // mono
	head.writeUInt16LE(312, 10); // pre-skip
	head.writeUInt32LE(rate, 12); // the input rate, for information
	const vendor = Buffer.from('coze-emulator', 'latin1');
	const comment = Buffer.concat([Buffer.from(`${SPEECH_MARKER}=`, 'latin1'), tagOf(request)]);
	const tags = Buffer.concat([Buffer.from('OpusTags', 'latin1'), u32le(vendor.length), vendor, u32le(1), u32le(comment.length), comment]);
	// A CELT-only 20 ms mono frame (config 31 → TOC 0xF8) with no payload bytes decodes as silence.
	const frames = Math.ceil(speechPlan(request.input, Number(request.speed ?? 1)).seconds / 0.02);
	const pages = [oggPage([head], 0n, 0, 2), oggPage([tags], 0n, 1, 0)];
	const silence = Buffer.from([0xf8]);
	for (let done = 0, sequence = 2; done < frames; sequence++) {
		const count = Math.min(50, frames - done);
		done += count;
		pages.push(oggPage(Array.from({ length: count }, () => silence), BigInt(312 + done * 960), sequence, done === frames ? 4 : 0));
	}
	return Buffer.concat(pages);
}
