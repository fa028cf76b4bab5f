// Test support: process settings every test file starts with (jest `setupFiles`).
//
// The AWS SDK clients are test-only dependencies, pinned exactly, that talk to moto_server. Their versions warn on
// every test file that SDK releases after January 2027 will need Node.js 22; the CI machine runs Node.js 20 and the
// pinned versions keep working there, so the notice is switched off (the SDK's own switch) to keep test logs readable.
// See docs/terraform-and-emulator-tests.md ("Node.js version").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
