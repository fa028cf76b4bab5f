// Owns where each stack keeps its Terraform state: an S3 key per stack when the definition names a bucket, otherwise a
// local file beside the project, written as a relative path so synthesized output never holds a machine's path.
import type { Construct } from "constructs";
import type { ClusterDefinition } from "../definition/types";
import { LocalBackend, S3Backend } from "../platform/terraform";

/** Configures the backend of `stack` (named `stackName`) for a cluster. */
export function configureStateBackend(stack: Construct, stackName: string, cluster: ClusterDefinition): void {
  const backend = cluster.stateBackend;
  if (backend) {
    new S3Backend(stack, {
      bucket: backend.bucket,
      key: `${backend.keyPrefix ?? "immutable-clusters"}/${stackName}.tfstate`,
      region: backend.region ?? cluster.region,
      encrypt: true,
      ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : { useLockfile: true }),
    });
  } else {
    // Terraform runs in cdktf.out/stacks/<stack>/: three levels up is the project root, where cdktf keeps local state.
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
  }
}
