/**
 * Two tiers. `unit`: seconds, no server but the local Temporal that @temporalio/testing starts
 * (npm run test:unit). `integration`: every part as a real process (npm run test:integration).
 * `npm test` runs both, unit first.
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

/** @type {import('jest').Config} */
module.exports = {
  verbose: true,
  // Integration tests start real servers and bursts run at the PG's pace; the unit tier's files
  // set their own, shorter timeout.
  testTimeout: 180_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/unit/'],
    },
  ],
};
