import { TransportError } from '../core/errors';
import type { Exchange } from './exchange';
import { describeUrl, networkMessage, type HttpResponse } from './wire';

/**
 * Reads a whole body as text, within `maxBytes`. `truncate` keeps the first `maxBytes` and closes
 * the connection (error pages); otherwise a larger body fails.
 */
export async function readText(
	response: HttpResponse,
	exchange: Exchange,
	maxBytes: number,
	options: { truncate?: boolean } = {},
): Promise<string> {
	return (await readBytes(response, exchange, maxBytes, options)).toString('utf8');
}

/** Reads a whole body as bytes (audio, say), within `maxBytes`; see readText. */
export async function readBytes(
	response: HttpResponse,
	exchange: Exchange,
	maxBytes: number,
	options: { truncate?: boolean } = {},
): Promise<Buffer> {
	exchange.phase = `reading Coze's answer from ${describeUrl(response.url)}`;
	const chunks: Uint8Array[] = [];
	let size = 0;
	const failure = await consume(response, exchange, (chunk) => {
		size += chunk.length;
		if (size <= maxBytes) {
			chunks.push(chunk);
			return true;
		}
		if (!options.truncate) {
			exchange.stop('limit');
			return new TransportError(
				'limit',
				`Coze's answer from ${describeUrl(response.url)} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; the node stopped reading it`,
				{ logid: response.logid },
			);
		}
		chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)));
		exchange.close();
		return false;
	});
	if (failure) throw failure;
	return Buffer.concat(chunks);
}

/**
 * The one read loop over a response body: hands each chunk to `onChunk` (true: go on, false:
 * stop, an error: fail) and returns the failure, if any — the handler's own error (a Coze error
 * from the events), or why the connection stopped (timeout, idle, cancel, network).
 */
export async function consume(
	response: HttpResponse,
	exchange: Exchange,
	onChunk: (chunk: Uint8Array) => boolean | Error,
): Promise<Error | undefined> {
	try {
		for await (const chunk of response.body) {
			exchange.touch();
			let verdict: boolean | Error;
			try {
				verdict = onChunk(chunk);
			} catch (error) {
				return error as Error; // the handler's failure, as it is
			}
			if (verdict === true) continue;
			if (verdict instanceof Error) return verdict;
			return undefined;
		}
		return undefined;
	} catch (error) {
		if (exchange.stopReason) return exchange.stoppedError(response.logid);
		return new TransportError('network', `The connection to Coze broke while ${exchange.phase}: ${networkMessage(error)}`, {
			logid: response.logid,
		});
	}
}
