/** Coze's document status numbers in words (cozepy DocumentStatus, Coze Studio's common.DocumentStatus). */
import { documentState } from '../../nodes/CozeChat/api/knowledge';

describe('documentState', () => {
	it.each([
		[0, 'processing'],
		[4, 'processing'], // Studio: re-segmenting
		[5, 'processing'], // Studio: refreshing
		[1, 'processed'],
		[9, 'failed'],
		[2, 'failed'], // Studio: "Disable — failure"
		[3, 'deleted'],
		['1', 'processed'], // as a string, when ids and numbers come back converted
		[undefined, 'unknown'],
		[42, 'unknown'],
	])('%p is %s', (status, state) => {
		expect(documentState(status)).toBe(state);
	});
});
