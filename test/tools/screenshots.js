#!/usr/bin/env node
// Retakes the documentation screenshots from a running `npm start` (default http://127.0.0.1:5678): the demo
// workflow and node into test/e2e/screenshots/, the example workflows into examples/screenshots/.
// Needs Debian's chromium and playwright-core, which are not project dependencies:
//   apt-get install -y chromium fonts-noto-cjk && npm install --no-save playwright-core
const { chromium } = require('playwright-core');
const path = require('path');

const base = process.argv[2] ?? 'http://127.0.0.1:5678';
const out = path.join(__dirname, '..', 'e2e', 'screenshots');
const examplesOut = path.join(__dirname, '..', '..', 'examples', 'screenshots');
const example = (file) => require(path.join(__dirname, '..', '..', 'examples', file));

(async () => {
	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	await page.goto(`${base}/signin`, { waitUntil: 'networkidle' });
	await page.fill('input[type=email]', 'demo@n8n-nodes-coze.local');
	await page.fill('input[type=password]', 'Coze-demo-1');
	await page.keyboard.press('Enter');
	await page.waitForTimeout(3000);
	await page.goto(`${base}/workflow/cozeDemoAskBot001`, { waitUntil: 'networkidle' });
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	await page.waitForTimeout(1500);
	await page.locator('[data-test-id="execute-workflow-button-Manual Trigger"]').click({ force: true });
	await page.waitForTimeout(5000);
	await page.screenshot({ path: path.join(out, 'workflow.png') });
	await page.locator('[data-test-id="canvas-node"]', { hasText: 'Coze Chat' }).first().dblclick({ force: true });
	await page.waitForTimeout(3000);
	await page.screenshot({ path: path.join(out, 'send-message.png') });
	await page.locator('[data-test-id="resource-locator-botId"] [data-test-id="rlc-mode-selector"]').click({ force: true });
	await page.waitForTimeout(700);
	await page.locator('[data-test-id="mode-list"]').click({ force: true });
	await page.waitForTimeout(800);
	await page.locator('[data-test-id="resource-locator-botId"] [data-test-id="rlc-input"]').click({ force: true });
	await page.waitForTimeout(2500);
	await page.keyboard.type('weather');
	await page.waitForTimeout(2000);
	await page.screenshot({ path: path.join(out, 'bot-picker.png') });

	// The examples: run each from its Manual Trigger in the editor (against the emulator), so the
	// canvas shows the items that went through; the chatbot (a Chat Trigger) shows its Coze node.
	require('fs').mkdirSync(examplesOut, { recursive: true });
	const openWorkflow = async (file) => {
		await page.goto(`${base}/workflow/${example(file).id}`, { waitUntil: 'networkidle' });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
		await page.waitForTimeout(1500);
	};
	for (const [file, trigger, shot] of [
		['nightly-batch.json', 'Run once now', 'nightly-batch.png'],
		['ai-agent-tool.json', 'Run', 'ai-agent-tool.png'],
		['client-tool-round-trip.json', 'Run', 'client-tool-round-trip.png'],
		['coze-bot-with-n8n-tools.json', 'Run', 'coze-bot-with-n8n-tools.png'],
	]) {
		await openWorkflow(file);
		await page.locator(`[data-test-id="execute-workflow-button-${trigger}"]`).click({ force: true });
		await page.waitForTimeout(8000);
		await page.screenshot({ path: path.join(examplesOut, shot) });
	}
	await openWorkflow('chatbot-with-memory.json');
	await page.locator('[data-test-id="canvas-node"]', { hasText: 'Ask Coze' }).first().dblclick({ force: true });
	await page.waitForTimeout(3000);
	await page.screenshot({ path: path.join(examplesOut, 'chatbot-with-memory.png') });
	await browser.close();
})().catch((error) => {
	console.error(error);
	process.exit(1);
});
