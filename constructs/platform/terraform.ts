// Owns every import of the cdktf core package, so a switch to a fork (e.g. CDK Terrain) changes this file only.
export { App, dependable, Fn, LocalBackend, S3Backend, TerraformOutput, TerraformStack, Testing, Token } from "cdktf";
export type { AppConfig, ITerraformDependable } from "cdktf";
