/**
 * Which file URLs the node may fetch. The URLs come from a bot's answer, which anyone who can talk
 * to the bot can steer (prompt injection), so fetching them is a server-side request forgery risk:
 * only https, only allowed hosts, never a private, loopback, link-local or metadata address —
 * unless the user named that exact origin (or it is the credential's own, a self-hosted Coze
 * Studio whose storage sits beside it). Pure (no n8n imports): the DNS side is n8n's egress filter
 * (transport/download.ts).
 */

/**
 * Hosts Coze's file links use (docs/operations.md, Files from answers). Confirmed from public links:
 * `*.coze.cn` (lf-bot-studio-plugin-resource.coze.cn, lf9-bot-platform-tos-sign.coze.cn, s.coze.cn)
 * and `*.byteimg.com` (p3/p9/p26-bot-workflow-sign.byteimg.com). UNCONFIRMED: `*.coze.com`, and
 * whichever hosts coze.com's file links use besides it.
 */
export const DEFAULT_FILE_HOSTS = ['*.coze.cn', '*.byteimg.com', '*.coze.com'];

export interface HostPolicy {
	/** Host patterns (`host`, `*.suffix`, `*` for any public host) and exact origins (`http://host:port`). */
	entries: string[];
	/** The credential's own origin when it points at a custom base URL (self-hosted Coze Studio). */
	credentialOrigin?: string;
}

export type UrlVerdict =
	| {
			ok: true;
			url: URL;
			/** The user named this exact origin (or it is the credential's): a private address is fine. */
			namedOrigin: boolean;
	  }
	| { ok: false; reason: string };

/** The host patterns and origins of an Allowed File Hosts list (comma-separated). */
export function parseHostEntries(entries: string[]): { patterns: string[]; origins: string[]; problems: string[] } {
	const patterns: string[] = [];
	const origins: string[] = [];
	const problems: string[] = [];
	for (const raw of entries) {
		const entry = raw.trim().toLowerCase();
		if (entry === '') continue;
		if (/^https?:\/\//.test(entry)) {
			try {
				const url = new URL(entry);
				if (url.pathname !== '/' || url.search || url.username || url.password) throw new Error('not an origin');
				origins.push(url.origin);
			} catch {
				problems.push(`'${raw.trim()}' is not an origin like http://192.168.1.20:8888`);
			}
		} else if (entry === '*' || /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(entry)) {
			patterns.push(entry);
		} else {
			problems.push(`'${raw.trim()}' is not a host name, *.domain, * or an origin`);
		}
	}
	return { patterns, origins, problems };
}

function matchesPattern(host: string, pattern: string): boolean {
	if (pattern === '*') return true;
	if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
	return host === pattern;
}

/** Host names that name this machine, the local network, or a cloud's metadata service. */
export function isInternalHostName(host: string): boolean {
	const name = host.toLowerCase().replace(/\.$/, '');
	if (!name.includes('.')) return true; // localhost, metadata, intranet names
	return (
		/(^|\.)(localhost|local|localdomain|internal|intranet|lan|home\.arpa|corp)$/.test(name) ||
		name === 'metadata.google.internal' ||
		name === 'instance-data.ec2.internal'
	);
}

/** An IPv4 address as four numbers, or undefined. */
function ipv4Parts(host: string): number[] | undefined {
	const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (!match) return undefined;
	const parts = match.slice(1).map(Number);
	return parts.every((part) => part <= 255) ? parts : undefined;
}

/** Whether an IPv4 address is not on the public internet (private, loopback, link-local, metadata, CGNAT, reserved). */
export function isNonPublicIpv4(parts: number[]): boolean {
	const [a, b, c] = parts;
	return (
		a === 0 ||
		a === 10 ||
		a === 127 ||
		(a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT; Alibaba Cloud's metadata is 100.100.100.200
		(a === 169 && b === 254) || // link-local; AWS, GCP and Azure metadata is 169.254.169.254
		(a === 172 && b >= 16 && b <= 31) ||
		(a === 192 && b === 0 && (c === 0 || c === 2)) ||
		(a === 192 && b === 168) ||
		(a === 198 && (b === 18 || b === 19)) ||
		(a === 198 && b === 51 && c === 100) ||
		(a === 203 && b === 0 && c === 113) ||
		a >= 224 // multicast and reserved
	);
}

/** An IPv6 address as eight 16-bit groups, or undefined. */
function ipv6Groups(host: string): number[] | undefined {
	let text = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (!text.includes(':')) return undefined;
	text = text.split('%')[0];
	// A trailing dotted IPv4 (::ffff:1.2.3.4) becomes two groups.
	const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
	if (dotted) {
		const parts = ipv4Parts(dotted[1]);
		if (!parts) return undefined;
		text = text.slice(0, -dotted[1].length) + `${((parts[0] << 8) | parts[1]).toString(16)}:${((parts[2] << 8) | parts[3]).toString(16)}`;
	}
	const halves = text.split('::');
	if (halves.length > 2) return undefined;
	const head = halves[0] ? halves[0].split(':') : [];
	const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
	const missing = 8 - head.length - tail.length;
	if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
	const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : NaN));
	return groups.length === 8 && groups.every((group) => !Number.isNaN(group)) ? groups : undefined;
}

/** Whether an IPv6 address is not on the public internet (loopback, unspecified, link-local, unique-local, multicast, mapped private IPv4). */
export function isNonPublicIpv6(groups: number[]): boolean {
	const [g0] = groups;
	if (groups.every((group, index) => group === 0 || (index === 7 && group === 1))) return true; // :: and ::1
	if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xfe00) === 0xfc00 || (g0 & 0xff00) === 0xff00) return true;
	// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d): judge the IPv4 inside.
	const embedsIpv4 =
		(groups.slice(0, 5).every((group) => group === 0) && (groups[5] === 0xffff || groups[5] === 0)) ||
		(g0 === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0));
	if (embedsIpv4) return isNonPublicIpv4([groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff]);
	return false;
}

/** Whether a URL's host is an IP literal, and if so whether it is a non-public address. */
export function ipLiteral(host: string): { ip: boolean; nonPublic: boolean } {
	const v4 = ipv4Parts(host);
	if (v4) return { ip: true, nonPublic: isNonPublicIpv4(v4) };
	const v6 = ipv6Groups(host);
	if (v6) return { ip: true, nonPublic: isNonPublicIpv6(v6) };
	return { ip: false, nonPublic: false };
}

/**
 * Whether the node may fetch `raw` under `policy`, before any DNS lookup: the scheme, the host's
 * name or IP literal, the allow-list. (WHATWG URL parsing already turns 2130706433, 0x7f.1 and
 * 017700000001 into 127.0.0.1, so those forms are judged as what they are.)
 */
export function judgeFileUrl(raw: string, policy: HostPolicy, optionName: string): UrlVerdict {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return { ok: false, reason: 'it is not a valid URL' };
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: `the scheme ${url.protocol} is not fetched` };
	if (url.username || url.password) return { ok: false, reason: 'it carries a user name or password' };
	const { patterns, origins } = parseHostEntries(policy.entries);
	if (url.origin === policy.credentialOrigin || origins.includes(url.origin)) return { ok: true, url, namedOrigin: true };
	if (url.protocol !== 'https:') {
		return { ok: false, reason: `only https links are fetched (to allow this server over http, add its origin ${url.origin} to ${optionName})` };
	}
	const host = url.hostname.toLowerCase();
	const literal = ipLiteral(host);
	if (literal.nonPublic) {
		return { ok: false, reason: `${host} is a private, loopback, link-local or metadata address (to allow it, add its origin ${url.origin} to ${optionName})` };
	}
	if (!literal.ip && isInternalHostName(host)) {
		return { ok: false, reason: `${host} names a local or internal host (to allow it, add its origin ${url.origin} to ${optionName})` };
	}
	if (!patterns.some((pattern) => matchesPattern(host, pattern))) {
		return { ok: false, reason: `the host ${host} is not in ${optionName} (add it there, or * for any public host)` };
	}
	return { ok: true, url, namedOrigin: false };
}
