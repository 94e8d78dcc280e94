/**
 * End to end for the Audio resource (issue 19): the packed tarball in each pinned real n8n, where
 * binaries live in n8n's own binary data store (on disk in 2.x): Text to Speech into a binary field,
 * Transcribe of that field (the round trip gives the text back), Get Many Voices, and a voice that
 * does not exist under Continue On Fail. One `n8n execute` per version.
 */

import { PROXY_PAGE_INPUT, VOICES } from '../emulator/audio';
import { TARGETS, log, nodeItems } from './n8n';
import { itNeverPrintsTheToken, useExecutedWorkflow } from './executed';
import { usePackedPackage } from './packed';
import { CREDENTIAL_ID, CREDENTIAL_NAME, NODE_TYPE, link, nodeBuilder } from './workflows';

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
			coze('Speak', { operation: 'textToSpeech', input: SPOKEN, voiceId: voice(VOICES[0].voice_id), options: { responseFormat: 'ogg_opus', fileName: 'answer.ogg' } }),
			coze('Transcribe', { operation: 'transcribe', binaryPropertyName: 'data' }),
			coze('Voices', { operation: 'getVoices', returnAll: true }),
			coze('Speak With Unknown Voice', { operation: 'textToSpeech', input: SPOKEN, voiceId: voice('7000000000000000000') }, { onError: 'continueRegularOutput' }),
			coze('Speak Behind A Captive Portal', { operation: 'textToSpeech', input: PROXY_PAGE_INPUT, voiceId: voice(VOICES[0].voice_id) }, { onError: 'continueRegularOutput' }),
		],
		connections: {
			'Manual Trigger': { main: [[link('Speak'), link('Voices'), link('Speak With Unknown Voice'), link('Speak Behind A Captive Portal')]] },
			Speak: { main: [[link('Transcribe')]] },
		},
	};
}

const tarball = usePackedPackage('audio');

describe.each(TARGETS.map((t) => [`n8n ${t.n8n} (Node ${t.node})`, t] as const))('Audio resource in %s', (_label, target) => {
	const executed = useExecutedWorkflow(target, { tarball, what: 'execute the audio workflow', workflow: audioWorkflow });

	it('Text to Speech: the audio is a binary field of the item, with what Coze was asked', () => {
		const [item] = nodeItems(executed.run, 'Speak') as Array<{ json: Record<string, unknown>; binary?: Record<string, Record<string, unknown>> }>;
		log(`${target.name}: Speak output ${JSON.stringify(item.json)}; Transcribe output ${JSON.stringify(nodeItems(executed.run, 'Transcribe')[0].json)}`);
		expect(item.json).toMatchObject({ voice_id: VOICES[0].voice_id, format: 'ogg_opus', sample_rate: 24000, content_type: 'audio/ogg' });
		expect(item.binary?.data).toMatchObject({ mimeType: 'audio/ogg', fileName: 'answer.ogg' });
		const [request] = executed.emulator.requestsTo('/v1/audio/speech');
		expect(request.body).toMatchObject({ input: SPOKEN, response_format: 'ogg_opus', sample_rate: 24000 });
	});

	it("Transcribe reads the binary from n8n's binary store and gets the spoken text back", () => {
		const [item] = nodeItems(executed.run, 'Transcribe');
		expect(item.json).toMatchObject({ text: SPOKEN, file_name: 'answer.ogg' });
		const [upload] = executed.emulator.requestsTo('/v1/audio/transcriptions');
		expect(String(upload.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
	});

	it('Get Many Voices: every voice over two pages, one item each', () => {
		const items = nodeItems(executed.run, 'Voices');
		expect(items).toHaveLength(VOICES.length);
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it("a voice that does not exist: Continue On Fail keeps an error item with Coze's code and message, and no file", () => {
		const [item] = nodeItems(executed.run, 'Speak With Unknown Voice') as Array<{ json: Record<string, unknown>; binary?: unknown }>;
		expect(String(item.json.error)).toContain('voice_id 7000000000000000000 does not exist');
		expect(item.binary).toBeUndefined();
	});

	it('an HTTP 200 HTML page instead of audio: an error item naming the status, the media type and the page, never speech.mp3', () => {
		const [item] = nodeItems(executed.run, 'Speak Behind A Captive Portal') as Array<{ json: Record<string, unknown>; binary?: unknown }>;
		expect(String(item.json.error)).toContain("HTTP 200 and 'text/html' instead of audio");
		expect(String(item.json.error)).toContain('Guest Wi-Fi');
		expect(item.binary).toBeUndefined();
	});

	itNeverPrintsTheToken(executed);
});
