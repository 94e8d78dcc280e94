/**
 * The n8n editor in a real browser: Debian's Chromium driven by playwright-core, installed the way
 * the queue suite installs Redis (apt-get, waiting for a held dpkg lock). The page object knows the
 * editor's own test ids, which n8n 1.123.81 and 2.41.1 share for everything used here.
 */
import * as fs from 'fs';

import type { Browser, Locator, Page } from 'playwright-core';

import { aptInstall } from '../tools/apt';
import { log } from './n8n';

const CHROMIUM = '/usr/bin/chromium';

/** Chromium, plus fonts for Chinese and emoji, so the node's names and answers render in screenshots. */
export function ensureChromium(): void {
	const fonts = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
	const emoji = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf';
	const missing = [
		...(fs.existsSync(CHROMIUM) ? [] : ['chromium']),
		...(fs.existsSync(fonts) ? [] : ['fonts-noto-cjk']),
		...(fs.existsSync(emoji) ? [] : ['fonts-noto-color-emoji']),
	];
	if (missing.length > 0) aptInstall(missing, log);
}

export async function launchChromium(): Promise<Browser> {
	const { chromium } = await import('playwright-core');
	return await chromium.launch({
		executablePath: CHROMIUM,
		// Without the background-networking flags Chromium keeps dialling Google on this closed network.
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
	});
}

/** What a newcomer does in the editor, step by step. */
export class EditorPage {
	constructor(
		readonly page: Page,
		readonly url: string,
	) {
		// Leaving a workflow with unsaved changes asks the browser "leave this page?" (beforeunload),
		// which Playwright would answer "stay": a newcomer's scratch work is not kept.
		page.on('dialog', (dialog) => void dialog.accept());
	}

	async logIn(email: string, password: string): Promise<void> {
		await this.page.goto(`${this.url}/signin`, { waitUntil: 'networkidle' });
		await this.page.fill('input[type=email]', email);
		await this.page.fill('input[type=password]', password);
		await this.page.keyboard.press('Enter');
		await this.page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
	}

	async openWorkflow(id: string): Promise<void> {
		await this.page.goto(`${this.url}/workflow/${id}`, { waitUntil: 'networkidle' });
		await this.leaveWithoutSaving();
		await this.page.waitForURL((url) => url.pathname.endsWith(`/workflow/${id}`), { timeout: 30_000 });
		await this.page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
	}

	/** Leaving a workflow with changes asks whether to save them: a newcomer's scratch work is not kept. */
	private async leaveWithoutSaving(): Promise<void> {
		const leave = this.page.getByRole('button', { name: /Leave without saving/i });
		if (await leave.first().isVisible({ timeout: 2000 }).catch(() => false)) await leave.first().click();
	}

	async newWorkflow(): Promise<void> {
		await this.page.goto(`${this.url}/workflow/new`, { waitUntil: 'networkidle' });
		await this.page.locator('[data-test-id="canvas-plus-button"]').waitFor({ timeout: 60_000 });
	}

	/** The node panel from the canvas "+" of an empty workflow. */
	async openNodePanelFromCanvas(): Promise<void> {
		await this.page.locator('[data-test-id="canvas-plus-button"]').click();
		await this.searchBar().waitFor();
	}

	/** The node panel from a node's output "+" ("What happens next?"). */
	async openNodePanelAfter(nodeName: string): Promise<void> {
		await this.outputPlus(nodeName).click({ force: true });
		await this.searchBar().waitFor();
	}

	/** The node panel from the AI Agent's Tool connector "+". */
	async openToolPicker(agentName: string): Promise<void> {
		const plus = this.page.locator(
			`[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"][data-node-name="${agentName}"] [data-test-id="canvas-handle-plus"]`,
		);
		// n8n 2.41.1 sometimes answers a click that comes right after the canvas draws with its
		// "Other AI Nodes" panel instead of the Tools view (seen on about half of fresh pages, the
		// same click a moment later opens Tools). A person would close it and click again; so do we.
		for (let attempt = 1; ; attempt++) {
			await plus.hover({ force: true });
			await plus.click({ force: true });
			await this.searchBar().waitFor();
			await this.page.waitForTimeout(300);
			const panel = await this.page.locator('[data-test-id="node-creator"]').first().innerText();
			if (!/Other AI Nodes/.test(panel)) return;
			log(`tool picker: the "+" opened "Other AI Nodes" instead of Tools (attempt ${attempt}); closing it and clicking again`);
			if (attempt === 4) throw new Error(`the AI Agent's Tool "+" opened "Other AI Nodes" ${attempt} times, never the Tools view`);
			await this.closeNodePanel();
			await this.page.waitForTimeout(1000);
		}
	}

	/** Opens a canvas node's panel (NDV), as a double-click does. */
	async openNode(nodeName: string): Promise<void> {
		await this.page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).dblclick({ force: true });
		await this.page.locator('[data-test-id="ndv"]').waitFor();
	}

	/** The text of what the open node's panel shows matching `text` (a notice, a hint). */
	async shownText(text: string | RegExp): Promise<string> {
		const shown = this.page.getByText(text).first();
		await shown.waitFor({ timeout: 30_000 });
		return (await shown.innerText()).trim();
	}

	/** The canvas connections into `nodeName`: the source node and the connection type. */
	async connectionsInto(nodeName: string): Promise<Array<{ from: string; type: string }>> {
		await this.page.waitForTimeout(500);
		const edges = this.page.locator(`[data-test-id="edge"][data-target-node-name="${nodeName}"]`);
		return await edges.evaluateAll((list) =>
			list.map((edge) => ({
				from: edge.getAttribute('data-source-node-name') ?? '?',
				// The edge's path id names its handles, e.g. "[Code Tool/ai_tool/0][Send…/ai_tool/0]-0".
				type: /\/(ai_\w+|main)\//.exec(edge.querySelector('path[id]')?.id ?? '')?.[1] ?? '?',
			})),
		);
	}

	/** Closes the node panel (Escape clears a search first in 1.x, then closes). */
	async closeNodePanel(): Promise<void> {
		for (let i = 0; i < 3 && (await this.searchBar().isVisible()); i++) {
			await this.page.keyboard.press('Escape');
			await this.page.waitForTimeout(300);
		}
		await this.searchBar().waitFor({ state: 'hidden' });
	}

	/** The same session in a new tab: the editor's state starts afresh (no panel left open). */
	async inNewTab(): Promise<EditorPage> {
		const tab = await this.page.context().newPage();
		await tab.setViewportSize(this.page.viewportSize() ?? { width: 1440, height: 900 });
		await this.page.close();
		return new EditorPage(tab, this.url);
	}

	/** Types `term` into the node panel's search, as a person does, and returns the names it lists. */
	async search(term: string): Promise<string[]> {
		const bar = this.searchBar();
		await bar.click();
		await bar.fill('');
		await this.page.keyboard.type(term, { delay: 40 });
		// The panel filters as one types: wait until the list settles on this term.
		await this.page.waitForTimeout(600);
		return await this.visibleNames();
	}

	/** Picks a listed node, then (for a node with actions) one of its actions. */
	async pick(nodeName: string): Promise<void> {
		await this.page.locator('[data-test-id="node-creator-item-name"]', { hasText: nodeName }).first().click();
	}

	/** The action list of the node picked last (its panel). */
	async actions(): Promise<string[]> {
		await this.page.getByText('Send a message to a bot', { exact: true }).first().waitFor();
		await this.page.waitForTimeout(500); // the panel slides in over the search results
		return await this.visibleNames();
	}

	/** The names the node panel shows now (the panel it slid away from stays in the page, hidden). */
	private async visibleNames(): Promise<string[]> {
		return (await this.page.locator('[data-test-id="node-creator-item-name"]:visible').allInnerTexts()).map((name) => name.trim());
	}

	async pickAction(action: string): Promise<void> {
		await this.page.getByText(action, { exact: true }).first().click();
		await this.page.locator('[data-test-id="ndv"]').waitFor();
	}

	/** In the open node: chooses an item from a resource locator's list, after typing `filter`. */
	async chooseFromList(parameter: string, filter: string, item: string): Promise<void> {
		await this.page.locator(`[data-test-id="resource-locator-${parameter}"] [data-test-id="rlc-input"]`).click();
		await this.page.keyboard.type(filter, { delay: 40 });
		// An item of the list the picker opened (n8n's rlc-item), not the same words elsewhere on the
		// page (a sticky note naming the bot).
		const listed = this.page.locator('[data-test-id="rlc-item"]:visible', { hasText: item }).first();
		if (await listed.waitFor({ timeout: 15_000 }).then(() => true, () => false)) await listed.click();
		else await this.page.getByText(item, { exact: false }).first().click();
	}

	/** Picks `option` in the options parameter `parameter` (a dropdown in both versions). */
	async chooseOption(parameter: string, option: string): Promise<void> {
		await this.page.locator(`[data-test-id="parameter-input-${parameter}"]`).first().click();
		await this.page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
	}

	async fillText(parameter: string, value: string): Promise<void> {
		await this.page.locator(`[data-test-id="parameter-input-${parameter}"] textarea, [data-test-id="parameter-input-${parameter}"] input`).first().fill(value);
	}

	/** The labels of the open node's resource-mapper form (e.g. Workflow → Run's Parameters), and which can be removed. */
	async formFields(firstLabel: string): Promise<Array<{ label: string; removable: boolean; red: boolean; clipped: boolean }>> {
		const form = this.page.locator('[data-test-id="resource-mapper-container"]');
		await form.getByText(firstLabel).first().waitFor();
		const out: Array<{ label: string; removable: boolean; red: boolean; clipped: boolean }> = [];
		for (const field of await form.locator('.parameter-item').all()) {
			const text = field.locator('label.n8n-input-label .n8n-text').first();
			const label = (await text.innerText().catch(() => '')).trim();
			if (label === '') continue;
			out.push({
				label,
				removable: (await field.locator('[data-test-id^="remove-field-button-"]').count()) > 0,
				// n8n marks a field with issues (a CSS-module class, plus an issues icon) and a JSON editor's
				// lint error with a gutter dot.
				red: await field.evaluate(
					(el) => /hasIssues/.test(el.className) || el.querySelector('[class*="parameterIssues"], .cm-lint-marker-error') !== null,
				),
				// The label text cut by its box (an ellipsis, or hidden overflow).
				clipped: await text.evaluate((el) => el.scrollWidth > el.clientWidth + 1),
			});
		}
		return out;
	}

	/** Clicks Execute step on the open node and returns what the page says (n8n refuses a node with issues). */
	async executeStepExpectingRefusal(expected: string | RegExp): Promise<string> {
		await this.page.locator('[data-test-id="node-execute-button"]').first().click();
		const refusal = this.page.getByText(expected).first();
		try {
			await refusal.waitFor({ timeout: 30_000 });
		} catch (error) {
			// Say what the page showed instead, so a changed wording is read from the log, not guessed.
			const shown = (await this.page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 1500);
			throw new Error(`${(error as Error).message}\nThe page showed: ${shown}`);
		}
		return (await refusal.innerText()).trim();
	}

	/** Executes the open node and returns the text of its output panel. */
	async executeStep(expected: string | RegExp): Promise<string> {
		await this.page.locator('[data-test-id="node-execute-button"]').first().click();
		const output = this.page.locator('[data-test-id="output-panel"]');
		await output.getByText(expected).first().waitFor({ timeout: 60_000 });
		return await output.innerText();
	}

	async closeNode(): Promise<void> {
		// 2.x has a close button; 1.x a "Back to canvas" link; Escape closes both — unless a code
		// editor has the focus (it keeps Escape): then the button or link, as a person clicks it.
		await this.page.keyboard.press('Escape');
		const ndv = this.page.locator('[data-test-id="ndv"]');
		if (!(await ndv.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false))) {
			await this.page.locator('[data-test-id="ndv-close-button"]:visible, [data-test-id="back-to-canvas"]:visible').first().click();
		}
		await ndv.waitFor({ state: 'hidden' });
	}

	/** In the open node's panel: the "+" of its sub-node input (e.g. Send Message's Tools) below the parameters. */
	async openSubnodePicker(type = 'ai_tool'): Promise<void> {
		await this.page.locator(`[data-test-id="ndv"] [data-test-id="add-subnode-${type}-0"]`).click();
		await this.searchBar().waitFor();
		await this.page.waitForTimeout(300);
	}

	/** Renames the open node from its panel's title, as a person does (click the name, type, Enter). */
	async renameOpenNode(name: string): Promise<void> {
		await this.page.locator('[data-test-id="ndv"] [data-test-id="node-title-container"] [data-test-id="inline-edit-preview"]').first().click();
		const input = this.page.locator('[data-test-id="ndv"] [data-test-id="node-title-container"] [data-test-id="inline-edit-input"]').first();
		await input.waitFor();
		await input.fill(name);
		await this.page.keyboard.press('Enter');
		// The title shows the new name (the canvas's connections say it too: see connectionsInto).
		await this.page.locator('[data-test-id="ndv"] [data-test-id="node-title-container"] [data-test-id="inline-edit-preview"]', { hasText: name }).first().waitFor({ state: 'attached' });
	}

	/** Replaces the code in the open node's code editor parameter (e.g. a Code Tool's jsCode). */
	async fillCode(parameter: string, code: string): Promise<void> {
		await this.page.locator(`[data-test-id="parameter-input-${parameter}"] .cm-content`).first().click();
		await this.page.keyboard.press('Control+A');
		await this.page.keyboard.press('Delete');
		// Inserted as pasted text: the editor's auto-closing of quotes and brackets does not double them.
		await this.page.keyboard.insertText(code);
	}

	/** In the open node: adds an entry to its (only) list of key/value pairs, e.g. Variable → Set's Values. */
	async addEntry(values: Record<string, string>): Promise<void> {
		const before = await this.page.locator('[data-test-id="ndv"] [data-test-id="parameter-input-key"]').count();
		await this.page.locator('[data-test-id="ndv"] [data-test-id^="fixed-collection-add"]:visible').first().click();
		await this.page.locator('[data-test-id="ndv"] [data-test-id="parameter-input-key"]').nth(before).waitFor();
		for (const [parameter, value] of Object.entries(values)) {
			await this.page
				.locator(`[data-test-id="ndv"] [data-test-id="parameter-input-${parameter}"]`)
				.nth(before)
				.locator('textarea, input')
				.first()
				.fill(value);
		}
	}

	/**
	 * In the open node's output: shows its binary data (n8n's "Binary" view, then "View") and returns
	 * how long n8n's audio player says the file plays, in seconds, once the browser has read it.
	 */
	async playedAudioDuration(): Promise<number> {
		const output = this.page.locator('[data-test-id="output-panel"]');
		const binaryTab = output.locator('[data-test-id="radio-button-binary"]');
		if (await binaryTab.isVisible().catch(() => false)) await binaryTab.click();
		await output.locator('[data-test-id="ndv-view-binary-data"]').first().click();
		const audio = this.page.locator('audio').first();
		await audio.waitFor({ state: 'attached', timeout: 30_000 });
		return await audio.evaluate(
			(element) =>
				new Promise<number>((resolve, reject) => {
					const player = element as HTMLAudioElement;
					const done = () => (Number.isFinite(player.duration) && player.duration > 0 ? resolve(player.duration) : undefined);
					if (player.readyState >= 1) done();
					player.addEventListener('loadedmetadata', done);
					player.addEventListener('durationchange', done);
					setTimeout(() => reject(new Error(`no duration after 20 s: readyState ${player.readyState}, networkState ${player.networkState}, duration ${player.duration}, error ${player.error?.code ?? '-'}`)), 20_000);
				}),
		);
	}

	/**
	 * In the open node's output: shows its binary data (n8n's "Binary" view, then "View") and returns the
	 * natural size of the picture n8n's viewer shows, once the browser has decoded it.
	 */
	async shownImageSize(): Promise<{ width: number; height: number }> {
		const output = this.page.locator('[data-test-id="output-panel"]');
		const binaryTab = output.locator('[data-test-id="radio-button-binary"]');
		if (await binaryTab.isVisible().catch(() => false)) await binaryTab.click();
		await output.locator('[data-test-id="ndv-view-binary-data"]').first().click();
		const image = this.page.locator('img[src*="binary-data"], img[src^="blob:"], img[src^="data:image"]').last();
		await image.waitFor({ state: 'attached', timeout: 30_000 });
		return await image.evaluate(
			(element) =>
				new Promise<{ width: number; height: number }>((resolve, reject) => {
					const picture = element as HTMLImageElement;
					const done = () => (picture.complete && picture.naturalWidth > 0 ? resolve({ width: picture.naturalWidth, height: picture.naturalHeight }) : undefined);
					done();
					picture.addEventListener('load', done);
					picture.addEventListener('error', () => reject(new Error(`the picture did not load: ${picture.src.slice(0, 120)}`)));
					setTimeout(() => reject(new Error('no picture after 20 s')), 20_000);
				}),
		);
	}

	/** The canvas's "Execute workflow" button; resolves once the run has finished. */
	async executeWorkflow(): Promise<void> {
		const button = this.page.locator('[data-test-id="execute-workflow-button"]').first();
		await button.click();
		// While it runs the button says so (and is disabled); back to its label when the run ended.
		await this.page.waitForTimeout(1000);
		await this.page.waitForFunction(
			() => !/Executing|Waiting/i.test(document.querySelector('[data-test-id="execute-workflow-button"]')?.textContent ?? ''),
			undefined,
			{ timeout: 60_000 },
		);
	}

	/** The canvas's "Open chat" (a workflow with a Chat Trigger): sends `message` and returns the chat's text once it shows `expected`. */
	async chat(message: string, expected: string | RegExp): Promise<string> {
		await this.page.locator('[data-test-id="workflow-chat-button"]').first().click();
		const chat = this.page.locator('[data-test-id="canvas-chat"]').first();
		const input = chat.locator('textarea').first();
		await input.waitFor();
		await input.fill(message);
		await this.page.keyboard.press('Enter');
		await chat.getByText(expected).first().waitFor({ timeout: 60_000 });
		return await chat.innerText();
	}

	/** Opens a canvas node after a run and returns its output panel's text once it shows `expected`. */
	async outputOf(nodeName: string, expected: string | RegExp): Promise<string> {
		await this.openNode(nodeName);
		const output = this.page.locator('[data-test-id="output-panel"]');
		await output.getByText(expected).first().waitFor({ timeout: 30_000 });
		return await output.innerText();
	}

	/** The subtitle a node shows on the canvas. */
	async subtitleOf(nodeName: string): Promise<string> {
		return await this.page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).locator('..').innerText();
	}

	/** The connection types of a canvas node's input handles (`main`, `ai_tool`, …), in order. */
	async inputTypesOf(nodeName: string): Promise<string[]> {
		const node = this.page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
		await node.waitFor({ timeout: 30_000 });
		return await node
			.locator('..')
			.locator('[data-test-id="canvas-node-input-handle"]')
			.evaluateAll((handles) => handles.map((h) => h.getAttribute('data-connection-type') ?? '?'));
	}

	/** Opens a credential from the overview; n8n tests it at once. Returns the test's verdict. */
	async openCredential(name: string): Promise<string> {
		await this.page.goto(`${this.url}/home/credentials`, { waitUntil: 'networkidle' });
		await this.page.getByText(name, { exact: true }).first().click();
		return await this.credentialVerdict();
	}

	/**
	 * Replaces the open credential's Access Token and saves; n8n tests it again. Returns the failure's
	 * details (what "More details" shows), or throws when the test passes.
	 */
	async changeAccessTokenExpectingFailure(token: string): Promise<string> {
		const field = this.page.locator('[data-test-id="credential-connection-parameter"]').filter({ hasText: 'Access Token' }).locator('input');
		await field.fill(token);
		await this.page.locator('[data-test-id="credential-save-button"]').click();
		const failed = this.page.getByText(/Couldn.t connect with these settings/);
		await failed.first().waitFor({ timeout: 30_000 });
		const details = this.page.getByText('More details');
		if ((await details.count()) > 0) await details.first().click();
		return (await this.page.locator('[data-test-id="node-credentials-config-container"]').first().innerText()).trim();
	}

	/** Replaces the open credential's Access Token and saves; returns the test's verdict. */
	async changeAccessToken(token: string): Promise<string> {
		const field = this.page.locator('[data-test-id="credential-connection-parameter"]').filter({ hasText: 'Access Token' }).locator('input');
		await field.fill(token);
		await this.page.locator('[data-test-id="credential-save-button"]').click();
		await this.page.getByText('Connection tested successfully').first().waitFor({ timeout: 30_000 });
		return 'Connection tested successfully';
	}

	async closeCredential(): Promise<void> {
		await this.page.keyboard.press('Escape');
	}

	async screenshot(path: string): Promise<void> {
		await this.page.screenshot({ path });
	}

	private async credentialVerdict(): Promise<string> {
		const verdict = this.page.getByText(/Connection tested successfully|Couldn.t connect with these settings/);
		await verdict.first().waitFor({ timeout: 30_000 });
		return (await verdict.first().innerText()).trim();
	}

	private searchBar(): Locator {
		return this.page.locator('[data-test-id="node-creator-search-bar"]').first();
	}

	private outputPlus(nodeName: string): Locator {
		return this.page.locator(`[data-test-id="canvas-node-output-handle"][data-node-name="${nodeName}"] [data-test-id="canvas-handle-plus"]`).first();
	}
}
