// n8n's own lint rules, as n8n's verification scanner applies them: the community-nodes plugin in
// its Cloud variant ("recommended": no restricted globals/imports), no-console, and the three
// eslint-plugin-n8n-nodes-base rule sets. `npm run lint` runs it over nodes/, credentials/ and
// package.json; `npm run lint:dist` over the built bundle, which the scanner lints too.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const tsFiles = ['nodes/**/*.ts', 'credentials/**/*.ts'];

const BOUNDARIES = {
	'nodes/CozeChat/boundaries/parameters.ts': { selector: "MemberExpression[property.name='getNodeParameter']", message: 'Read parameters through boundaries/parameters.ts (the one place that types and checks them).' },
	'nodes/CozeChat/boundaries/output.ts': [
		{ selector: "MemberExpression[property.name='sendChunk']", message: 'Send live chunks through boundaries/output.ts (LiveText, which redacts them).' },
		{ selector: "MemberExpression[property.name='logger']", message: 'Log through boundaries/output.ts (logDebug, which redacts).' },
		{ selector: "MemberExpression[property.name='addExecutionHints']", message: 'Give hints through boundaries/output.ts (executionHint, which redacts and says each once).' },
	],
	'nodes/CozeChat/boundaries/tools.ts': { selector: "MemberExpression[property.name='getInputConnectionData']", message: 'Read the connected tools through boundaries/tools.ts (connectedTools).' },
};

/** Each boundary's calls are forbidden everywhere in nodes/ except in the file that owns them. */
function boundaryRules() {
	const owners = Object.keys(BOUNDARIES);
	const all = Object.values(BOUNDARIES).flat();
	return [
		{ files: ['nodes/**/*.ts'], ignores: owners, rules: { 'no-restricted-syntax': ['error', ...all] } },
		...owners.map((owner) => ({
			files: [owner],
			rules: { 'no-restricted-syntax': ['error', ...Object.entries(BOUNDARIES).filter(([file]) => file !== owner).flatMap(([, rules]) => rules)] },
		})),
	];
}

export default tseslint.config(
	{ ignores: ['node_modules/**', 'test/**', 'gulpfile.js', 'eslint.config.mjs'] },
	{
		files: ['dist/**/*.js'],
		...n8nCommunityNodesPlugin.configs.recommended,
		languageOptions: { sourceType: 'commonjs', ecmaVersion: 2022 },
		rules: { ...n8nCommunityNodesPlugin.configs.recommended.rules, 'no-console': 'error' },
	},
	{
		files: tsFiles,
		extends: [tseslint.configs.recommended],
		languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json' } },
		rules: { 'no-console': 'error' },
	},
	{
		files: [...tsFiles, 'package.json'],
		...n8nCommunityNodesPlugin.configs.recommended,
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		rules: n8nNodesBase.configs.community.rules,
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Our documentation URL is the README on GitHub, not an n8n docs slug.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	// One owner per boundary: user parameters are read in boundaries/parameters.ts only, what leaves
	// the node (live chunks, execution hints, log lines) goes through boundaries/output.ts only, and
	// the connected n8n tools are read in boundaries/tools.ts only.
	...boundaryRules(),
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Same exemptions as n8n's node-cli config: these rules predate NodeConnectionTypes.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
