// End-to-end tests: real n8n processes, so long timeouts and one test file at a time.
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
	testTimeout: 20 * 60 * 1000,
	maxWorkers: 1,
};
