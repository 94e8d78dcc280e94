import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { EMULATOR_TOKEN } from '../emulator/server';
import { scenarios } from '../emulator/scenarios';
import { runListSearch } from '../harness';
import { useEmulator } from './emulatorSetup';

const emulator = useEmulator();

const search = (filter?: string, paginationToken?: string, region = 'custom') =>
	runListSearch({
		node: new CozeChat(),
		credentialType: new CozeApi(),
		credentials: { region, baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
		method: 'searchBots',
		filter,
		paginationToken,
	});

describe('Bot picker (searchBots)', () => {
	it('lists the published bots of every workspace, then stops paginating', async () => {
		const page = await search();
		const names = page.results.map((r) => r.name);
		expect(page.results).toHaveLength(Object.keys(scenarios).length);
		expect(names).toContain('Weather Bot (Team Space)');
		expect(names).toContain('Calendar Bot (Personal)');
		expect(page.results.find((r) => r.name.startsWith('Weather Bot'))?.value).toBe(scenarios.toolCall.botId);
		expect(page.paginationToken).toBeUndefined();
		const bots = emulator.requestsTo('/v1/bots');
		expect(bots.every((r) => r.query.publish_status === 'published_online')).toBe(true);
		expect(new Set(bots.map((r) => r.query.workspace_id)).size).toBe(2);
	});

	it('filters by name or id', async () => {
		expect((await search('weather')).results.map((r) => r.value)).toEqual([scenarios.toolCall.botId]);
		expect((await search(scenarios.plain.botId)).results.map((r) => r.name)).toEqual(['Calendar Bot (Personal)']);
		expect((await search('no such bot')).results).toEqual([]);
	});

	it('gives no editor link for a custom base URL, whose editor site is unknown', async () => {
		const page = await search('weather');
		expect(page.results[0].url).toBeUndefined();
	});

	it('reports a bad token with Coze\'s code', async () => {
		await expect(
			runListSearch({
				node: new CozeChat(),
				credentialType: new CozeApi(),
				credentials: { region: 'custom', baseUrl: emulator.url, accessToken: 'pat_bad' },
				method: 'searchBots',
			}),
		).rejects.toThrow('Coze error 4100: authentication is invalid');
	});
});
