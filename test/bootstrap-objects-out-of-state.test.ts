// Node contract 2 keeps what the nodes publish (the bootstrap token, the CA hash, the token expiry, the control-plane
// certificate key and the Secrets encryption key) out of Terraform's sight, as objects of the node bucket the nodes
// create: whatever Terraform manages or reads, it stores in its state (the AWS provider reads an aws_ssm_parameter's
// value with decryption on every refresh, internal/service/ssm/parameter.go resourceParameterRead; a data source's result
// is state too). This checks every synthesized generation stack: no resource and no data source names any of them.
import { clusters } from "../clusters";
import { BOOTSTRAP_OBJECT_KEYS } from "../constructs/cluster/node-policies";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { synthClusters, type TerraformJson } from "./support/synth";

const NAMES = Object.values(BOOTSTRAP_OBJECT_KEYS);

/**
 * Attributes that name the keys without holding their values: policy documents (they grant access by name) and the
 * node configs' file contents (the bootstrap scripts that read and write the objects).
 */
const DOCUMENTS: Readonly<Record<string, readonly string[]>> = {
  aws_iam_role_policy: ["policy"],
  aws_kms_key: ["policy"],
  aws_s3_bucket_policy: ["policy"],
  aws_s3_object: ["content", "content_base64"],
};

/** "<resource|data>.<type>.<id>.<attribute path>" of every string that names a bootstrap object, outside DOCUMENTS. */
function bootstrapNamesInState(doc: TerraformJson): string[] {
  const found: string[] = [];
  const walk = (value: unknown, where: string): void => {
    if (typeof value === "string") {
      for (const name of NAMES) if (value.includes(name)) found.push(`${where}: ${name}`);
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, `${where}.${k}`);
  };
  for (const [block, types] of [
    ["resource", doc.resource],
    ["data", doc.data ?? {}],
  ] as const)
    for (const [type, instances] of Object.entries(types))
      for (const [id, body] of Object.entries(instances))
        for (const [attribute, value] of Object.entries(body))
          if (!(block === "resource" && DOCUMENTS[type]?.includes(attribute))) walk(value, `${block}.${type}.${id}.${attribute}`);
  return found;
}

// Synthesized as the cdktf app does (constructs/fleet/fleet-app.ts synthFleet), inside withCheapCaptures: cdktf's
// per-token creation stacks, never written out, are not collected and formatted. The Terraform JSON is the same.
const examples = withCheapCaptures(() => synthClusters(clusters));
const sample = withCheapCaptures(() =>
  synthClusters([
    sampleCluster({ generations: [sampleGeneration({ id: "a" }), sampleGeneration({ id: "b", weight: 0, kubernetesVersion: "1.35.4" })] }),
  ]),
);
const stacks = [
  ...clusters.flatMap((c) => c.generations.map((g) => ({ name: `${c.name}-${g.id}`, doc: examples.json(`${c.name}-${g.id}`) }))),
  { name: "demo-a", doc: sample.json("demo-a") },
  { name: "demo-b", doc: sample.json("demo-b") },
];

test.each(stacks.map((s) => [s.name, s] as const))("%s: no Terraform resource or data source names a bootstrap object", (_, { doc }) => {
  expect(bootstrapNamesInState(doc)).toEqual([]);
  // The node bucket is still where they live: the policies name them there.
  const worker = Object.values(doc.resource.aws_iam_role_policy).find((p) => String(p.name).includes("worker"))!;
  expect(String(worker.policy)).toContain("/join/token");
});

test("the check finds a bootstrap object put back into Terraform's hands, in any form", () => {
  const doc = structuredClone(sample.json("demo-a")) as TerraformJson & {
    resource: Record<string, Record<string, Record<string, unknown>>>;
    data: Record<string, Record<string, Record<string, unknown>>>;
  };
  doc.resource.aws_ssm_parameter = { ...doc.resource.aws_ssm_parameter, token: { name: "/immutable-clusters/demo/a/join/token" } };
  doc.resource.aws_s3_object = { ...doc.resource.aws_s3_object, key: { key: "control-plane/secrets-encryption-key", content: "x" } };
  doc.data = { ...(doc.data ?? {}), aws_s3_object: { cert: { bucket: "b", key: "control-plane/certificate-key" } } };
  expect(bootstrapNamesInState(doc).sort()).toEqual(
    [
      "data.aws_s3_object.cert.key: control-plane/certificate-key",
      "resource.aws_s3_object.key.key: control-plane/secrets-encryption-key",
      "resource.aws_ssm_parameter.token.name: join/token",
    ].sort(),
  );
});
