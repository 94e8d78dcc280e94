/**
 * Files out of workflows over real sockets: Run (stream, async; the emulator, like Coze, refuses a synchronous run of a workflow with Output nodes), Get Run History and Chat With
 * Chatflow download the files a run's output refers to: an End-node variable that is a signed link
 * (also one without an extension: a File output), an Output node's Markdown image. The emulator is
 * the credential's own origin (http://127.0.0.1), as a self-hosted Coze Studio would be.
 */
import { PDF_BYTES, PNG_BYTES, signedFileUrl } from '../emulator/files';
import { CHATFLOW_IDS } from '../emulator/workflows';
import { rejectionOf } from './helpers';
import { useEmulator } from './emulatorSetup';
import { runParams, runWorkflowNode, workflowParams } from './workflowHelpers';
import { scenarios } from '../emulator/workflowScenarios';

const emulator = useEmulator();

function bytes(item: { binary?: Record<string, { data: string }> }, field: string): Buffer {
	return Buffer.from(item.binary?.[field]?.data ?? '', 'base64');
}

const fileRequests = () => emulator.requests.filter((request) => request.path.startsWith('/files/'));

describe('Workflow → Run → Download Files', () => {
	it.each(['stream', 'async'])('%s: the End node\'s image variable becomes the binary "data"; the same link in an Output node is fetched once', async (runMode) => {
		const [item] = await runWorkflowNode(emulator, runParams('pictureWorkflow', { runMode, options: { downloadFiles: 'images', pollInterval: 0.1 } }));
		expect(item.json.output).toMatchObject({ caption: 'A sunset over West Lake' });
		expect(item.binary?.data).toMatchObject({ fileName: 'sunset.png', mimeType: 'image/png' });
		expect(bytes(item as never, 'data').equals(PNG_BYTES)).toBe(true);
		// Images Only: the poster (a File output without an extension) was looked at, and dropped as a PDF.
		expect(Object.keys(item.binary ?? {})).toEqual(['data']);
		expect(item.json.files).toEqual([
			{ name: 'sunset.png', mime_type: 'image/png', size: PNG_BYTES.length, binary_key: 'data', found_in: 'output.image', url: `${emulator.url}/files/sunset.png~tplv-mdko3gqilj-image.png` },
		]);
		expect(fileRequests().filter((request) => request.path.startsWith('/files/sunset'))).toHaveLength(1);
		for (const request of fileRequests()) expect(request.headers.authorization).toBeUndefined();
	});

	it('All Files: a File output whose URL has no extension is named by its Content-Disposition', async () => {
		const [item] = await runWorkflowNode(emulator, runParams('pictureWorkflow', { options: { downloadFiles: 'all', filesBinaryPrefix: 'file' } }));
		expect(item.binary?.file_1).toMatchObject({ fileName: 'Quarterly report 季度.pdf', mimeType: 'application/pdf' });
		expect(bytes(item as never, 'file_1').equals(PDF_BYTES)).toBe(true);
		expect((item.json.files as Array<{ found_in: string }>).map((file) => file.found_in)).toEqual(['output.image', 'output.poster']);
	});

	it('by default (links not on an allowed https host) refuses, naming the option', async () => {
		const error = await rejectionOf(
			runWorkflowNode(emulator, runParams('pictureWorkflow', { options: { downloadFiles: 'images', allowedFileHosts: '*.coze.cn' } }), {
				baseUrl: emulator.url.replace('127.0.0.1', 'localhost'),
			}),
		);
		expect(error.message).toMatch(/^Refused to download the file http:\/\/127\.0\.0\.1:\d+\/files\/sunset\.png~tplv-mdko3gqilj-image\.png: only https links are fetched/);
	});
});

describe('Workflow → Get Run History → Download Files', () => {
	it("downloads the run's picture later, while its link is still valid", async () => {
		const [run] = await runWorkflowNode(emulator, runParams('pictureWorkflow', { runMode: 'async', options: { pollInterval: 0.1 } }));
		expect(run.binary).toBeUndefined();
		const [item] = await runWorkflowNode(
			emulator,
			workflowParams('getRunHistory', scenarios.pictureWorkflow.workflowId, { executeId: run.json.execute_id as string, options: { downloadFiles: 'images' } }),
		);
		expect(item.binary?.data).toMatchObject({ fileName: 'sunset.png', mimeType: 'image/png' });
	});
});

describe('Workflow → Chat With Chatflow → Download Files', () => {
	it("downloads a picture the chatflow's answer shows", async () => {
		const link = signedFileUrl(emulator.url, 'sunset.png~tplv-mdko3gqilj-image.png');
		const [item] = await runWorkflowNode(
			emulator,
			workflowParams('chat', CHATFLOW_IDS.echo, {
				message: `![sunset](${link})`,
				associateWith: 'bot',
				botId: { __rl: true, mode: 'id', value: '7400000000000000001' },
				options: { downloadFiles: 'images' },
			}),
		);
		expect(item.binary?.data).toMatchObject({ fileName: 'sunset.png', mimeType: 'image/png' });
		expect(item.json.files).toEqual([expect.objectContaining({ found_in: 'answer (Markdown image)', binary_key: 'data' })]);
	});
});
