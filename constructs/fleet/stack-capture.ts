// Owns the cost of the call stacks cdktf and constructs record while a fleet is built and synthesized. cdktf captures a
// full stack trace (Error.stackTraceLimit raised to Number.MAX_SAFE_INTEGER) for every token, lazy value and computed
// attribute it creates, into a plain object, only to quote it if that token later fails to resolve
// (hashicorp/terraform-cdk packages/cdktf/lib/tokens/private/stack-trace.ts, cdktf 0.21.0; copied from
// aws/constructs lib/private/stack-trace.ts). Formatting those traces was about a third of a 50-generation synth's CPU.
// While `withCheapCaptures` runs, a stack captured into anything that is not an Error formats as empty text (V8's
// Error.prepareStackTrace hook, https://v8.dev/docs/stack-trace-api#customizing-stack-traces); errors keep their full
// stack. Nothing synthesized contains these traces; an unresolvable token's message loses its "created at" lines.
// cdktf's own token captures are skipped altogether (constructs/platform/token-stack-traces.ts): collecting the frames,
// even unformatted, was another tenth of a large fleet's CPU.
import { withoutTokenStackTraces } from "../platform/token-stack-traces";

/** Runs `build` (synchronous) with stack captures into non-Error objects left empty; restores the hook afterwards. */
export function withCheapCaptures<T>(build: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]): unknown => {
    if (!(error instanceof Error)) return "";
    if (previous) return previous(error, frames);
    // V8's own format when no hook was installed: the error's text, then one "    at <frame>" line per frame.
    return [String(error), ...frames.map((frame) => `    at ${String(frame)}`)].join("\n");
  };
  try {
    return withoutTokenStackTraces(build);
  } finally {
    Error.prepareStackTrace = previous;
  }
}
