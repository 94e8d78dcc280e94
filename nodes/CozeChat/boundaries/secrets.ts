/**
 * The secrets registry: what the output boundary must know of an execution's credential — its secret
 * values, and whether it points at a custom base URL (for error hints). The transport registers them
 * when it reads the credential (transport/session.ts); the output boundary (output.ts) asks here
 * before anything leaves the node, so it never needs to know how credentials are read.
 */

export interface CredentialFacts {
	/** The credential's secret values now: a function, so a token minted later is covered at once. */
	secrets(): string[];
	/** A custom base URL (Coze Studio, a proxy), not coze.cn / coze.com. */
	customBaseUrl: boolean;
}

const registry = new WeakMap<object, CredentialFacts>();

export function registerCredential(context: object, facts: CredentialFacts): void {
	registry.set(context, facts);
}

/** What is known of `context`'s credential (nothing before it was read). */
export function credentialFacts(context: object): CredentialFacts | undefined {
	return registry.get(context);
}
