import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { isTokenDue, readJwtConfig, type JwtAppConfig } from '../auth/jwtConfig';
import { setMintListener, setMintSignal } from '../auth/mintCoordinator';

/**
 * Keeps the access token of a JWT credential usable across its expiry, within n8n's rules: n8n
 * mints (the credential's preAuthentication) only when the token field is empty, so the node
 * empties it — once per execution when the token is due (before it expires), and once per
 * request after Coze rejected it. Requests that arrive while a mint is under way wait for the
 * token — not for the minting request's answer: the credential tells the gate the moment the token
 * exists — so a batch of parallel items leads to one mint and one write to n8n's database.
 */
export class TokenGate {
	private minting: Promise<void> | undefined;

	private config: JwtAppConfig | undefined;

	constructor(private readonly credentials: ICredentialDataDecryptedObject) {}

	/**
	 * Called before a request. If the token is due, this caller empties it (its request then mints)
	 * and must call the returned function once that request returned; other callers wait for the
	 * token, each only until its own `signal` aborts (its Timeout, a cancel).
	 */
	async before(signal?: AbortSignal): Promise<(() => void) | undefined> {
		while (this.minting) {
			if (!(await untilSettledOrAborted(this.minting, signal))) throw new Error('aborted while waiting for an access token');
		}
		if (!this.isDue()) return undefined;
		this.credentials.accessToken = '';
		let settle!: () => void;
		this.minting = new Promise<void>((resolve) => (settle = resolve));
		const release = () => {
			if (!this.minting) return;
			setMintSignal(this.credentials, undefined);
			setMintListener(this.credentials, undefined);
			this.minting = undefined;
			settle();
		};
		setMintSignal(this.credentials, signal);
		setMintListener(this.credentials, (fields) => {
			// The token exists: take it now, and let the waiting requests go with it.
			Object.assign(this.credentials, fields);
			release();
		});
		return release;
	}

	/** The token a request is sent with now (read after `before()`, and again after a mint). */
	currentToken(): string {
		return typeof this.credentials.accessToken === 'string' ? this.credentials.accessToken : '';
	}

	/**
	 * Coze refused `sentToken` (HTTP 401 or code 4100): the next request mints a new one, even if the
	 * refused token looks fresh. `refreshAt` = minus its expiresAt tells the credential which token
	 * not to hand out again (no new field: n8n 1.x stores the whole object).
	 *
	 * Only while the credential still holds that token: in a batch, refusals of the old token keep
	 * arriving after another item minted the new one, and n8n may be writing the credential to its
	 * database at that moment — emptying it then would persist an empty token for the next execution.
	 */
	rejected(sentToken: string): void {
		if (this.credentials.accessToken === '' || this.credentials.accessToken !== sentToken) return;
		const expiresAt = Number(this.credentials.expiresAt);
		this.credentials.accessToken = '';
		this.credentials.refreshAt = Number.isFinite(expiresAt) && expiresAt > 1 ? -expiresAt : -1;
	}

	/** Whether the token should be replaced now (missing, minted for other settings, or at its refresh time). */
	isDue(): boolean {
		try {
			this.config ??= readJwtConfig(this.credentials);
		} catch {
			return true; // the credential's preAuthentication reports what is wrong with it
		}
		return isTokenDue(this.credentials, this.config);
	}
}

/** Resolves true when `promise` settles, false as soon as `signal` aborts. */
async function untilSettledOrAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<boolean> {
	if (!signal) {
		await promise;
		return true;
	}
	if (signal.aborted) return false;
	let onAbort!: () => void;
	const aborted = new Promise<boolean>((resolve) => (onAbort = () => resolve(false)));
	signal.addEventListener('abort', onAbort, { once: true });
	try {
		return await Promise.race([promise.then(() => true), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}
