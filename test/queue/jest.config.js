// Queue mode: one real cluster (Redis, Postgres, n8n main + 2 workers) per test file, so long timeouts.
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
	testTimeout: 10 * 60 * 1000,
	maxWorkers: 1,
};
