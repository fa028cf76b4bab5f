// Test support: reads the state a stack's terraform runs wrote to its local backend, straight from the file, instead of
// running `terraform show -json` (or `terraform state list`) for it.
//
// What a `show -json` of the latest state costs and proves: terraform starts, asks the provider for its whole schema
// and decodes it (measured on cluster.e2e's stack at load 9: 2.3 CPU s of terraform alone, 6.8 s wall), then prints the
// state snapshot it read from the backend, converted to its JSON output format. It proves nothing about the emulator:
// it reads no remote object. The file is that same snapshot: the synthesized stacks use the local backend
// (`terraform.backend.local.path` in cdk.tf.json; "The local backend stores state on the local filesystem",
// https://developer.hashicorp.com/terraform/language/backend/local, `path` relative to the root module, here the stack
// folder), written as JSON in state format version 4 (hashicorp/terraform internal/states/statefile/version4.go:
// `stateV4` with `resources`, each `{ mode, type, name, instances }`, each instance's values under `attributes`, the
// provider's private data base64 under `private`). Every value `show -json` prints is in the file, sensitive ones
// included; the file holds more (private data, lineage, serial), so a check that a value is absent is at least as
// strict on the file.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** One resource instance of the state file, as state format version 4 writes it. */
export interface StateResource {
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly values: Record<string, unknown>;
}

/** A stack's latest state snapshot: its text as written, and its resource instances. */
export interface StackState {
  readonly path: string;
  readonly text: string;
  readonly resources: readonly StateResource[];
}

interface StateFileV4 {
  version: number;
  resources: Array<{
    mode: "managed" | "data";
    type: string;
    name: string;
    instances: Array<{ attributes?: Record<string, unknown> }>;
  }>;
}

/** The local state file of a synthesized stack folder: its cdk.tf.json's `backend.local.path`, else terraform.tfstate. */
export function stateFilePath(stackDir: string): string {
  const config = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as {
    terraform?: { backend?: Record<string, { path?: string }> };
  };
  const backends = Object.keys(config.terraform?.backend ?? {});
  if (backends.some((b) => b !== "local")) throw new Error(`${stackDir} does not use the local backend (${backends.join(", ")})`);
  return resolve(stackDir, config.terraform?.backend?.local?.path ?? "terraform.tfstate");
}

/** Reads the stack's latest state snapshot from its local state file; fails when there is none or its format is not 4. */
export function readStackState(stackDir: string): StackState {
  const path = stateFilePath(stackDir);
  if (!existsSync(path)) throw new Error(`no state file at ${path}: has the stack been applied?`);
  const text = readFileSync(path, "utf8");
  const file = JSON.parse(text) as StateFileV4;
  if (file.version !== 4 || !Array.isArray(file.resources)) throw new Error(`${path} is not in state format version 4`);
  const resources = file.resources.flatMap((r) =>
    r.instances.map((i) => ({ mode: r.mode, type: r.type, name: r.name, values: i.attributes ?? {} })),
  );
  return { path, text, resources };
}
