/** Jest runs every test under test/; ts-jest only transpiles (tsconfig sets isolatedModules; type checking is `npm run typecheck`). */
module.exports = {
  testEnvironment: "node",
  setupFiles: ["<rootDir>/test/support/environment.ts"],
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "ts-jest" },
  testTimeout: 600000,
};
