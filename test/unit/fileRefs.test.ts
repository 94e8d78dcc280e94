import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { DEFAULT_FILE_HOSTS, ipLiteral, judgeFileUrl, parseHostEntries } from '../../nodes/CozeChat/core/fileHosts';
import {
	chatFileSources,
	extractFileRefs,
	fileNameFromContentDisposition,
	fileNameFromUrl,
	MAX_FILE_REFS,
	urlWithoutSignature,
} from '../../nodes/CozeChat/core/fileRefs';

// Shapes of real Coze links (public samples): workflow images on byteimg.com with a ~tplv template,
// plugin resources on coze.cn, bot files with lk3s/x-expires.
const WORKFLOW_IMAGE =
	'https://p26-bot-workflow-sign.byteimg.com/tos-cn-i-mdko3gqilj/5a3696c62b104227bd03e44247980d84.png~tplv-mdko3gqilj-image.png?rk3s=c8fe7ad5&x-expires=1778903874&x-signature=YEec%2FdPKIyBFmgKai4j2zbcwYR0%3D';
const PLUGIN_AUDIO = 'https://lf-bot-studio-plugin-resource.coze.cn/obj/bot-studio-platform-plugin-tos/sami/tts/496abef696134e6794f5ee06633a4212.mp3';
const BOT_VIDEO = 'https://lf9-bot-platform-tos-sign.coze.cn/bot-studio-bot-platform/bot_files/117023652459296/video/mp4/7518402415159771170/output.mp4?lk3s=50ccb0c5&x-expires=1';
const WF_FILE =
	'https://p26-bot-workflow-sign.byteimg.com/tos-cn-i-mdko3gqilj/6aac8a6b025b4bd5812db0fc55de3e83.xlsx~tplv-mdko3gqilj-image.image?rk3s=81d4c505&x-expires=1782007995&x-signature=MShx&x-wf-file_name=Sales%20Q3.xlsx';

describe('extractFileRefs', () => {
	it('finds Markdown images and file links, with where they were found; a link to a page is not a file', () => {
		const refs = extractFileRefs([
			{ foundIn: 'answer', value: `Look: ![a cat](${WORKFLOW_IMAGE} "cat")\nand [the song](${PLUGIN_AUDIO}), see [our site](https://www.coze.cn/store).` },
		]);
		expect(refs).toEqual([
			{ url: WORKFLOW_IMAGE, kind: 'image', foundIn: 'answer (Markdown image)', name: 'a cat' },
			{ url: PLUGIN_AUDIO, kind: 'audio', foundIn: 'answer (Markdown link)', name: 'the song' },
		]);
	});

	it('finds object_string items, also as one block of an answer that joins messages', () => {
		const objectString = JSON.stringify([
			{ type: 'text', text: 'here' },
			{ type: 'image', file_url: WORKFLOW_IMAGE },
			{ type: 'file', file_url: BOT_VIDEO, name: 'output.mp4' },
			{ type: 'image', file_id: '7400' }, // an uploaded file, no URL: nothing to download
		]);
		expect(extractFileRefs([{ foundIn: 'answer', value: `Done.\n\n${objectString}` }])).toEqual([
			{ url: WORKFLOW_IMAGE, kind: 'image', foundIn: 'answer[1]' },
			{ url: BOT_VIDEO, kind: 'file', foundIn: 'answer[2]', name: 'output.mp4' },
		]);
	});

	it('walks cards and tool outputs (JSON inside JSON strings), each URL once', () => {
		const refs = extractFileRefs(
			chatFileSources({
				answer: `![x](${WORKFLOW_IMAGE})`,
				cards: [{ card_type: 3, data: JSON.stringify({ image: { url: PLUGIN_AUDIO.replace('.mp3', '.jpg') } }) }],
				tool_calls: [{ output: JSON.stringify({ output: WORKFLOW_IMAGE, audio_url: PLUGIN_AUDIO }) }, { output: null }],
			}),
		);
		expect(refs.map((ref) => [ref.foundIn, ref.kind])).toEqual([
			['answer (Markdown image)', 'image'],
			['cards[0].data.image.url', 'image'],
			['tool_calls[0].output.audio_url', 'audio'],
		]);
	});

	it('takes any whole-value URL of a workflow output only when asked (File outputs may have no extension)', () => {
		const output = { image: WORKFLOW_IMAGE, doc: 'https://s.coze.cn/t/Ft_HN9emokQ/', text: 'see https://s.coze.cn/t/x/ later', n: 3 };
		expect(extractFileRefs([{ foundIn: 'output', value: output }]).map((ref) => ref.foundIn)).toEqual(['output.image']);
		expect(extractFileRefs([{ foundIn: 'output', value: output }], { anyUrl: true }).map((ref) => [ref.foundIn, ref.kind])).toEqual([
			['output.image', 'image'],
			['output.doc', 'file'],
		]);
	});

	it(`takes at most ${MAX_FILE_REFS} files`, () => {
		const many = Array.from({ length: 30 }, (_, i) => `![](https://a.coze.cn/${i}.png)`).join(' ');
		expect(extractFileRefs([{ foundIn: 'answer', value: many }])).toHaveLength(MAX_FILE_REFS);
	});
});

describe('file names and the listed URL', () => {
	it('drops the signature, query, fragment and user info', () => {
		expect(urlWithoutSignature(WORKFLOW_IMAGE)).toBe('https://p26-bot-workflow-sign.byteimg.com/tos-cn-i-mdko3gqilj/5a3696c62b104227bd03e44247980d84.png~tplv-mdko3gqilj-image.png');
		expect(urlWithoutSignature('https://u:p@h.coze.cn/a.png#x')).toBe('https://h.coze.cn/a.png');
	});

	it("names a file by x-wf-file_name, else the path without Coze's ~tplv template", () => {
		expect(fileNameFromUrl(WF_FILE)).toBe('Sales Q3.xlsx');
		expect(fileNameFromUrl(WORKFLOW_IMAGE)).toBe('5a3696c62b104227bd03e44247980d84.png');
		expect(fileNameFromUrl('https://h.coze.cn/a/..%2F..%2Fetc%2Fpasswd')).toBe('passwd');
	});

	it('reads Content-Disposition, the UTF-8 name first, never a path', () => {
		expect(fileNameFromContentDisposition(`attachment; filename="r.pdf"; filename*=UTF-8''Q3%20%E5%AD%A3%E5%BA%A6.pdf`)).toBe('Q3 季度.pdf');
		expect(fileNameFromContentDisposition('inline; filename="../../x.png"')).toBe('x.png');
		expect(fileNameFromContentDisposition('inline')).toBeUndefined();
	});
});

describe('judgeFileUrl', () => {
	const policy = { entries: DEFAULT_FILE_HOSTS };
	const judge = (url: string, p: { entries: string[]; credentialOrigin?: string } = policy) => {
		const verdict = judgeFileUrl(url, p, 'Hosts');
		return verdict.ok ? (verdict.namedOrigin ? 'named' : 'ok') : verdict.reason;
	};

	it("allows Coze's file hosts over https by default", () => {
		expect(judge(WORKFLOW_IMAGE)).toBe('ok');
		expect(judge(PLUGIN_AUDIO)).toBe('ok');
		expect(judge('https://coze.cn.evil.com/a.png')).toMatch(/not in Hosts/);
		expect(judge('https://evilcoze.cn/a.png')).toMatch(/not in Hosts/);
	});

	it('refuses http, other schemes and user info', () => {
		expect(judge(PLUGIN_AUDIO.replace('https', 'http'))).toMatch(/^only https links are fetched/);
		expect(judge('file:///etc/passwd')).toMatch(/scheme file:/);
		expect(judge('https://user:pw@a.coze.cn/x.png')).toMatch(/user name or password/);
	});

	it.each([
		'https://127.0.0.1/x',
		'https://2130706433/x', // 127.0.0.1 as one number
		'https://0x7f.1/x',
		'https://10.1.2.3/x',
		'https://172.20.0.1/x',
		'https://192.168.0.10/x',
		'https://169.254.169.254/latest/meta-data/',
		'https://100.100.100.200/latest/meta-data/', // Alibaba Cloud metadata
		'https://0.0.0.0/x',
		'https://[::1]/x',
		'https://[fe80::1]/x',
		'https://[fd00:ec2::254]/x', // AWS metadata over IPv6
		'https://[::ffff:127.0.0.1]/x',
		'https://[::ffff:a9fe:a9fe]/x',
	])('refuses the non-public address of %s even when every host is allowed', (url) => {
		expect(judge(url, { entries: ['*'] })).toMatch(/private, loopback, link-local or metadata address/);
	});

	it.each(['https://localhost/x', 'https://db/x', 'https://metadata.google.internal/x', 'https://printer.local/x', 'https://app.localhost/x'])(
		'refuses the internal name %s even when every host is allowed',
		(url) => expect(judge(url, { entries: ['*'] })).toMatch(/local or internal host/),
	);

	it('allows a public IP or any public host with *', () => {
		expect(ipLiteral('8.8.8.8')).toEqual({ ip: true, nonPublic: false });
		expect(judge('https://8.8.8.8/x.png', { entries: ['*'] })).toBe('ok');
		expect(judge('https://files.example.com/x.png', { entries: ['*'] })).toBe('ok');
	});

	it("allows a named origin, and the credential's own, over http and on a private address, nothing more", () => {
		expect(judge('http://192.168.1.20:8888/f/x.png', { entries: ['http://192.168.1.20:8888'] })).toBe('named');
		expect(judge('http://192.168.1.20:8889/f/x.png', { entries: ['http://192.168.1.20:8888'] })).toMatch(/only https/);
		expect(judge('https://192.168.1.20:8888/f/x.png', { entries: ['http://192.168.1.20:8888'] })).toMatch(/private/);
		expect(judge('http://127.0.0.1:9000/x', { entries: [], credentialOrigin: 'http://127.0.0.1:9000' })).toBe('named');
	});

	it('says which entries of the option are not hosts', () => {
		expect(parseHostEntries(['*.coze.cn', 'http://a:1/path', 'a b']).problems).toEqual([
			"'http://a:1/path' is not an origin like http://192.168.1.20:8888",
			"'a b' is not a host name, *.domain, * or an origin",
		]);
	});
});

describe('Download Files in the node', () => {
	const properties = new CozeChat().description.properties;
	it.each([
		['chat', 'sendMessage'],
		['chat', 'submitToolOutputs'],
		['workflow', 'run'],
		['workflow', 'resume'],
		['workflow', 'getRunHistory'],
		['workflow', 'chat'],
	])('%s → %s offers Download Files (off), its field prefix, hosts and size cap', (resource, operation) => {
		const options = properties.find(
			(p) => p.name === 'options' && p.displayOptions?.show?.resource?.includes(resource) && p.displayOptions?.show?.operation?.includes(operation),
		);
		const names = ((options?.options ?? []) as Array<{ name: string; default?: unknown }>).map((o) => o.name);
		expect(names).toEqual(expect.arrayContaining(['downloadFiles', 'filesBinaryPrefix', 'allowedFileHosts', 'maxFileSizeMb']));
		expect((options?.options as Array<{ name: string; default?: unknown }>).find((o) => o.name === 'downloadFiles')?.default).toBe('off');
	});
});
