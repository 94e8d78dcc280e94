/**
 * Coze's bot (agent) management API, with state: each bot has a draft and, once published, an
 * online version per channel set, and a list of published versions. Chats (server.ts openChat) ask
 * `promptFor` which prompt the version they talk to has — the draft for publish_status
 * unpublished_draft, a pinned bot_version, else the published one — and refuse a bot that is not
 * published to the API channel; the Store Helper (scenarios.ts promptOps) and every created bot
 * answer from that prompt.
 *
 * Shapes from Coze's docs (coze-dev/coze-sdk-gen docs/api-markdown: bots_list_draft_published,
 * get_metadata_draft_published, create_bot, update_bot, publish_bot, list_bot_versions) and cozepy
 * 6b0f4cd (unpublish: POST /v1/bots/:id/unpublish {bot_id, connector_id, unpublish_reason}).
 * Coze's own sample of a configuration spells the opening message `Prologue` / `SuggestedQuestions`;
 * the Store Helper answers that way, the other bots with the documented keys.
 *
 * Assumed, not sourced: the error codes and texts (Coze's generic 4000 "invalid parameter", 4200 for
 * a bot that does not exist or is not published, HTTP 200); that /v1/bot/update replaces a whole
 * object it is sent (model_info_config, onboarding_info, suggest_reply_info, knowledge) — fields of
 * it left out take their defaults, the worst case a client must survive; that unpublishing the last
 * channel leaves the bot unpublished; the version numbers (milliseconds, as Coze's samples).
 * On Coze Studio only GET /v1/bots/:id is served, and it ignores is_published (coze-studio
 * SingleAgentApplicationService.OpenGetBotInfo); its other paths answer Studio's 401 (studio.ts).
 */
import { newId } from './ids';
import { PERSONAL_SPACE, TEAM_SPACE } from './knowledge';
import { DEMO_BOTS, scenarios } from './scenarios';
import type { CozeEmulator, EmulatorRoute } from './server';
import { EmulatorFault } from './server';

const OWNER = '7400000000000009999';
const SEED_TIME = 1718792949;

export interface BotConfig {
	name: string;
	description: string;
	prompt: string;
	model: Record<string, unknown>;
	plugins: Array<{ plugin_id: string; api_id: string }>;
	workflows: string[];
	knowledge: { dataset_ids: string[]; auto_call: boolean; search_strategy: number };
	onboarding: { prologue: string; suggested_questions: string[] };
	suggest: { reply_mode: string; customized_prompt: string };
}

interface Version {
	version: string;
	createdAt: number;
	config: BotConfig;
	connectors: string[];
}

export interface EmulatedBot {
	id: string;
	spaceId: string;
	draft: BotConfig;
	/** The channels the bot is published to now, and its online version. */
	online?: { version: string; config: BotConfig; connectors: Set<string>; publishedAt: number };
	versions: Version[];
	draftVersion: string;
	createdAt: number;
	updatedAt: number;
	/** Which scenario answers (a scenario bot's own; created bots: the Store Helper's). */
	scenario: string;
	/** Seeded from a scenario: an unknown bot_version falls back to the online version (old tests pin any). */
	lenientVersions: boolean;
}

/** The Store Helper's prompts: its published version and a draft that says other things. */
export const STORE_HELPER = {
	id: scenarios.promptOps.botId,
	publishedPrompt: 'You are the Acme Store helper. The store opens at 9 am on weekdays. Returns are accepted within 14 days.',
	draftPrompt: 'You are the Acme Store helper. The store opens at 8 am on weekdays. Returns are accepted within 30 days. Shipping is free for orders over 50 euros.',
	publishedVersion: '1733000000000',
};

/** A draft-only agent (never published) in the personal space. */
export const DRAFT_AGENT = { id: '7400000000000000037', name: 'Draft Agent', prompt: 'You are a draft. The launch date is in March.' };

const DEFAULT_MODEL = { model_id: '1737521813', model_name: 'Doubao Pro 32k', temperature: 0.8, top_p: 1, max_tokens: 4096, context_round: 3, response_format: 'text' };

function config(name: string, prompt: string, extra: Partial<BotConfig> = {}): BotConfig {
	return {
		name,
		description: '',
		prompt,
		model: { ...DEFAULT_MODEL },
		plugins: [],
		workflows: [],
		knowledge: { dataset_ids: [], auto_call: true, search_strategy: 0 },
		onboarding: { prologue: '', suggested_questions: [] },
		suggest: { reply_mode: 'enable', customized_prompt: '' },
		...extra,
	};
}

function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

export class BotEmulator {
	readonly bots = new Map<string, EmulatedBot>();

	/** The next publishes that fail with Coze's "try again after a short delay" (702042078). */
	publishFailures = 0;

	private versionClock = 0;

	constructor(private readonly emulator: CozeEmulator) {
		this.reset();
	}

	/** Back to the bots every emulator starts with. */
	reset(): void {
		this.bots.clear();
		this.publishFailures = 0;
		Object.values(scenarios).forEach((scenario, index) => {
			const seeded = config(scenario.botName, `Scenario ${scenario.name}`, { description: `Scenario ${scenario.name}` });
			this.bots.set(scenario.botId, {
				id: scenario.botId,
				// The order and split the bot picker has always seen: even scenarios personal, odd team.
				spaceId: index % 2 === 0 ? PERSONAL_SPACE : TEAM_SPACE,
				draft: seeded,
				online: { version: '1718792949000', config: clone(seeded), connectors: new Set(['1024']), publishedAt: SEED_TIME },
				versions: [{ version: '1718792949000', createdAt: SEED_TIME, config: clone(seeded), connectors: ['1024'] }],
				draftVersion: '1718792949001',
				createdAt: SEED_TIME,
				updatedAt: SEED_TIME,
				scenario: scenario.name,
				lenientVersions: true,
			});
		});
		const helper = this.bots.get(STORE_HELPER.id)!;
		const published = config('Store Helper', STORE_HELPER.publishedPrompt, {
			description: 'Answers questions about the Acme Store',
			onboarding: { prologue: 'Hi! Ask me about the Acme Store.', suggested_questions: ['When does the store open?'] },
			plugins: [{ plugin_id: '7379227414322217010', api_id: '7379227414322233394' }],
			workflows: ['7460491086110370001'],
			knowledge: { dataset_ids: ['7420000000000000001'], auto_call: false, search_strategy: 1 },
			suggest: { reply_mode: 'customized', customized_prompt: 'Suggest questions about opening hours' },
			model: { ...DEFAULT_MODEL, temperature: 0.3, context_round: 5 },
		});
		helper.draft = { ...clone(published), prompt: STORE_HELPER.draftPrompt };
		helper.online = { version: STORE_HELPER.publishedVersion, config: clone(published), connectors: new Set(['1024', '999']), publishedAt: SEED_TIME };
		helper.versions = [
			{ version: STORE_HELPER.publishedVersion, createdAt: SEED_TIME + 100, config: clone(published), connectors: ['1024', '999'] },
			{ version: '1732000000000', createdAt: SEED_TIME, config: { ...clone(published), prompt: 'You are the Acme Store helper. The store opens at 10 am.' }, connectors: ['1024'] },
		];
		helper.lenientVersions = false;
		this.bots.set(DRAFT_AGENT.id, {
			id: DRAFT_AGENT.id,
			spaceId: PERSONAL_SPACE,
			draft: config(DRAFT_AGENT.name, DRAFT_AGENT.prompt),
			versions: [],
			draftVersion: '1734000000001',
			createdAt: SEED_TIME,
			updatedAt: SEED_TIME,
			scenario: 'promptOps',
			lenientVersions: false,
		});
	}

	/** Whether the emulator manages this bot (then chats with it ask promptFor). */
	has(botId: string): boolean {
		return this.bots.has(botId);
	}

	/** The scenario a bot's chats follow (created bots answer from their prompt). */
	scenarioOf(botId: string): string | undefined {
		return this.bots.get(botId)?.scenario;
	}

	/**
	 * The prompt of the version a chat talks to: the draft (unpublished_draft), a pinned version, or
	 * the version published to the API channel. A bot not on the API channel is Coze's 4200.
	 */
	promptFor(botId: string, publishStatus: unknown, botVersion: unknown): string | undefined {
		const bot = this.bots.get(botId);
		if (!bot) return undefined;
		if (publishStatus === 'unpublished_draft') return bot.draft.prompt;
		if (typeof botVersion === 'string' && botVersion !== '') {
			const pinned = bot.versions.find((v) => v.version === botVersion);
			if (pinned) return pinned.config.prompt;
			if (!bot.lenientVersions) throw new EmulatorFault(4000, `Request parameter error: bot_version ${botVersion} does not exist`);
		}
		if (!bot.online?.connectors.has('1024')) {
			throw new EmulatorFault(4200, `Bot ${botId} is not published to the API channel or does not exist`);
		}
		return bot.online.config.prompt;
	}

	readonly route: EmulatorRoute = (request) => {
		const { method, path, res } = request;
		const query = request.query;
		const body = (request.body ?? {}) as Record<string, unknown>;
		try {
			if (method === 'GET' && path === '/v1/bots') return this.emulator.ok(res, this.list(query)), true;
			const one = /^\/v1\/bots\/(\d+)$/.exec(path);
			// Studio's OpenGetBotInfo ignores is_published: it always reads the online agent.
			if (method === 'GET' && one) return this.emulator.ok(res, this.configuration(one[1], this.emulator.dialect === 'studio' || query.is_published !== 'false')), true;
			if (this.emulator.dialect === 'studio') return false;
			if (method === 'POST' && path === '/v1/bot/create') return this.emulator.ok(res, { bot_id: this.create(body) }), true;
			if (method === 'POST' && path === '/v1/bot/update') return this.update(body), this.emulator.json(res, 200, { code: 0, msg: '' }), true;
			if (method === 'POST' && path === '/v1/bot/publish') return this.emulator.ok(res, this.publish(body)), true;
			const unpublish = /^\/v1\/bots\/(\d+)\/unpublish$/.exec(path);
			if (method === 'POST' && unpublish) return this.unpublish(unpublish[1], body), this.emulator.json(res, 200, { code: 0, msg: '' }), true;
			const versions = /^\/v1\/bots\/(\d+)\/versions$/.exec(path);
			if (method === 'GET' && versions) return this.emulator.ok(res, this.versionPage(versions[1], query)), true;
			return false;
		} catch (error) {
			if (!(error instanceof EmulatorFault)) throw error;
			this.emulator.json(res, error.status, { code: error.code, msg: error.msg });
			return true;
		}
	};

	private find(botId: unknown): EmulatedBot {
		const bot = this.bots.get(String(botId ?? ''));
		if (!bot) throw new EmulatorFault(4200, `Requested resource bot_id=${String(botId)} does not exist. Ensure you are the correct resource identifier.`);
		return bot;
	}

	private list(query: Record<string, string>): Record<string, unknown> {
		const spaceId = query.workspace_id;
		if (spaceId !== PERSONAL_SPACE && spaceId !== TEAM_SPACE) throw new EmulatorFault(4000, 'workspace_id is invalid');
		const status = query.publish_status || 'published_online';
		const connector = query.connector_id || '1024';
		const chosen = [...this.bots.values()]
			.filter((bot) => bot.spaceId === spaceId)
			.filter((bot) => !this.emulator.demo || DEMO_BOTS.has(bot.scenario))
			.filter((bot) => {
				const online = bot.online?.connectors.has(connector) === true;
				if (status === 'published_online' || status === 'published_draft') return online;
				if (status === 'unpublished_draft') return bot.versions.length === 0;
				return true;
			})
			.map((bot) => {
				const shown = status === 'published_online' ? bot.online!.config : bot.draft;
				return {
					id: bot.id,
					name: shown.name,
					description: shown.description,
					icon_url: '',
					is_published: bot.versions.length > 0,
					updated_at: bot.updatedAt,
					...(bot.online ? { published_at: bot.online.publishedAt } : {}),
					owner_user_id: OWNER,
					folder_id: '0',
				};
			});
		const size = Math.min(Math.max(1, Number(query.page_size ?? 20)), this.emulator.botPageCap);
		const page = Math.max(1, Number(query.page_num ?? 1));
		return { items: chosen.slice((page - 1) * size, page * size), total: chosen.length };
	}

	private configuration(botId: string, published: boolean): Record<string, unknown> {
		const bot = this.find(botId);
		if (published && !bot.online) throw new EmulatorFault(4200, `Bot ${botId} has not been published; ask for its draft (is_published=false)`);
		const shown = published ? bot.online!.config : bot.draft;
		const onboarding =
			bot.id === STORE_HELPER.id
				? { Prologue: shown.onboarding.prologue, SuggestedQuestions: shown.onboarding.suggested_questions, OnboardingMode: 2, CustomizedOnboardingPrompt: '', SuggestedQuestionsShowMode: 0 }
				: shown.onboarding;
		const { model_id, ...settings } = shown.model;
		return {
			bot_id: bot.id,
			name: shown.name,
			description: shown.description,
			icon_url: '',
			create_time: bot.createdAt,
			update_time: bot.updatedAt,
			version: published ? bot.online!.version : bot.draftVersion,
			bot_mode: 0,
			prompt_info: { prompt: shown.prompt, prompt_mode: 'standard' },
			onboarding_info: onboarding,
			model_info: { model_id, model_name: 'Doubao Pro 32k', ...settings },
			plugin_info_list: shown.plugins.map((p) => ({ plugin_id: p.plugin_id, name: 'Weather', description: '', icon_url: '', api_info_list: [{ api_id: p.api_id, name: 'getWeather', description: '' }] })),
			workflow_info_list: shown.workflows.map((id) => ({ id, name: `workflow_${id.slice(-4)}`, description: '', icon_url: '' })),
			knowledge: { knowledge_infos: shown.knowledge.dataset_ids.map((id) => ({ id, name: `Knowledge ${id.slice(-4)}` })) },
			suggest_reply_info: shown.suggest,
			variables: [{ keyword: 'city', default_value: 'Hangzhou', variable_type: 'KVVariable', channel: 'custom', description: 'The user\'s city', enable: true, prompt_enable: true }],
			owner_user_id: OWNER,
			folder_id: '0',
			shortcut_commands: [],
			voice_info_list: [],
			default_user_input_type: 'text',
		};
	}

	private create(body: Record<string, unknown>): string {
		const spaceId = String(body.space_id ?? '');
		if (spaceId !== PERSONAL_SPACE && spaceId !== TEAM_SPACE) throw new EmulatorFault(4000, 'Request parameter error: space_id is invalid');
		const name = typeof body.name === 'string' ? body.name : '';
		if ([...name].length < 1 || [...name].length > 20) throw new EmulatorFault(4000, 'Request parameter error: name must be 1 to 20 characters');
		const bot: EmulatedBot = {
			id: newId(),
			spaceId,
			draft: config(name, ''),
			versions: [],
			draftVersion: this.nextVersion(),
			createdAt: Math.floor(Date.now() / 1000),
			updatedAt: Math.floor(Date.now() / 1000),
			scenario: 'promptOps',
			lenientVersions: false,
		};
		this.apply(bot.draft, body);
		this.bots.set(bot.id, bot);
		return bot.id;
	}

	private update(body: Record<string, unknown>): void {
		const bot = this.find(body.bot_id);
		if (body.name !== undefined && (typeof body.name !== 'string' || [...body.name].length < 1 || [...body.name].length > 20)) {
			throw new EmulatorFault(4000, 'Request parameter error: name must be 1 to 20 characters');
		}
		this.apply(bot.draft, body);
		bot.updatedAt = Math.floor(Date.now() / 1000);
		bot.draftVersion = this.nextVersion();
	}

	/** Applies a create or update body to a draft: each object sent replaces the one there. */
	private apply(draft: BotConfig, body: Record<string, unknown>): void {
		const object = (key: string) => (typeof body[key] === 'object' && body[key] !== null ? (body[key] as Record<string, unknown>) : undefined);
		if (typeof body.name === 'string') draft.name = body.name;
		if (typeof body.description === 'string') draft.description = body.description;
		const prompt = object('prompt_info');
		if (prompt) {
			const text = typeof prompt.prompt === 'string' ? prompt.prompt : '';
			if ([...text].length > 20000) throw new EmulatorFault(4000, 'Request parameter error: prompt is longer than 20000 characters');
			draft.prompt = text;
		}
		const model = object('model_info_config');
		if (model) {
			if (typeof model.model_id !== 'string' || model.model_id === '') throw new EmulatorFault(4000, 'Request parameter error: model_info_config.model_id is required');
			draft.model = { ...model };
		}
		const onboarding = object('onboarding_info');
		if (onboarding) {
			draft.onboarding = {
				prologue: typeof onboarding.prologue === 'string' ? onboarding.prologue : '',
				suggested_questions: Array.isArray(onboarding.suggested_questions) ? onboarding.suggested_questions.map(String) : [],
			};
		}
		const suggest = object('suggest_reply_info');
		if (suggest) draft.suggest = { reply_mode: String(suggest.reply_mode ?? 'enable'), customized_prompt: String(suggest.customized_prompt ?? '') };
		const plugins = object('plugin_id_list');
		if (plugins) {
			const list = Array.isArray(plugins.id_list) ? (plugins.id_list as Array<Record<string, unknown>>) : [];
			draft.plugins = list.map((p) => ({ plugin_id: String(p.plugin_id), api_id: String(p.api_id) }));
		}
		const workflows = object('workflow_id_list');
		if (workflows) draft.workflows = (Array.isArray(workflows.ids) ? (workflows.ids as Array<Record<string, unknown>>) : []).map((w) => String(w.id));
		const knowledge = object('knowledge');
		if (knowledge) {
			draft.knowledge = {
				dataset_ids: Array.isArray(knowledge.dataset_ids) ? knowledge.dataset_ids.map(String) : [],
				auto_call: knowledge.auto_call === undefined ? true : knowledge.auto_call === true,
				search_strategy: typeof knowledge.search_strategy === 'number' ? knowledge.search_strategy : 0,
			};
		}
	}

	private publish(body: Record<string, unknown>): Record<string, unknown> {
		const bot = this.find(body.bot_id);
		const connectors = Array.isArray(body.connector_ids) ? body.connector_ids.map(String) : [];
		if (connectors.length === 0) throw new EmulatorFault(4000, 'Request parameter error: connector_ids is required');
		if (connectors.some((c) => !/^\d+$/.test(c))) throw new EmulatorFault(4000, 'Request parameter error: connector_ids must be channel IDs');
		if (connectors.some((c) => c !== '1024' && c !== '999') && !connectors.includes('1024')) {
			throw new EmulatorFault(4000, 'Request parameter error: publishing to a custom channel needs the API channel (1024) too');
		}
		if (this.publishFailures > 0) {
			this.publishFailures--;
			throw new EmulatorFault(702042078, "We're currently experiencing server issues. Please try your request again after a short delay. If the problem persists, contact our support team.");
		}
		const version = this.nextVersion();
		const now = Math.floor(Date.now() / 1000);
		bot.online = { version, config: clone(bot.draft), connectors: new Set([...(bot.online?.connectors ?? []), ...connectors]), publishedAt: now };
		bot.versions.unshift({ version, createdAt: now, config: clone(bot.draft), connectors });
		bot.draftVersion = this.nextVersion();
		return { bot_id: bot.id, version };
	}

	private unpublish(botId: string, body: Record<string, unknown>): void {
		const bot = this.find(botId);
		const connector = String(body.connector_id ?? '');
		if (!/^\d+$/.test(connector)) throw new EmulatorFault(4000, 'Request parameter error: connector_id is required');
		if (!bot.online?.connectors.has(connector)) throw new EmulatorFault(4000, `Request parameter error: the bot is not published to channel ${connector}`);
		bot.online.connectors.delete(connector);
		if (bot.online.connectors.size === 0) bot.online = undefined;
	}

	private versionPage(botId: string, query: Record<string, string>): Record<string, unknown> {
		const bot = this.find(botId);
		const status = query.publish_status || 'published_online';
		const size = Math.min(30, Math.max(1, Number(query.page_size ?? 10)));
		const page = Math.max(1, Number(query.page_num ?? 1));
		const creator = { id: OWNER, name: 'emulator' };
		const all =
			status === 'unpublished_draft'
				? [{ creator, version: bot.draftVersion, changelog: '', created_at: bot.updatedAt, publish_status: 'unpublished_draft' }]
				: bot.versions
						.filter((v) => !query.connector_id || v.connectors.includes(query.connector_id))
						.map((v) => ({ creator, version: v.version, changelog: '', created_at: v.createdAt, publish_status: 'published_online' }));
		const items = all.slice((page - 1) * size, page * size);
		return { items, has_more: page * size < all.length };
	}

	/** Version numbers like Coze's (milliseconds), always increasing. */
	private nextVersion(): string {
		this.versionClock = Math.max(this.versionClock + 1, Date.now());
		return String(this.versionClock);
	}
}
