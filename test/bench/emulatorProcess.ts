/**
 * Runs the Coze emulator in a process of its own, so a benchmark measures only the client's CPU.
 * Prints `{"url": …}` on its first line; stops on SIGTERM or when stdin closes.
 */
import { startEmulator } from '../emulator/server';

async function main(): Promise<void> {
	const emulator = await startEmulator();
	process.stdout.write(`${JSON.stringify({ url: emulator.url })}\n`);
	const stop = async () => {
		await emulator.stop();
		process.exit(0);
	};
	process.on('SIGTERM', () => void stop());
	process.stdin.on('end', () => void stop());
	process.stdin.resume();
}

void main();
