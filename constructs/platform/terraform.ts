// Owns every import of the cdktf core package, so a switch to a fork (e.g. CDK Terrain) changes this file only.
// Before the package loads: the packages it loads but a synth never calls wait for first use (deferred-packages.ts).
import "./deferred-packages";
export { App, dependable, Fn, LocalBackend, S3Backend, TerraformOutput, TerraformStack, Testing, Token } from "cdktf";
export type { AppConfig, ITerraformDependable } from "cdktf";
