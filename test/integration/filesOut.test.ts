/**
 * Files out over real sockets: the Picture Bot's answer (Markdown image, Markdown link,
 * object_string image) downloaded into binary fields from the emulator's signed, expiring file
 * links; the default refusal of http and private addresses; an expired link, a redirect to the
 * metadata address and an over-size file each failing with a message naming the file; Continue On
 * Fail keeping the answer; the Coze token never sent to the file host.
 *
 * The emulator serves on http://127.0.0.1: the tests reach it the way a self-hosted Coze Studio is
 * reached, as the credential's own origin (always allowed), or by naming its origin in Allowed File
 * Hosts; with the credential on http://localhost the links' origin is another one, and the default
 * refusal shows.
 */
import { PDF_BYTES, PNG_BYTES, signedFileUrl } from '../emulator/files';
import { scenarios } from '../emulator/scenarios';
import { EMULATOR_TOKEN } from '../emulator/server';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

const bot = scenarios.pictureBot.botId;

function binaryBytes(item: { binary?: Record<string, { data: string }> }, field: string): Buffer {
	const binary = item.binary?.[field];
	if (!binary) throw new Error(`no binary field ${field}`);
	return Buffer.from(binary.data, 'base64');
}

const fileRequests = () => emulator.requests.filter((request) => request.path.startsWith('/files/'));

/** The credential on another origin than the links (localhost vs 127.0.0.1): no escape hatch. */
const otherOrigin = () => emulator.url.replace('127.0.0.1', 'localhost');

describe('Send Message → Download Files', () => {
	it('puts the picture, the document and the object_string image into data, data_1, data_2 with their real names and types', async () => {
		const [item] = await runCoze(emulator, sendMessage(bot, { message: 'Paint me a sunset', options: { downloadFiles: 'all' } }));
		expect(item.json.answer).toContain('![sunset]');
		expect(item.binary?.data).toMatchObject({ fileName: 'sunset.png', mimeType: 'image/png' });
		expect(binaryBytes(item as never, 'data').equals(PNG_BYTES)).toBe(true);
		expect(item.binary?.data_1).toMatchObject({ fileName: 'Quarterly report 季度.pdf', mimeType: 'application/pdf' });
		expect(binaryBytes(item as never, 'data_1').equals(PDF_BYTES)).toBe(true);
		expect(item.binary?.data_2).toMatchObject({ fileName: 'sunset-copy.png', mimeType: 'image/png' });
		const files = item.json.files as Array<Record<string, unknown>>;
		expect(files).toEqual([
			{ name: 'sunset.png', mime_type: 'image/png', size: PNG_BYTES.length, binary_key: 'data', found_in: 'answer (Markdown image)', url: `${emulator.url}/files/sunset.png~tplv-mdko3gqilj-image.png` },
			{ name: 'Quarterly report 季度.pdf', mime_type: 'application/pdf', size: PDF_BYTES.length, binary_key: 'data_1', found_in: 'answer (Markdown link)', url: `${emulator.url}/files/report` },
			{ name: 'sunset-copy.png', mime_type: 'image/png', size: PNG_BYTES.length, binary_key: 'data_2', found_in: 'answer[1]', url: `${emulator.url}/files/sunset.png~tplv-mdko3gqilj-image.png` },
		]);
		// No signature in the listing; no Coze token to the file host.
		expect(JSON.stringify(item.json.files)).not.toMatch(/x-signature|x-expires/);
		expect(fileRequests()).toHaveLength(3);
		for (const request of fileRequests()) {
			expect(request.headers.authorization).toBeUndefined();
			expect(JSON.stringify(request.headers)).not.toContain(EMULATOR_TOKEN);
		}
	});

	it('Images Only skips the document; the prefix names the fields', async () => {
		const [item] = await runCoze(emulator, sendMessage(bot, { message: 'Paint me a sunset', options: { downloadFiles: 'images', filesBinaryPrefix: 'picture' } }));
		expect(Object.keys(item.binary ?? {})).toEqual(['picture', 'picture_1']);
		expect((item.json.files as unknown[]).length).toBe(2);
		expect(fileRequests().map((request) => request.path)).not.toContain('/files/report');
	});

	it('streaming to a Chat Trigger sends the text live; the files follow in the output item', async () => {
		const chunks: string[] = [];
		const [item] = await runCoze(emulator, sendMessage(bot, { message: 'short link please', options: { downloadFiles: 'images', enableStreaming: true } }), {
			onChunk: (chunk) => chunk.type === 'item' && chunks.push(chunk.content ?? ''),
		});
		expect(chunks.join('')).toBe(item.json.answer);
		expect(chunks.join('')).toMatch(/^Here it is: !\[sunset\]\(http/);
		expect(item.binary?.data).toMatchObject({ fileName: 'sunset.png' });
	});

	it('is off by default: no binary, no file fetched', async () => {
		const [item] = await runCoze(emulator, sendMessage(bot, { message: 'Paint me a sunset' }));
		expect(item.binary).toBeUndefined();
		expect(item.json.files).toBeUndefined();
		expect(fileRequests()).toHaveLength(0);
	});

	it('follows a short link, re-checking the target', async () => {
		const [item] = await runCoze(emulator, sendMessage(bot, { message: 'short link please', options: { downloadFiles: 'images' } }));
		expect(item.binary?.data).toMatchObject({ fileName: 'sunset.png', mimeType: 'image/png' });
		expect(fileRequests().map((request) => request.path)).toEqual(['/files/short', '/files/sunset.png~tplv-mdko3gqilj-image.png']);
	});

	it('by default refuses an http link to a private address, before connecting, naming the file and the option', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(bot, { message: 'Paint me a sunset', options: { downloadFiles: 'images' } }), { baseUrl: otherOrigin() }));
		expect(error.message).toMatch(/^Refused to download 'sunset' \(http:\/\/127\.0\.0\.1:\d+\/files\/sunset\.png~tplv-mdko3gqilj-image\.png\): only https links are fetched \(to allow this server over http, add its origin http:\/\/127\.0\.0\.1:\d+ to Options → Allowed File Hosts\)$/);
		expect(error.message).not.toContain('x-signature');
		expect(fileRequests()).toHaveLength(0);
	});

	it('downloads from an origin named in Allowed File Hosts', async () => {
		const [item] = await runCoze(
			emulator,
			sendMessage(bot, { message: 'Paint me a sunset', options: { downloadFiles: 'images', allowedFileHosts: `*.coze.cn, ${emulator.url}` } }),
			{ baseUrl: otherOrigin() },
		);
		expect(Object.keys(item.binary ?? {})).toEqual(['data', 'data_1']);
	});

	it('an expired link says so, naming the file', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(bot, { message: 'the expired one', options: { downloadFiles: 'all' } })));
		expect(error.message).toMatch(/^The file link Coze sent has expired or was revoked \(HTTP 403\) for 'sunset' \(http:\/\/127\.0\.0\.1:\d+\/files\/sunset\.png~tplv-mdko3gqilj-image\.png\): run the chat again or retrieve the file sooner$/);
	});

	it('refuses a redirect to the metadata address at the hop, without connecting to it', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(bot, { message: 'metadata', options: { downloadFiles: 'all' } })));
		expect(error.message).toMatch(
			/^Refused to download 'sunset' \(.*\/files\/metadata-redirect\) \(a redirect led to https:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\/security-credentials\/\): 169\.254\.169\.254 is a private, loopback, link-local or metadata address \(to allow it, add its origin https:\/\/169\.254\.169\.254 to Options → Allowed File Hosts\)$/,
		);
		// With every public host allowed, the address itself is still refused.
		const widened = await rejectionOf(
			runCoze(emulator, sendMessage(bot, { message: 'metadata', options: { downloadFiles: 'all', allowedFileHosts: `*, ${emulator.url}` } })),
		);
		expect(widened.message).toContain('169.254.169.254 is a private, loopback, link-local or metadata address');
		expect(fileRequests().map((request) => request.path)).toEqual(['/files/metadata-redirect', '/files/metadata-redirect']);
	});

	it('cuts a file over Max File Size while reading (no Content-Length), naming the limit', async () => {
		const error = await rejectionOf(runCoze(emulator, sendMessage(bot, { message: 'big file', options: { downloadFiles: 'all', maxFileSizeMb: 1 } })));
		expect(error.message).toMatch(/^'archive\.zip' \(http:\/\/127\.0\.0\.1:\d+\/files\/archive\.zip\) is larger than 1 MB \(more than 1048576 bytes; Options → Max File Size \(MB\)\)$/);
	});

	it('with Continue On Fail keeps the answer and lists the failed file', async () => {
		const [item] = await runCoze(emulator, sendMessage(bot, { message: 'the expired one', options: { downloadFiles: 'all' } }), { continueOnFail: true });
		expect(item.json.answer).toContain('Here it is');
		expect(item.json.files).toEqual([]);
		expect(item.json.files_failed).toEqual([
			{
				name: 'sunset',
				found_in: 'answer (Markdown image)',
				url: `${emulator.url}/files/sunset.png~tplv-mdko3gqilj-image.png`,
				error: expect.stringMatching(/^The file link Coze sent has expired or was revoked \(HTTP 403\)/),
			},
		]);
		expect(item.binary).toBeUndefined();
	});

	it("finds the picture inside a card's data (Enable Cards)", async () => {
		const [item] = await runCoze(emulator, sendMessage(bot, { message: 'a card please', options: { enableCard: true, downloadFiles: 'images' } }));
		expect(item.json.cards).toHaveLength(1);
		expect(item.binary?.data).toMatchObject({ fileName: 'sunset.png', mimeType: 'image/png' });
		expect(item.json.files).toEqual([expect.objectContaining({ found_in: 'cards[0].data.image.url', binary_key: 'data' })]);
	});

	it("a download counts against the item's Timeout: a file that drips ends at it, naming the file", async () => {
		const started = Date.now();
		const error = await rejectionOf(runCoze(emulator, sendMessage(bot, { message: 'slow picture', options: { downloadFiles: 'images', timeout: 2 } })));
		expect(error.message).toMatch(/^Timed out after 2 s while downloading 'slow' \(http:\/\/127\.0\.0\.1:\d+\/files\/slow\.png\) \(Options → Timeout\)$/);
		expect(Date.now() - started).toBeLessThan(6000);
	});
});

describe('Submit Tool Outputs → Download Files', () => {
	it("downloads the picture the continued answer shows", async () => {
		const [asked] = await runCoze(emulator, sendMessage(scenarios.requiresAction.botId));
		const callId = (asked.json.required_action as { tool_calls: Array<{ id: string }> }).tool_calls[0].id;
		// The bot quotes the tool's output: a picture link the tool returned.
		const link = signedFileUrl(emulator.url, 'sunset.png~tplv-mdko3gqilj-image.png');
		const [item] = await runCoze(emulator, {
			resource: 'chat',
			operation: 'submitToolOutputs',
			conversationId: asked.json.conversation_id as string,
			chatId: asked.json.chat_id as string,
			toolOutputs: { entries: [{ toolCallId: callId, output: `![map](${link})` }] },
			options: { downloadFiles: 'images' },
		});
		expect(item.json.status).toBe('completed');
		expect(item.binary?.data).toMatchObject({ fileName: 'sunset.png', mimeType: 'image/png' });
		expect(bytesOf(item as never).equals(PNG_BYTES)).toBe(true);
	});
});

function bytesOf(item: { binary?: Record<string, { data: string }> }): Buffer {
	return binaryBytes(item, 'data');
}
