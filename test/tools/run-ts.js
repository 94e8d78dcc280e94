#!/usr/bin/env node
// Runs a TypeScript entry point from test/ (e.g. the local n8n launcher) without a TS runtime:
// esbuild bundles it to a temp file, which is then required.
const esbuild = require('esbuild');
const path = require('path');
const fs = require('fs');

const entry = process.argv[2];
if (!entry) {
	console.error('usage: node test/tools/run-ts.js <file.ts> [args...]');
	process.exit(2);
}
const outDir = path.join(__dirname, '..', '..', '.e2e-tmp', 'run-ts');
fs.mkdirSync(outDir, { recursive: true });
const outfile = path.join(outDir, path.basename(entry).replace(/\.ts$/, '.js'));
esbuild.buildSync({
	entryPoints: [entry],
	outfile,
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'cjs',
	packages: 'external',
	logLevel: 'warning',
});
process.argv.splice(1, 2, outfile);
require(outfile);
