/**
 * The service app's RSA private key and the RS256 JWT signed with it. Pure (node:crypto only);
 * nothing here ever puts the key or a JWT into an error message.
 */
import { createPrivateKey, createSign, randomBytes, type KeyObject } from 'node:crypto';

import { audienceFor, CozeJwtError, JWT_LIFETIME, type JwtAppConfig } from './jwtConfig';

export const EXPECTED_FORMATS =
	'Expected the private_key.pem Coze downloaded: PKCS#1 (-----BEGIN RSA PRIVATE KEY-----) or PKCS#8 (-----BEGIN PRIVATE KEY-----), unencrypted.';

/**
 * Rebuilds a PEM from pasted text: tolerates literal `\n`, CRLF, surrounding quotes and spaces, and
 * a key pasted onto one line. Rejects public keys, certificates, encrypted and non-RSA keys with a
 * message that says which format is expected.
 */
export function normalizePrivateKey(input: string): { pem: string; label: string } | { der: Buffer } {
	let text = String(input).trim();
	if (/^(["'`]).*\1$/s.test(text)) text = text.slice(1, -1).trim();
	text = text.replace(/\\r\\n|\\n|\\r/g, '\n').replace(/\r\n?/g, '\n');

	const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/.exec(text);
	if (!match) {
		const body = text.replace(/\s+/g, '');
		if (body.length > 100 && /^[A-Za-z0-9+/]+={0,2}$/.test(body)) return { der: Buffer.from(body, 'base64') };
		throw new CozeJwtError('Private Key is not a PEM key', EXPECTED_FORMATS);
	}
	const [, label, rawBody, endLabel] = match;
	if (label !== endLabel) throw new CozeJwtError(`Private Key is damaged: it begins with ${label} but ends with ${endLabel}`, EXPECTED_FORMATS);
	if (/PUBLIC KEY|CERTIFICATE/.test(label)) {
		throw new CozeJwtError(`Private Key holds a ${label.toLowerCase()}, not the private key`, EXPECTED_FORMATS);
	}
	if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/i.test(rawBody)) {
		throw new CozeJwtError(
			'Private Key is encrypted with a passphrase',
			`Remove the passphrase first, e.g. openssl pkey -in key.pem -out plain.pem. ${EXPECTED_FORMATS}`,
		);
	}
	if (label === 'OPENSSH PRIVATE KEY') {
		throw new CozeJwtError('Private Key is in OpenSSH format', `Convert it with ssh-keygen -p -m PEM -f key. ${EXPECTED_FORMATS}`);
	}
	if (label !== 'RSA PRIVATE KEY' && label !== 'PRIVATE KEY') {
		throw new CozeJwtError(`Private Key is a ${label}, not an RSA private key`, EXPECTED_FORMATS);
	}
	const body = rawBody.replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
		throw new CozeJwtError('Private Key is damaged: its body is not base64', EXPECTED_FORMATS);
	}
	const lines = body.match(/.{1,64}/g) ?? [];
	return { pem: `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`, label };
}

function tryCreatePrivateKey(options: Parameters<typeof createPrivateKey>[0]): KeyObject | undefined {
	try {
		return createPrivateKey(options);
	} catch {
		return undefined;
	}
}

/** Parses the pasted key into an RSA KeyObject, or throws CozeJwtError saying what is expected. */
export function readPrivateKey(input: string): KeyObject {
	const normalized = normalizePrivateKey(input);
	let key: KeyObject | undefined;
	if ('der' in normalized) {
		key =
			tryCreatePrivateKey({ key: normalized.der, format: 'der', type: 'pkcs8' }) ??
			tryCreatePrivateKey({ key: normalized.der, format: 'der', type: 'pkcs1' });
	} else {
		key = tryCreatePrivateKey({ key: normalized.pem, format: 'pem' });
	}
	if (!key) {
		throw new CozeJwtError(
			'Private Key could not be read: it is incomplete or damaged',
			`Paste the whole file, including the BEGIN and END lines. ${EXPECTED_FORMATS}`,
		);
	}
	if (key.asymmetricKeyType !== 'rsa') {
		throw new CozeJwtError(`Private Key is an ${String(key.asymmetricKeyType).toUpperCase()} key; Coze signs with RSA (RS256)`, EXPECTED_FORMATS);
	}
	return key;
}

function base64url(value: string | Buffer): string {
	return Buffer.from(value).toString('base64url');
}

export interface JwtClaims {
	iss: string;
	aud: string;
	iat: number;
	exp: number;
	jti: string;
	session_name?: string;
}

/** A compact RS256 JWS over `header.payload`. */
export function signJwt(header: Record<string, unknown>, payload: object, key: KeyObject): string {
	const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
	const signature = createSign('RSA-SHA256').update(input).sign(key);
	return `${input}.${base64url(signature)}`;
}

/** A fresh single-use `jti`: 32 random bytes, hex (64 characters; the docs ask for more than 32). */
export function newJti(): string {
	return randomBytes(32).toString('hex');
}

/** The signed JWT Coze exchanges for an access token, with a fresh `jti`. */
export function createAssertion(config: JwtAppConfig, key: KeyObject, nowMs = Date.now()): { jwt: string; claims: JwtClaims } {
	const iat = Math.floor(nowMs / 1000);
	const claims: JwtClaims = {
		iss: config.appId,
		aud: audienceFor(config.baseUrl),
		iat,
		exp: iat + JWT_LIFETIME,
		jti: newJti(),
		...(config.sessionName ? { session_name: config.sessionName } : {}),
	};
	return { jwt: signJwt({ alg: 'RS256', typ: 'JWT', kid: config.keyId }, claims, key), claims };
}

