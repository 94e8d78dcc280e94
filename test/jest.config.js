// Unit and integration tests (the end-to-end suite has its own config in test/e2e).
module.exports = {
	rootDir: '..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/unit/**/*.test.ts', '**/integration/**/*.test.ts', '**/harness/**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
	testTimeout: 30000,
};
