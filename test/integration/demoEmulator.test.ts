/**
 * `npm start`'s emulator (EmulatorOptions.demo), seen through the node as a newcomer sees it:
 * - its pickers (bots, workflows, voices) list the demo bots and workflows only, never the test
 *   fixtures, which still answer by id; the tests' emulator keeps listing all of them;
 * - its scripted bots answer what they can and, asked something else, say what they know
 *   ("[emulator] …") instead of answering another question (Berlin's weather with Hangzhou's,
 *   tomorrow with today).
 */
import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { VOICES } from '../emulator/audio';
import { DEMO_BOTS, dayOffset, scenarios } from '../emulator/scenarios';
import { DEMO_WORKFLOWS, scenarios as workflowScenarios } from '../emulator/workflowScenarios';
import { EMULATOR_TOKEN, type CozeEmulator } from '../emulator/server';
import { runListSearch } from '../harness';
import { useEmulator } from './emulatorSetup';
import { runCoze, sendMessage } from './helpers';

const demo = useEmulator({ demo: true });
const tests = useEmulator();

const picker = async (emulator: CozeEmulator, method: string) => {
	const names: string[] = [];
	let paginationToken: string | undefined;
	do {
		const page = await runListSearch({
			node: new CozeChat(),
			credentialType: new CozeApi(),
			credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
			method,
			paginationToken,
		});
		names.push(...page.results.map((r) => r.name));
		paginationToken = page.paginationToken as string | undefined;
	} while (paginationToken);
	return names;
};

const FIXTURE_BOTS = ['Failing Bot', 'Flaky Network Bot', 'Dead Network Bot', 'Novelist Bot', 'Erroring Bot', 'Garage Bot', 'Bare Number Bot'];
const FIXTURE_WORKFLOWS = ['Fails with Error 4000', 'coze-go test stream', 'Loses a packet', 'Connection drops', 'Code node raises'];

describe("npm start's emulator: pickers list the demo only", () => {
	it('the bot picker lists the demo bots, no failing or flaky fixture; the tests\' emulator lists them all', async () => {
		const shown = await picker(demo, 'searchBots');
		const demoNames = Object.values(scenarios).filter((s) => DEMO_BOTS.has(s.name)).map((s) => s.botName);
		expect(shown.map((n) => n.replace(/ \((Personal|Team Space)\)$/, '')).sort()).toEqual([...demoNames].sort());
		for (const fixture of FIXTURE_BOTS) expect(shown.join('\n')).not.toContain(fixture);
		const all = await picker(tests, 'searchBots');
		expect(all).toHaveLength(Object.keys(scenarios).length);
		for (const fixture of FIXTURE_BOTS) expect(all.join('\n')).toContain(fixture);
	});

	it('the workflow picker lists the demo workflows, no fixture; the tests\' emulator lists them all', async () => {
		const shown = await picker(demo, 'searchWorkflows');
		for (const name of DEMO_WORKFLOWS) expect(shown.join('\n')).toContain(workflowScenarios[name].title);
		for (const fixture of FIXTURE_WORKFLOWS) expect(shown.join('\n')).not.toContain(fixture);
		const all = await picker(tests, 'searchWorkflows');
		for (const fixture of FIXTURE_WORKFLOWS) expect(all.join('\n')).toContain(fixture);
	});

	it('the voice picker lists the named voices, not the 102 paging fillers; a fixture bot still answers by id', async () => {
		expect(await picker(demo, 'searchVoices')).toEqual(VOICES.slice(0, 3).map((v) => `${v.name} (${v.language_name})`));
		expect(await picker(tests, 'searchVoices')).toHaveLength(VOICES.length);
		const [item] = await runCoze(demo, sendMessage(scenarios.truncated.botId));
		expect(item.json.answer).toBe('This answer is long and the connection drops halfway.');
	});

	it('the knowledge base picker lists the sample bases (no fixture among them)', async () => {
		expect(await picker(demo, 'searchKnowledgeBases')).toEqual(expect.arrayContaining([expect.stringContaining('Team Wiki')]));
	});
});

const ask = async (emulator: CozeEmulator, botId: string, message: string, extra: Record<string, unknown> = {}) =>
	(await runCoze(emulator, sendMessage(botId, { message, ...extra })))[0].json;

describe("npm start's emulator: a bot asked something outside its script says so", () => {
	it('Weather Bot: a city it does not know gets the cities it knows, never another city\'s weather', async () => {
		const answer = (await ask(demo, scenarios.toolCall.botId, 'Weather in Berlin?')).answer;
		expect(answer).toBe('[emulator] I know the weather in Hangzhou, Kyoto, Beijing, Shanghai, Tokyo, Paris, London and New York only — ask about one of those.');
		expect((await ask(demo, scenarios.toolCall.botId, 'How is the weather?')).answer).toBe(answer);
		// The tests' emulator keeps its classic fallback.
		expect((await ask(tests, scenarios.toolCall.botId, 'Weather in Berlin?')).answer).toBe('Hangzhou: sunny, 24°C ☀️');
	});

	it('Weather Bot: "tomorrow" is tomorrow\'s forecast, a follow-up keeps the city, beyond 3 days it says so', async () => {
		const today = await ask(demo, scenarios.toolCall.botId, 'Weather in Kyoto?');
		expect(today).toMatchObject({ answer: 'Kyoto: cloudy, 18°C ⛅', tool_calls: [{ name: 'weather-getForecast' }] });
		const tomorrow = await ask(demo, scenarios.toolCall.botId, 'Weather in Kyoto tomorrow?');
		expect(tomorrow.answer).toMatch(/^Kyoto tomorrow: .+, 16°C/);
		expect(tomorrow.answer).not.toBe(today.answer);
		// A follow-up in the same conversation: the city comes from the earlier turn.
		const first = await ask(demo, scenarios.toolCall.botId, 'Weather in Hangzhou?');
		const conversation = String(first.conversation_id);
		const followUp = await ask(demo, scenarios.toolCall.botId, 'And tomorrow?', { conversationId: conversation });
		expect(followUp.answer).toMatch(/^Hangzhou tomorrow: /);
		const far = await ask(demo, scenarios.toolCall.botId, 'And in three days?', { conversationId: conversation });
		expect(far.answer).toBe('[emulator] I only know the forecast for today, tomorrow and the day after tomorrow — ask about one of those for Hangzhou.');
	});

	it('Calendar Bot: a date, today or tomorrow is answered (UTC); anything else gets what it answers', async () => {
		expect((await ask(demo, scenarios.plain.botId, 'What day is 2025-01-01?')).answer).toBe('2025 年 1 月 1 日是星期三。');
		const now = new Date();
		const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
		const weekday = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'][tomorrow.getUTCDay()];
		expect((await ask(demo, scenarios.plain.botId, 'What day is tomorrow?')).answer).toBe(
			`明天（${tomorrow.getUTCFullYear()} 年 ${tomorrow.getUTCMonth() + 1} 月 ${tomorrow.getUTCDate()} 日）是${weekday}。`,
		);
		expect((await ask(demo, scenarios.plain.botId, 'Hello!')).answer).toBe('[emulator] I only tell the weekday of a date — ask e.g. "What day is 2025-01-01?" or "What day is tomorrow?"');
		expect((await ask(tests, scenarios.plain.botId, 'Hello!')).answer).toBe('2024 年 10 月 1 日是星期二。');
	});

	it('Thinking Bot does the sum asked; Travel Bot and Knowledge Bot say what they know', async () => {
		expect(await ask(demo, scenarios.reasoning.botId, 'What is 12 + 30?')).toMatchObject({ answer: 'The answer is 42.', reasoning_content: 'Let me think. 12 + 30 = 42. Done.' });
		expect((await ask(demo, scenarios.reasoning.botId, 'What is 7 * 8?')).answer).toBe('The answer is 56.');
		expect((await ask(demo, scenarios.reasoning.botId, 'Why is the sky blue?')).answer).toMatch(/^\[emulator\] I only do one sum at a time/);
		expect((await ask(demo, scenarios.followUps.botId, 'What to see in Kyoto?')).answer).toBe('Visit Fushimi Inari Shrine.');
		expect((await ask(demo, scenarios.followUps.botId, 'What to see in Rome?')).answer).toMatch(/^\[emulator\] I know what to see in Hangzhou, Kyoto/);
		expect((await ask(demo, scenarios.verbose.botId, 'What is Coze?')).answer).toBe('Coze builds bots.');
		expect((await ask(demo, scenarios.verbose.botId, 'Who won the match?')).answer).toMatch(/^\[emulator\] My knowledge holds one line/);
	});

	it('reads the day a question asks about', () => {
		expect([dayOffset('today?'), dayOffset('And tomorrow?'), dayOffset('明天呢'), dayOffset('the day after tomorrow'), dayOffset('in three days'), dayOffset('Weather in Kyoto?')]).toEqual([0, 1, 1, 2, 3, undefined]);
	});
});
