/**
 * Coze's file links, emulated: a signed, expiring URL per file (`x-expires`, `x-signature`, the shape
 * of Coze's cloud links, e.g. p26-bot-workflow-sign.byteimg.com/…png~tplv-…?x-expires=…&x-signature=…),
 * served under /files/ without any token (a file host never sees the Coze credential). A link whose
 * x-expires has passed, or whose signature does not match, is refused with 403 like TOS does.
 *
 * Fixtures: a PNG (real bytes), a PDF with a Content-Disposition name, a big file sent without
 * Content-Length (only a counting reader stops it), a redirect to a private address
 * (169.254.169.254, the cloud metadata service), a short link that redirects to the PNG, and a
 * picture that arrives one byte every 200 ms.
 */
import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';

import type { EmulatorRoute } from './server';

const SIGNING_KEY = 'emulator-file-signing-key';

/** CRC-32 of PNG chunks (ISO 3309), computed here so the emulator needs nothing beyond node:zlib. */
function crc32(bytes: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of bytes) {
		crc ^= byte;
		for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
	}
	return (crc ^ 0xffffffff) >>> 0;
}

/** A PNG chunk: length, type, data, CRC of type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/**
 * The "sunset over West Lake" the Picture Bot shows: a real 160×100 RGB PNG (a sky fading from gold to
 * red, a sun, dark water), so n8n's viewer shows a picture, not a transparent pixel.
 */
function sunsetPng(width = 160, height = 100): Buffer {
	const rows: Buffer[] = [];
	for (let y = 0; y < height; y++) {
		const row = Buffer.alloc(1 + width * 3); // filter byte 0, then RGB
		for (let x = 0; x < width; x++) {
			const horizon = height * 0.62;
			let rgb: [number, number, number];
			const sun = Math.hypot(x - width * 0.5, y - horizon + 4) < 14;
			if (y < horizon) {
				const t = y / horizon;
				rgb = sun ? [255, 236, 150] : [Math.round(250 - 20 * t), Math.round(190 - 120 * t), Math.round(90 - 40 * t)];
			} else {
				const shimmer = Math.abs(x - width * 0.5) < 10 - (y - horizon) / 4 && (y % 3 === 0);
				rgb = shimmer ? [240, 170, 90] : [30, 40 + Math.round((y - horizon) / 2), 70];
			}
			row.set(rgb, 1 + x * 3);
		}
		rows.push(row);
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
	return Buffer.concat([
		Buffer.from('89504e470d0a1a0a', 'hex'),
		pngChunk('IHDR', header),
		pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

export const PNG_BYTES = sunsetPng();

export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

/** The big file's size: over 1 MB, for a test that sets Max File Size (MB) to 1. */
export const BIG_FILE_BYTES = 3 * 1024 * 1024;

function signature(path: string, expires: number): string {
	return createHmac('sha256', SIGNING_KEY).update(`${path}:${expires}`).digest('base64url');
}

/** A signed link to /files/<path> on `base`, valid for `ttlSeconds` (negative: already expired). */
export function signedFileUrl(base: string, path: string, ttlSeconds = 3600): string {
	const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
	return `${base}/files/${path}?rk3s=81d4c505&x-expires=${expires}&x-signature=${encodeURIComponent(signature(`/files/${path}`, expires))}`;
}

/** The file host's route (public: it never checks, nor expects, a Coze token). */
export const fileRoute: EmulatorRoute = (request) => {
	const { req, res, path, query } = request;
	if (!path.startsWith('/files/') || request.method !== 'GET') return false;
	const expires = Number(query['x-expires']);
	const valid = Number.isFinite(expires) && query['x-signature'] === signature(path, expires);
	if (!valid || expires < Date.now() / 1000) {
		res.writeHead(403, { 'Content-Type': 'application/xml' });
		res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
		return true;
	}
	const base = `http://${req.headers.host ?? '127.0.0.1'}`;
	switch (path) {
		case '/files/sunset.png~tplv-mdko3gqilj-image.png':
			res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': PNG_BYTES.length });
			res.end(PNG_BYTES);
			return true;
		case '/files/report':
			res.writeHead(200, {
				'Content-Type': 'application/pdf',
				'Content-Disposition': `attachment; filename="report.pdf"; filename*=UTF-8''${encodeURIComponent('Quarterly report 季度.pdf')}`,
			});
			res.end(PDF_BYTES);
			return true;
		case '/files/archive.zip': {
			// No Content-Length: only a reader that counts bytes as they arrive can stop it.
			res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
			const chunk = Buffer.alloc(64 * 1024, 7);
			let sent = 0;
			const pump = () => {
				while (sent < BIG_FILE_BYTES) {
					sent += chunk.length;
					if (!res.write(chunk)) return void res.once('drain', pump);
				}
				res.end();
			};
			res.on('close', () => (sent = BIG_FILE_BYTES));
			pump();
			return true;
		}
		case '/files/slow.png': {
			// Headers at once, then one byte every 200 ms for 20 s: only the item's Timeout ends it.
			res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': 100 });
			let left = 100;
			const timer = setInterval(() => {
				if (left-- <= 0) return void (clearInterval(timer), res.end());
				res.write(Buffer.from([0]));
			}, 200);
			res.on('close', () => clearInterval(timer));
			return true;
		}
		case '/files/metadata-redirect':
			res.writeHead(302, { Location: 'https://169.254.169.254/latest/meta-data/iam/security-credentials/' });
			res.end();
			return true;
		case '/files/short':
			res.writeHead(302, { Location: signedFileUrl(base, 'sunset.png~tplv-mdko3gqilj-image.png') });
			res.end();
			return true;
		default:
			res.writeHead(404, { 'Content-Type': 'application/xml' });
			res.end('<Error><Code>NoSuchKey</Code></Error>');
			return true;
	}
};

/** What the Picture Bot answers for a question (see scenarios.ts mediaBot), given the emulator's base URL. */
export function pictureAnswer(base: string, question: string): { markdown: string; objectString?: string } {
	const q = question.toLowerCase();
	if (q.includes('expired')) return { markdown: `Here it is: ![sunset](${signedFileUrl(base, 'sunset.png~tplv-mdko3gqilj-image.png', -60)})` };
	if (q.includes('metadata')) return { markdown: `Here it is: ![sunset](${signedFileUrl(base, 'metadata-redirect')})` };
	if (q.includes('big')) return { markdown: `The archive: [archive.zip](${signedFileUrl(base, 'archive.zip')})` };
	if (q.includes('slow')) return { markdown: `Here it is: ![slow](${signedFileUrl(base, 'slow.png')})` };
	if (q.includes('short')) return { markdown: `Here it is: ![sunset](${signedFileUrl(base, 'short')})` };
	return {
		markdown: `Here is a sunset over West Lake:\n\n![sunset](${signedFileUrl(base, 'sunset.png~tplv-mdko3gqilj-image.png')})\n\nAnd the [report.pdf](${signedFileUrl(base, 'report')}) you asked for.`,
		objectString: JSON.stringify([
			{ type: 'text', text: 'Also as a file:' },
			{ type: 'image', file_url: signedFileUrl(base, 'sunset.png~tplv-mdko3gqilj-image.png').replace('?', '?copy=1&'), name: 'sunset-copy.png' },
		]),
	};
}
