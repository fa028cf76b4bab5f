// Owns the Ignition configs of each node role: the full config stored in S3 and the small user-data pointer to it.
// (Minimal placeholder: the bootstrap issue replaces the full config with the real node bring-up.)
import { createHash } from "node:crypto";
import type { ResolvedGeneration, ResolvedWorkerPool } from "../definition/resolve";

/** The role a node plays: a control-plane node, or a worker of one pool. */
export type NodeRole = { readonly kind: "controller" } | { readonly kind: "worker"; readonly pool: ResolvedWorkerPool };

/** The S3 key of a role's full config inside the generation's node bucket. */
export function nodeConfigKey(role: NodeRole): string {
  return role.kind === "controller" ? "ignition/controller.ign" : `ignition/worker-${role.pool.name}.ign`;
}

/** The full Ignition config of a role, as canonical JSON text. */
export function renderNodeIgnition(generation: ResolvedGeneration, role: NodeRole): string {
  const config = {
    ignition: { version: "3.3.0" },
    storage: {
      files: [
        {
          path: "/etc/hostname-role",
          mode: 0o644,
          contents: { source: `data:,${encodeURIComponent(`${generation.fullName} ${role.kind}\n`)}` },
        },
      ],
    },
  };
  return JSON.stringify(config);
}

/** The user data of a launch template: an Ignition config that replaces itself with the full config from S3. */
export function userDataPointer(bucketName: string, key: string, fullConfig: string): string {
  const hash = createHash("sha512").update(fullConfig).digest("hex");
  return JSON.stringify({
    ignition: {
      version: "3.3.0",
      config: { replace: { source: `s3://${bucketName}/${key}`, verification: { hash: `sha512-${hash}` } } },
    },
  });
}
