import { rawBodyLength, rawBodyPieces, type RawBody } from '../../nodes/CozeChat/transport/wire';
import { filePart } from '../../nodes/CozeChat/api/file';

describe('a request body sent in pieces, never joined', () => {
	const file = Buffer.from(Array.from({ length: 200_003 }, (_, i) => (i * 7919) % 256));

	it('writes a file as base64 piece by piece: the pieces join into exactly its base64, of the announced length', () => {
		for (const pieceBytes of [4, 64, 1000, 64 * 1024]) {
			const body: RawBody = { parts: [Buffer.from('{"file_base64":"'), { base64Of: file }, Buffer.from('"}')], contentType: 'application/json' };
			const sent = Buffer.concat([...rawBodyPieces(body, pieceBytes)]);
			expect(sent.toString('utf8')).toBe(JSON.stringify({ file_base64: file.toString('base64') }));
			expect(rawBodyLength(body)).toBe(sent.length);
			expect(JSON.parse(sent.toString('utf8')).file_base64).toBe(file.toString('base64'));
		}
	});

	it('a multipart body keeps the file as a part of its own (the very same bytes, not a copy) and sends it unchanged', () => {
		const part = filePart(file, 'a.bin', 'application/octet-stream');
		expect(part.body.parts).toContain(file);
		const sent = Buffer.concat([...rawBodyPieces(part.body, 64 * 1024)]);
		expect(sent.length).toBe(rawBodyLength(part.body));
		expect(sent.indexOf(file)).toBeGreaterThan(0);
		expect(sent.toString('latin1')).toMatch(/^--(-+n8nCozeBoundary\w+)\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n/);
	});
});
