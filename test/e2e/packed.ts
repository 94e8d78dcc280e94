import * as fs from 'fs';
import * as path from 'path';

import { REPO_ROOT, packPackage, timed } from './n8n';

/**
 * The packed package for one test file: `npm pack` into `.e2e-tmp/<name>` (a folder of its own, so
 * test files and `npm start` never remove each other's tarball) before the file's tests, removed
 * after them. Returns a getter for the tarball's path.
 */
export function usePackedPackage(name: string): () => string {
	const dir = path.join(REPO_ROOT, '.e2e-tmp', name);
	let tarball: string | undefined;
	beforeAll(async () => {
		tarball = await timed(`npm pack (${name})`, () => packPackage(dir));
	});
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
	return () => {
		if (!tarball) throw new Error(`the package was not packed for ${name}`);
		return tarball;
	};
}
