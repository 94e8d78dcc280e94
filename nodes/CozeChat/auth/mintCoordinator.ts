/**
 * One token mint at a time per credential scope in this n8n process, shared by every request that
 * needs it, and the hand-over between the Coze node and its JWT credential (they are bundled apart,
 * so they meet through registered symbols on the credential data n8n hands to preAuthentication).
 */
import { credentialScope, CozeJwtError, type JwtAppConfig } from './jwtConfig';
import { mintAccessToken, type MintedToken, type TokenRequest, type TokenResponse } from './jwtToken';

/**
 * Where the Coze node leaves, on the credential data, the abort signal of the request that is
 * about to mint (its item's Timeout and cancel), and a listener told the moment the token exists.
 * Non-enumerable: never copied, stored or shown.
 */
const MINT_SIGNAL = Symbol.for('n8n-nodes-coze.mintSignal');
const MINT_LISTENER = Symbol.for('n8n-nodes-coze.mintListener');

/** The fields a mint writes into the credential. */
export type MintedFields = Record<string, string | number>;

function setHidden(credentials: object, key: symbol, value: unknown): void {
	Object.defineProperty(credentials, key, { value, configurable: true, enumerable: false, writable: true });
}

/** The node: the next mint on `credentials` is waited for only while `signal` lasts. */
export function setMintSignal(credentials: object, signal: AbortSignal | undefined): void {
	setHidden(credentials, MINT_SIGNAL, signal);
}

/** The credential: the signal the node left for this mint, if any. */
export function mintSignalOf(credentials: object): AbortSignal | undefined {
	const value = (credentials as Record<symbol, unknown>)[MINT_SIGNAL];
	return value instanceof AbortSignal ? value : undefined;
}

/** The node: `listener` hears of the new token as soon as it is minted, before any request uses it. */
export function setMintListener(credentials: object, listener: ((fields: MintedFields) => void) | undefined): void {
	setHidden(credentials, MINT_LISTENER, listener);
}

/** The credential: tells the node's listener (if any) the fields just minted. */
export function notifyMinted(credentials: object, fields: MintedFields): void {
	const listener = (credentials as Record<symbol, unknown>)[MINT_LISTENER];
	if (typeof listener === 'function') (listener as (fields: MintedFields) => void)(fields);
}

/** Sends the token request under `signal`. Resolves with any HTTP status; rejects only when nothing came back. */
export type SignalledTokenPoster = (request: TokenRequest, signal: AbortSignal) => Promise<TokenResponse>;

interface Flight {
	promise: Promise<MintedToken>;
	controller: AbortController;
	waiters: number;
}

/**
 * One mint at a time per credential scope in this process, and a fresh token shared by everyone
 * who asks for it. n8n calls `preAuthentication` once per request that finds the token empty or
 * gets HTTP 401, so a batch of parallel requests would otherwise mint once each.
 *
 * The shared mint belongs to no single caller: each waiter leaves at its own deadline or cancel
 * with its own error, and the token request itself is aborted only when every waiter has left.
 */
export class MintCoordinator {
	private readonly inFlight = new Map<string, Flight>();

	private readonly latest = new Map<string, MintedToken>();

	constructor(
		/** A token this young is handed out even to a caller that just saw it rejected. */
		private readonly reuseWindowMs = 10_000,
		private readonly now: () => number = Date.now,
	) {}

	/**
	 * A token for `config`: the latest one minted here if it is fresh — not at its refresh time, and
	 * either not the token the caller holds or minted moments ago (parallel requests that were sent
	 * with the previous token and all got HTTP 401) — else a new one, shared by concurrent callers.
	 */
	async getToken(
		config: JwtAppConfig,
		post: SignalledTokenPoster,
		callerToken?: string,
		refused?: { expiresAt?: number },
		signal?: AbortSignal,
	): Promise<MintedToken> {
		const key = credentialScope(config);
		const nowMs = this.now();
		const latest = this.latest.get(key);
		if (latest && nowMs / 1000 < latest.refreshAt) {
			if (refused) {
				// The Coze node says which token Coze refused (it empties the token, so only by its
				// expiry): a newer one is handed out, the refused one never again.
				if (refused.expiresAt !== undefined && latest.expiresAt !== refused.expiresAt) return latest;
			} else if (latest.accessToken !== callerToken || nowMs - latest.mintedAt < this.reuseWindowMs) {
				return latest;
			}
		}
		const flight = this.inFlight.get(key) ?? this.start(key, config, post);
		flight.waiters++;
		try {
			return await untilAborted(flight.promise, signal);
		} finally {
			flight.waiters--;
			if (flight.waiters === 0 && this.inFlight.get(key) === flight) {
				// Nobody waits any more: end the token request, and let the next caller start afresh.
				this.inFlight.delete(key);
				flight.controller.abort();
			}
		}
	}

	private start(key: string, config: JwtAppConfig, post: SignalledTokenPoster): Flight {
		const controller = new AbortController();
		const flight: Flight = {
			promise: mintAccessToken(config, async (request) => await post(request, controller.signal), this.now),
			controller,
			waiters: 0,
		};
		this.inFlight.set(key, flight);
		flight.promise.then(
			(token) => this.latest.set(key, token),
			() => undefined, // each waiter reports it
		);
		void flight.promise
			.catch(() => undefined)
			.finally(() => {
				if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
			});
		return flight;
	}
}

/** `promise`, or a rejection as soon as `signal` aborts (the promise goes on for others). */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
	if (!signal) return await promise;
	const stopped = () => new CozeJwtError('The request that needed an access token ended (its Timeout ran out, or the execution was canceled) while the token was being minted');
	if (signal.aborted) throw stopped();
	let onAbort!: () => void;
	const aborted = new Promise<never>((_, reject) => (onAbort = () => reject(stopped())));
	signal.addEventListener('abort', onAbort, { once: true });
	try {
		return await Promise.race([promise, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}
