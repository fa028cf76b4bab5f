// Test support: process settings every test file starts with (jest `setupFiles`).
//
// The AWS SDK clients are test-only dependencies, pinned exactly, that talk to moto_server. Their versions warn on
// every test file that SDK releases after January 2027 will need Node.js 22; the CI machine runs Node.js 20 and the
// pinned versions keep working there, so the notice is switched off (the SDK's own switch) to keep test logs readable.
// See docs/terraform-and-emulator-tests.md ("Node.js version").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// The Kubernetes support window (constructs/ignition/kubernetes-support.ts) is judged on a pinned day, so that which
// example generation gets a "past upstream support" notice, and so every expected stderr, does not change with the
// calendar (1.35 reaches end of life on 2027-02-28). Child processes started by the tests inherit it. Suites that test
// the window itself pass their own dates.
process.env.IMMUTABLE_CLUSTERS_TODAY ??= "2026-12-01";
