/**
 * End to end for the Audio resource (issue 19): the packed tarball in each pinned real n8n, where
 * binaries live in n8n's own binary data store (on disk in 2.x): Text to Speech into a binary field,
 * Transcribe of that field (the round trip gives the text back), Get Many Voices, and a voice that
 * does not exist under Continue On Fail. One `n8n execute` per version.
 */

import { VOICES } from '../emulator/audio';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { N8nInstance, TARGETS, log, nodeItems, timed, type RunJson } from './n8n';
import { usePackedPackage } from './packed';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, emulatorCredential, link, nodeBuilder } from './workflows';

const WORKFLOW_ID = 'cozeE2eAudio00001';
const SPOKEN = 'Kyoto: 17°C and cloudy. Take a light jacket.';

function audioWorkflow(): Record<string, unknown> {
	const node = nodeBuilder('d');
	const credentials = { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
	const coze = (name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		node(name, NODE_TYPE, 1.1, { resource: 'audio', ...parameters }, { credentials, ...extra });
	const voice = (value: string) => ({ __rl: true, mode: 'id', value });
	return {
		id: WORKFLOW_ID,
		name: 'Coze e2e: audio',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {}),
			coze('Speak', { operation: 'textToSpeech', input: SPOKEN, voiceId: voice(VOICES[0].voice_id), options: { responseFormat: 'ogg', fileName: 'answer.ogg' } }),
			coze('Transcribe', { operation: 'transcribe', binaryPropertyName: 'data' }),
			coze('Voices', { operation: 'getVoices', returnAll: true }),
			coze('Speak With Unknown Voice', { operation: 'textToSpeech', input: SPOKEN, voiceId: voice('7000000000000000000') }, { onError: 'continueRegularOutput' }),
		],
		connections: {
			'Manual Trigger': { main: [[link('Speak'), link('Voices'), link('Speak With Unknown Voice')]] },
			Speak: { main: [[link('Transcribe')]] },
		},
	};
}

const tarball = usePackedPackage('audio');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('Audio resource in %s', (_label, target) => {
	let emulator: CozeEmulator;
	let n8n: N8nInstance;
	let run: RunJson;
	let printed: string;

	beforeAll(async () => {
		emulator = await startEmulator();
		n8n = new N8nInstance(target);
		n8n.installPackage(tarball());
		await n8n.importCredentials([emulatorCredential(emulator.url, EMULATOR_TOKEN)]);
		await n8n.importWorkflows([audioWorkflow()]);
		const result = await timed(`${target.name}: execute the audio workflow`, () => n8n.execute(WORKFLOW_ID));
		if (!result.run || result.code !== 0) {
			throw new Error(`execute failed (code ${result.code}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
		}
		run = result.run;
		printed = result.stdout + result.stderr;
	});

	afterAll(async () => {
		await n8n?.dispose();
		await emulator?.stop();
	});

	it('Text to Speech: the audio is a binary field of the item, with what Coze was asked', () => {
		const [item] = nodeItems(run, 'Speak') as Array<{ json: Record<string, unknown>; binary?: Record<string, Record<string, unknown>> }>;
		log(`${target.name}: Speak output ${JSON.stringify(item.json)}; Transcribe output ${JSON.stringify(nodeItems(run, 'Transcribe')[0].json)}`);
		expect(item.json).toMatchObject({ voice_id: VOICES[0].voice_id, format: 'ogg', sample_rate: 24000, content_type: 'audio/ogg' });
		expect(item.binary?.data).toMatchObject({ mimeType: 'audio/ogg', fileName: 'answer.ogg' });
		const [request] = emulator.requestsTo('/v1/audio/speech');
		expect(request.body).toMatchObject({ input: SPOKEN, response_format: 'ogg', sample_rate: 24000 });
	});

	it("Transcribe reads the binary from n8n's binary store and gets the spoken text back", () => {
		const [item] = nodeItems(run, 'Transcribe');
		expect(item.json).toMatchObject({ text: SPOKEN, file_name: 'answer.ogg' });
		const [upload] = emulator.requestsTo('/v1/audio/transcriptions');
		expect(String(upload.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
	});

	it('Get Many Voices: every voice over two pages, one item each', () => {
		const items = nodeItems(run, 'Voices');
		expect(items).toHaveLength(VOICES.length);
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it("a voice that does not exist: Continue On Fail keeps an error item with Coze's code and message, and no file", () => {
		const [item] = nodeItems(run, 'Speak With Unknown Voice') as Array<{ json: Record<string, unknown>; binary?: unknown }>;
		expect(String(item.json.error)).toContain('voice_id 7000000000000000000 does not exist');
		expect(item.binary).toBeUndefined();
	});

	it('never prints the token', () => {
		expect(printed).not.toContain(EMULATOR_TOKEN);
		expect(JSON.stringify(run)).not.toContain(EMULATOR_TOKEN);
	});
});
