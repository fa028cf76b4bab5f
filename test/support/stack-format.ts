// Test support: how stack traces are formatted inside every test file (jest `setupFilesAfterEnv`, which runs after
// jest has installed source-map-support in the test environment).
//
// jest maps every formatted stack through the transformed files' source maps (jest-runner 29.7.0, build/runTest.js:
// `source-map-support` `.install(...)` after the setup files), so an error's stack points at TypeScript lines. cdktf
// also formats a full stack (Error.stackTraceLimit raised to Number.MAX_SAFE_INTEGER) into a plain object for every
// token, lazy value and computed list it creates (cdktf 0.21.0 lib/tokens/private/stack-trace.js `captureStackTrace`,
// see constructs/platform/token-stack-traces.ts), only to quote it if that token never resolves; mapping those frames
// was a third of the CPU of a suite that builds stacks (a CPU profile of test/fleet-guard.test.ts: 25 of 71 s in
// source-map-support and source-map under cdktf's captures). So a capture into anything that is not an error is
// formatted the way V8 formats it without a hook (the "    at <frame>" lines of
// https://v8.dev/docs/stack-trace-api#customizing-stack-traces), unmapped; errors keep jest's mapped stack. cdktf's
// captures stay full (test/stack-capture.test.ts checks they are collected outside `withCheapCaptures`).
import { types } from "node:util";

const mapped = Error.prepareStackTrace;
if (mapped) {
  Error.prepareStackTrace = (target: object, frames: NodeJS.CallSite[]): unknown =>
    types.isNativeError(target) || target instanceof Error
      ? mapped(target as Error, frames)
      : [String(target), ...frames.map((frame) => `    at ${String(frame)}`)].join("\n");
}
