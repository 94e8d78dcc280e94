/**
 * User variables of bots and apps (GET / PUT /v1/variables), in the shapes of Coze's docs and SDKs
 * (coze-js resources/variables, cozepy variables): values per bot or app, channel (connector_id) and
 * user (connector_uid); `keywords` comma-separated; a variable never set reads as its default with
 * create_time 0; a name that does not exist is left out of a read.
 *
 * Assumed, not sourced: the code and text of the errors (no bot_id/app_id, no data, a name the bot
 * does not declare); they are Coze's generic 4000 "invalid parameter" shape.
 */
import type { CozeEmulator, EmulatorRoute } from './server';

/** The user variables every emulated bot and app declares, with their defaults. */
export const DECLARED_VARIABLES: Record<string, string> = { name: '', city: 'Hangzhou', membership: 'free' };

interface Stored {
	value: string;
	createTime: number;
	updateTime: number;
}

export class VariableEmulator {
	/** owner → keyword → value. */
	private readonly values = new Map<string, Map<string, Stored>>();

	constructor(private readonly emulator: CozeEmulator) {}

	readonly route: EmulatorRoute = async (request) => {
		if (request.path !== '/v1/variables') return false;
		const { res } = request;
		if (request.method === 'GET') {
			const owner = this.ownerKey(request.query);
			if (!owner) return this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: bot_id or app_id is required' }), true;
			const stored = this.values.get(owner) ?? new Map<string, Stored>();
			const asked = (request.query.keywords ?? '').split(',').map((k) => k.trim()).filter(Boolean);
			const names = asked.length > 0 ? asked : Object.keys(DECLARED_VARIABLES);
			const items = names
				.filter((name) => name in DECLARED_VARIABLES)
				.map((name) => {
					const value = stored.get(name);
					return { keyword: name, value: value?.value ?? DECLARED_VARIABLES[name], create_time: value?.createTime ?? 0, update_time: value?.updateTime ?? 0 };
				});
			return this.emulator.ok(res, { items }), true;
		}
		if (request.method === 'PUT') {
			const body = (request.body ?? {}) as Record<string, unknown>;
			const owner = this.ownerKey(body);
			if (!owner) return this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: bot_id or app_id is required' }), true;
			const data = Array.isArray(body.data) ? (body.data as Array<{ keyword?: unknown; value?: unknown }>) : [];
			if (data.length === 0) return this.emulator.json(res, 200, { code: 4000, msg: 'Request parameter error: data is empty' }), true;
			const unknown = data.find((d) => typeof d.keyword !== 'string' || !(d.keyword in DECLARED_VARIABLES));
			if (unknown) return this.emulator.json(res, 200, { code: 4000, msg: `Request parameter error: variable ${String(unknown.keyword)} does not exist` }), true;
			const stored = this.values.get(owner) ?? new Map<string, Stored>();
			const now = Math.floor(Date.now() / 1000);
			for (const d of data) {
				const before = stored.get(d.keyword as string);
				stored.set(d.keyword as string, { value: String(d.value ?? ''), createTime: before?.createTime ?? now, updateTime: now });
			}
			this.values.set(owner, stored);
			return this.emulator.ok(res, {}), true;
		}
		return false;
	};

	/**
	 * The user variables a chat of `botId` with `userId` sees: Coze's API channel (1024) keys a chat's
	 * user variables by its user_id, the same connector_uid that GET / PUT /v1/variables take.
	 */
	valuesFor(botId: string, userId: string): Record<string, string> {
		const stored = this.values.get(this.ownerKey({ bot_id: botId, connector_id: '1024', connector_uid: userId }) ?? '');
		const out: Record<string, string> = {};
		for (const [name, fallback] of Object.entries(DECLARED_VARIABLES)) out[name] = stored?.get(name)?.value ?? fallback;
		return out;
	}

	private ownerKey(source: Record<string, unknown>): string | undefined {
		const owner = source.bot_id ? `bot:${String(source.bot_id)}` : source.app_id ? `app:${String(source.app_id)}` : undefined;
		if (!owner) return undefined;
		return `${owner}\n${String(source.connector_id ?? '1024')}\n${String(source.connector_uid ?? '')}`;
	}
}
