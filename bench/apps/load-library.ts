// Benchmark reference: a process that loads the whole library (cdktf, the provider classes, cdk8s and the addon charts,
// the schema checks) but synthesizes nothing: the part of a synth's cost that is loading code.
import "../../constructs";
