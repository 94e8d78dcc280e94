/** 19-digit ids like Coze's: above 2^53, so any numeric rounding shows. */
let counter = 0n;
const BASE = 7_382_159_487_131_697_000n;

export function newId(): string {
	counter += 1n;
	return (BASE + counter * 7n).toString();
}

export function newLogId(): string {
	counter += 1n;
	return `20261122${(100000000000n + counter).toString()}EMU`;
}
