// Build pipeline: type-check with tsc, bundle each entry point with esbuild (so eventsource-parser
// ships inside dist and the package needs nothing at runtime but n8n-workflow), copy icons and the
// codex file next to the node.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { dest, parallel, series, src } = require('gulp');

// eventsource-parser is bundled into the node, so its MIT notice travels with it.
const BUNDLED_NOTICE = `/*! Bundles eventsource-parser (https://github.com/rexxars/eventsource-parser), MIT License,
 * ${fs.readFileSync(require.resolve('eventsource-parser/package.json').replace(/package\.json$/, 'LICENSE'), 'utf8').split('\n').find((line) => line.startsWith('Copyright'))} */`;

const ENTRY_POINTS = [
	'nodes/CozeChat/CozeChat.node.ts',
	'credentials/CozeApi.credentials.ts',
	'credentials/CozeJwtApi.credentials.ts',
];

function clean(done) {
	fs.rmSync(path.join(__dirname, 'dist'), { recursive: true, force: true });
	done();
}

function typecheck(done) {
	execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
		stdio: 'inherit',
	});
	done();
}

async function bundle() {
	const esbuild = require('esbuild');
	await Promise.all(
		ENTRY_POINTS.map((entry) =>
			esbuild.build({
				entryPoints: [entry],
				outfile: path.join('dist', entry.replace(/\.ts$/, '.js')),
				bundle: true,
				platform: 'node',
				target: 'node20',
				format: 'cjs',
				// n8n provides n8n-workflow at runtime; a second copy would duplicate its error classes.
				external: ['n8n-workflow'],
				sourcemap: false,
				legalComments: 'inline',
				banner: entry.includes('CozeChat.node') ? { js: BUNDLED_NOTICE } : undefined,
				logLevel: 'warning',
			}),
		),
	);
}

function copyStatic() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports.clean = clean;
exports.typecheck = typecheck;
exports.build = series(clean, parallel(typecheck, bundle), copyStatic);
exports.default = exports.build;
