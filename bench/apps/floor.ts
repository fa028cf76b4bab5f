// Benchmark floor: a process that only loads cdktf and the provider classes the library uses (through
// constructs/platform), and nothing of the library itself.
import "../../constructs/platform/terraform";
import "../../constructs/platform/aws";
