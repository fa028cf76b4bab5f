// Owns replacing one of cdktf's internals (others: resolve-once-stack.ts, linear-token-split.ts): the function that
// records where each token was created. cdktf 0.21.0 calls `captureStackTrace()` of lib/tokens/private/stack-trace.js (copied from aws/constructs
// lib/private/stack-trace.ts) for every Intrinsic token, Lazy value, dynamic block and computed list it makes, with
// Error.stackTraceLimit raised to Number.MAX_SAFE_INTEGER, and keeps the frames only to quote them if that token later
// fails to resolve (hashicorp/terraform-cdk packages/cdktf/lib/tokens/private/intrinsic.ts, lazy.ts; cdktf 0.21.0 as
// installed). Its callers look the function up on the module's exports at each call (`(0, stack_trace_1.captureStackTrace)()`
// in the published JavaScript), so replacing that property replaces every capture.
const stackTraceModule = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: unknown) => string[] };

/**
 * Runs `build` with cdktf's token creation stacks left empty (what they record is never written to any output), then
 * restores cdktf's own function. Collecting every frame of a deep construct tree for each of thousands of tokens was
 * about a tenth of a 50-generation synth's CPU even when the frames were never formatted.
 */
export function withoutTokenStackTraces<T>(build: () => T): T {
  const original = stackTraceModule.captureStackTrace;
  stackTraceModule.captureStackTrace = () => [];
  try {
    return build();
  } finally {
    stackTraceModule.captureStackTrace = original;
  }
}
