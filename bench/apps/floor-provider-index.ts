// Benchmark reference: what the floor would cost if the provider were loaded through its package index (every resource
// class) instead of deep imports; shows why constructs/platform/aws.ts imports classes one by one.
import "../../constructs/platform/terraform";
require("@cdktf/provider-aws");
