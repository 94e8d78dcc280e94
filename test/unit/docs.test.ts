/**
 * The documentation holds together: every relative link and #anchor in README.md, CONTRIBUTING.md,
 * CHANGELOG.md and docs/*.md leads to a file that exists and a heading that is there (GitHub's slugs,
 * non-ASCII headings included); README stays a short entry page that starts with the two commands a
 * newcomer runs (CI runs exactly its test command); and the documentation links n8n shows in the node
 * and credential panels point at pages and headings that exist.
 */
import * as fs from 'fs';
import * as path from 'path';

import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeJwtApi } from '../../credentials/CozeJwtApi.credentials';

const ROOT = path.join(__dirname, '..', '..');
/** Links to the repository's own files on GitHub are checked like relative ones. */
const REPO_URL = /^https:\/\/github\.com\/n8n-nodes-coze\/n8n-nodes-coze\/(?:blob|tree)\/main\//;

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const docFiles = () => [
	'README.md',
	'CONTRIBUTING.md',
	'CHANGELOG.md',
	...fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
];

/** Markdown without fenced code blocks: a `#` or `[x](y)` inside one is neither heading nor link. */
function prose(markdown: string): string[] {
	const lines: string[] = [];
	let fence: string | undefined;
	for (const line of markdown.split('\n')) {
		const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
		if (marker && (!fence || marker.startsWith(fence))) {
			fence = fence ? undefined : marker;
			lines.push('');
			continue;
		}
		lines.push(fence ? '' : line);
	}
	return lines;
}

/** GitHub's heading anchor (github-slugger): lower case, punctuation and symbols dropped, spaces → '-'. */
function slug(heading: string): string {
	const text = heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
		.replace(/<[^>]+>/g, '') // inline HTML
		.replace(/[`*]/g, '') // code and emphasis markers
		.trim();
	return text
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

/** The anchors GitHub gives a file's headings; a repeated heading gets -1, -2, … */
function anchorsOf(file: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const line of prose(read(file))) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
		if (heading === undefined) continue;
		const base = slug(heading);
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		anchors.add(count === 0 ? base : `${base}-${count}`);
	}
	return anchors;
}

interface Link {
	from: string;
	line: number;
	target: string;
}

function linksOf(file: string): Link[] {
	const links: Link[] = [];
	prose(read(file)).forEach((text, index) => {
		const withoutCode = text.replace(/`[^`]*`/g, '');
		for (const match of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
			links.push({ from: file, line: index + 1, target: match[1] });
		}
	});
	return links;
}

/** What is wrong with a link (a repository file or an anchor), or undefined when it resolves. */
function problemWith(target: string, from: string): string | undefined {
	let relative = target;
	if (REPO_URL.test(target)) relative = '/' + target.replace(REPO_URL, '');
	else if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // another site, mailto:
	const hashAt = relative.indexOf('#');
	const filePart = hashAt < 0 ? relative : relative.slice(0, hashAt);
	const anchor = hashAt < 0 ? undefined : decodeURIComponent(relative.slice(hashAt + 1));
	const file = filePart === ''
		? from
		: filePart.startsWith('/')
			? path.normalize(filePart.slice(1))
			: path.normalize(path.join(path.dirname(from), decodeURIComponent(filePart)));
	if (file.startsWith('..') || path.isAbsolute(file)) return `${target} leaves the repository`;
	if (!fs.existsSync(path.join(ROOT, file))) return `${file} does not exist`;
	if (anchor === undefined || anchor === '') return undefined;
	if (!file.endsWith('.md')) return `#${anchor} points into ${file}, which has no headings`;
	if (!anchorsOf(file).has(anchor)) return `${file} has no heading #${anchor}`;
	return undefined;
}

describe('documentation', () => {
	it('slugs headings as GitHub does, non-ASCII ones included', () => {
		expect(slug('Chat → Send Message with n8n tools (client-side plugins)')).toBe('chat--send-message-with-n8n-tools-client-side-plugins');
		expect(slug("Coze Chat as a tool of n8n's AI Agent")).toBe('coze-chat-as-a-tool-of-n8ns-ai-agent');
		expect(slug('`Retry-After` and **4013**')).toBe('retry-after-and-4013');
		expect(slug('扣子 (Coze) 问答节点')).toBe('扣子-coze-问答节点');
		expect(slug('Café — déjà vu ☕')).toBe('café--déjà-vu-');
		expect(slug('[Queue mode](operations.md) in n8n 2.41.1')).toBe('queue-mode-in-n8n-2411');
	});

	it('finds a broken file, a broken anchor and a link that leaves the repository', () => {
		expect(problemWith('docs/no-such-page.md', 'README.md')).toBe('docs/no-such-page.md does not exist');
		expect(problemWith('chat.md#no-such-heading', 'docs/README.md')).toBe('docs/chat.md has no heading #no-such-heading');
		expect(problemWith('../../outside.md', 'docs/chat.md')).toMatch(/leaves the repository/);
		expect(problemWith('https://github.com/n8n-nodes-coze/n8n-nodes-coze/blob/main/docs/nope.md', 'README.md')).toBe('docs/nope.md does not exist');
		expect(problemWith('https://docs.n8n.io/#anything', 'README.md')).toBeUndefined();
	});

	it('has no broken relative link or anchor in README.md, CONTRIBUTING.md, CHANGELOG.md or docs/', () => {
		const files = docFiles();
		expect(files).toEqual(expect.arrayContaining(['docs/README.md', 'docs/credentials.md', 'docs/chat.md']));
		const links = files.flatMap(linksOf);
		expect(links.length).toBeGreaterThan(50);
		const broken = links
			.map((link) => ({ link, problem: problemWith(link.target, link.from) }))
			.filter(({ problem }) => problem !== undefined)
			.map(({ link, problem }) => `${link.from}:${link.line}: ${link.target}: ${problem}`);
		expect(broken).toEqual([]);
	});

	it('keeps README.md short and starts it with the two commands a newcomer runs', () => {
		const readme = read('README.md');
		expect([...readme].length).toBeLessThanOrEqual(10_000);
		// The first two code blocks, and nothing that looks like a command before them.
		const blocks = [...readme.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)];
		expect(blocks.length).toBeGreaterThanOrEqual(2);
		expect(blocks[0][1]).toMatch(/^npm ci && npm start {2,}# .*offline Coze emulator.*\n$/);
		expect(blocks[1][1]).toMatch(/^npm ci && npm test {2,}# .*\n$/);
		expect(readme.slice(0, blocks[0].index)).not.toMatch(/`[^`]*npm [^`]*`/);
		// CI runs exactly this test command (.ci/run: `npm ci`, then `npm test`).
		const ciRun = read('.ci/run');
		expect(ciRun.split('\n').filter((line) => /^npm /.test(line))).toEqual(['npm ci', 'npm test']);
		const scripts = JSON.parse(read('package.json')).scripts;
		expect(scripts.test).toBe('bash test/tools/test.sh');
		expect(scripts.start).toMatch(/test\/e2e\/start\.ts$/);
	});

	it('points the node and credential documentation links at pages and headings that exist', () => {
		const codex = JSON.parse(read('nodes/CozeChat/CozeChat.node.json'));
		const urls: string[] = [
			...codex.resources.primaryDocumentation.map((entry: { url: string }) => entry.url),
			...codex.resources.credentialDocumentation.map((entry: { url: string }) => entry.url),
			new CozeApi().documentationUrl,
			new CozeJwtApi().documentationUrl,
		];
		expect(urls).toHaveLength(4);
		for (const url of urls) {
			expect(url).toMatch(REPO_URL);
			expect([url, problemWith(url, 'README.md')]).toEqual([url, undefined]);
		}
		expect(new CozeApi().documentationUrl).toMatch(/\/docs\/credentials\.md#/);
		expect(new CozeJwtApi().documentationUrl).toMatch(/\/docs\/credentials\.md#oauth-jwt-service-app$/);
	});
});
