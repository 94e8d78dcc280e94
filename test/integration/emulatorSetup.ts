/**
 * The one emulator setup of the integration tests: a Coze emulator per test file, started before
 * its first test, reset before each test (recorded requests, routes a test added, framing), and
 * stopped after its last.
 *
 *   const emulator = useEmulator();               // then emulator.url, emulator.requests, …
 *   const emulator = useEmulator({ dialect: 'studio' });
 */
import { OAuthEmulator, type OAuthOptions } from '../emulator/oauth';
import { startEmulator, type CozeEmulator, type EmulatorOptions } from '../emulator/server';
import { REAL_FRAMING } from '../emulator/sse';

export interface EmulatorSetup extends EmulatorOptions {
	/** Also serve Coze's OAuth token endpoint (its route survives the reset before each test). */
	oauth?: OAuthOptions | true;
}

/** The emulator of this test file; `useEmulator.oauth(emulator)` is its OAuth side, when asked for. */
export function useEmulator(setup: EmulatorSetup = {}): CozeEmulator {
	const { oauth, ...options } = setup;
	let current: CozeEmulator | undefined;
	let own = new Set<unknown>();
	beforeAll(async () => {
		current = await startEmulator(options);
		if (oauth) oauths.set(current, OAuthEmulator.install(current, oauth === true ? {} : oauth));
		own = new Set([...current.publicRoutes, ...current.routes]);
	});
	afterAll(async () => await current?.stop());
	beforeEach(() => {
		const emulator = current!;
		emulator.requests.length = 0;
		// The emulator's own routes (workflows, Studio, OAuth) stay; those a test added go.
		for (const routes of [emulator.publicRoutes, emulator.routes]) {
			const kept = routes.filter((route) => own.has(route));
			routes.splice(0, routes.length, ...kept);
		}
		emulator.framing = { ...REAL_FRAMING, ...options.framing };
		emulator.uploadReading = undefined;
		emulator.workflows.reset();
		emulator.knowledge.reset();
		emulator.bots.reset();
		emulator.plugins.reset();
	});
	// The emulator exists only once beforeAll ran: hand out a view that reads through to it.
	return new Proxy({} as CozeEmulator, {
		get: (_target, key) => {
			if (key === SELF) return current;
			if (!current) throw new Error('the emulator is started in beforeAll: use it inside tests and hooks');
			const value = Reflect.get(current, key);
			return typeof value === 'function' ? value.bind(current) : value;
		},
		set: (_target, key, value) => Reflect.set(current!, key, value),
	});
}

const oauths = new WeakMap<CozeEmulator, OAuthEmulator>();
const SELF = Symbol('emulator');

/** The OAuth side of an emulator set up with `oauth`. */
useEmulator.oauth = (emulator: CozeEmulator): OAuthEmulator => {
	const self = (emulator as unknown as Record<symbol, CozeEmulator | undefined>)[SELF] ?? emulator;
	const found = oauths.get(self);
	if (!found) throw new Error('set the emulator up with { oauth: true } to use its OAuth side');
	return found;
};
