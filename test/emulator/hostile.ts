/**
 * Misbehaving-server routes for the emulator: redirects to another listener, a server that never
 * answers, a stream that goes silent, an endless line, echoed tokens, rate limits. Each route is
 * plugged into an emulator's `publicRoutes` by a test and records, from the server side, what the
 * client did (did it close the socket, and when).
 */
import type * as http from 'http';

import { scenarios, standaloneContext } from './scenarios';
import type { EmulatorRoute, RouteRequest } from './server';
import { REAL_FRAMING, renderEventTexts, type WireEvent } from './sse';

/** What the server saw of one hostile exchange. */
export interface ServerSide {
	/** Requests the route answered (or held). */
	hits: number;
	/** When the client closed a held connection (epoch ms), one entry per connection. */
	closedAt: number[];
	/** When each held request arrived (epoch ms). */
	arrivedAt: number[];
}

export function serverSide(): ServerSide {
	return { hits: 0, closedAt: [], arrivedAt: [] };
}

type Match = (request: RouteRequest) => boolean;

/** Matches a method and path (and, optionally, more). */
export function on(method: string, path: string, extra?: Match): Match {
	return (request) => request.method === method && request.path === path && (extra ? extra(request) : true);
}

function hold(request: RouteRequest, seen: ServerSide): void {
	seen.hits++;
	seen.arrivedAt.push(Date.now());
	request.res.on('close', () => seen.closedAt.push(Date.now()));
}

/** Answers with a redirect to `target` + the same path and query. */
export function redirect(match: Match, target: string, status = 307, seen = serverSide()): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		seen.hits++;
		const query = new URLSearchParams(request.query).toString();
		request.res.writeHead(status, { Location: `${target}${request.path}${query ? `?${query}` : ''}` });
		request.res.end();
		return true;
	};
}

/** Accepts the request and never answers (the connection stays open until the client gives up). */
export function hang(match: Match, seen: ServerSide): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		hold(request, seen);
		return true;
	};
}

/** Starts an event stream, sends `events`, then stays silent with the connection open. */
export function silentStream(match: Match, events: Array<{ event: string; data: unknown }>, seen: ServerSide, contentType = 'text/event-stream'): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		hold(request, seen);
		request.res.writeHead(200, { 'Content-Type': contentType, 'x-tt-logid': 'hostile-logid' });
		for (const e of events) request.res.write(`event:${e.event}\ndata:${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
		return true;
	};
}

/** Sends a well-formed stream with a chosen content type (e.g. odd casing), then ends it. */
export function stream(match: Match, events: Array<{ event: string; data: unknown }>, contentType: string): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		request.res.writeHead(200, { 'Content-Type': contentType });
		for (const e of events) request.res.write(`event:${e.event}\ndata:${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
		request.res.end();
		return true;
	};
}

/**
 * A body that never ends its line: `prefix` then filler, written as fast as the client reads, up
 * to `maxBytes` (then it stalls). For SSE, prefix `data:`; for JSON, prefix `{"code":0,"data":"`.
 */
export function endless(match: Match, seen: ServerSide, options: { contentType: string; prefix: string; maxBytes: number; status?: number }): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		hold(request, seen);
		const res = request.res;
		res.writeHead(options.status ?? 200, { 'Content-Type': options.contentType });
		res.write(options.prefix);
		const chunk = Buffer.alloc(64 * 1024, 'x');
		let sent = options.prefix.length;
		const pump = () => {
			while (!res.destroyed && sent < options.maxBytes) {
				sent += chunk.length;
				if (!res.write(chunk)) return void res.once('drain', pump);
			}
		};
		pump();
		return true;
	};
}

/** Answers with `status`, a content type (none when empty) and a body built from the request (e.g. echoing its token). */
export function answer(match: Match, build: (request: RouteRequest) => { status: number; contentType: string; body: string | Buffer; headers?: http.OutgoingHttpHeaders }, seen = serverSide()): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		seen.hits++;
		const { status, contentType, body, headers } = build(request);
		// An empty content type sends none at all.
		request.res.writeHead(status, { ...(contentType ? { 'Content-Type': contentType } : {}), ...headers });
		request.res.end(body);
		return true;
	};
}

/**
 * Rejects every `n`th matching request as "too many requests" — HTTP 429 (with Retry-After when
 * given) or HTTP 200 with code 4013 — and lets the others through to the emulator's own routes.
 */
export function rateLimitEvery(n: number, match: Match, kind: '429' | '4013', options: { retryAfterSeconds?: number } = {}, seen = serverSide()): EmulatorRoute {
	let count = 0;
	return (request) => {
		if (!match(request)) return false;
		count++;
		if (count % n !== 0) return false;
		seen.hits++;
		const headers: http.OutgoingHttpHeaders = options.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(options.retryAfterSeconds) };
		if (kind === '429') {
			request.res.writeHead(429, { 'Content-Type': 'application/json', ...headers });
			request.res.end(JSON.stringify({ code: 4013, msg: 'Too Many Requests' }));
		} else {
			request.res.writeHead(200, { 'Content-Type': 'application/json', 'x-tt-logid': 'rate-limited-logid', ...headers });
			request.res.end(JSON.stringify({ code: 4013, msg: 'The request is too frequent. Please try again later.', detail: { logid: 'rate-limited-logid' } }));
		}
		return true;
	};
}

/**
 * Answers HTTP 200 with `contentType`, then drips `prefix` and endless filler one byte every
 * `everyMs` — never silent for long, never done (a slow-loris answer).
 */
export function drip(match: Match, seen: ServerSide, options: { contentType: string; prefix: string; everyMs: number }): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		hold(request, seen);
		const res = request.res;
		res.writeHead(200, { 'Content-Type': options.contentType });
		let sent = 0;
		const timer = setInterval(() => {
			if (res.destroyed) return clearInterval(timer);
			res.write(sent < options.prefix.length ? options.prefix[sent] : ' ');
			sent++;
		}, options.everyMs);
		res.on('close', () => clearInterval(timer));
		return true;
	};
}

/** The bearer token a request carried. */
export function tokenOf(request: RouteRequest): string {
	return String(request.req.headers.authorization ?? '').replace(/^Bearer /, '');
}

/** Answers matching requests with an event stream built from the request's token, then ends it. */
export function streamFromToken(match: Match, build: (token: string) => WireEvent[]): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		request.res.writeHead(200, { 'Content-Type': 'text/event-stream' });
		for (const text of renderEventTexts(build(tokenOf(request)), REAL_FRAMING)) request.res.write(text);
		request.res.end();
		return true;
	};
}

/**
 * A complete chat (the plain scenario) whose answer spells out `token`, split across three deltas
 * so that no delta holds the whole token: "Your token is <token>."
 */
export function chatEchoingToken(token: string): WireEvent[] {
	const { events } = scenarios.plain.build(standaloneContext(scenarios.plain.botId));
	const delta = events.find((e) => e.event === 'conversation.message.delta')!;
	const completed = events.find((e) => e.event === 'conversation.message.completed' && (e.data as { type: string }).type === 'answer')!;
	const text = `Your token is ${token}.`;
	const pieces = [text.slice(0, 17), text.slice(17, 23), text.slice(23)];
	const base = delta.data as Record<string, unknown>;
	const before = events.slice(0, events.indexOf(delta)).filter((e) => e.event !== 'conversation.message.delta');
	const after = events.slice(events.indexOf(completed) + 1);
	return [
		...before,
		...pieces.map((content) => ({ event: 'conversation.message.delta', data: { ...base, content } })),
		{ event: 'conversation.message.completed', data: { ...(completed.data as object), content: text } },
		...after,
	];
}

/** A complete chat, then SSE comments every 100 ms on a connection the server never closes. */
export function heartbeatsAfterDone(match: Match, seen: ServerSide, options: { withoutDone?: boolean } = {}): EmulatorRoute {
	return (request) => {
		if (!match(request)) return false;
		hold(request, seen);
		const { events } = scenarios.plain.build(standaloneContext(scenarios.plain.botId));
		const kept = options.withoutDone ? events.filter((e) => e.event !== 'done') : events;
		const res = request.res;
		res.writeHead(200, { 'Content-Type': 'text/event-stream' });
		for (const text of renderEventTexts(kept, REAL_FRAMING)) res.write(text);
		const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(': ping\n\n')), 100);
		res.on('close', () => clearInterval(timer));
		return true;
	};
}
