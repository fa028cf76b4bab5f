// No secret in any synthesized file: the example app's Terraform JSON, user data, Ignition configs (decoded) and
// Kubernetes manifests are scanned for private keys, kubeadm tokens, AWS keys and literal passwords.
import { expandedText, filesUnder, read, synthExamples } from "./support/example-synth";

const SECRET_PATTERNS: Array<[string, RegExp]> = [
  ["PEM private key", /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/],
  ["kubeadm bootstrap token", /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/],
  ["kubeadm certificate key", /certificate-?key["':= ]+[0-9a-f]{64}\b/i],
  ["AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["AWS secret access key", /aws_?secret_?access_?key["':= ]+[A-Za-z0-9/+]{40}\b/i],
  ["literal password", /password["']?\s*[:=]\s*["']?(?!\$|\{\{|@@)[^\s"',}]{4,}/i],
];

/** The names of the patterns that match a text. */
export function secretsIn(text: string): string[] {
  return SECRET_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
}

describe("secret scan", () => {
  test("the scanner finds each kind of secret, also inside encoded content", () => {
    const key = ["-----BEGIN RSA PRIVATE", "KEY-----"].join(" ");
    expect(secretsIn(`x ${key} y`)).toEqual(["PEM private key"]);
    expect(secretsIn("token: abcdef.0123456789abcdef")).toEqual(["kubeadm bootstrap token"]);
    expect(secretsIn(`certificateKey: "${"a1".repeat(32)}"`)).toEqual(["kubeadm certificate key"]);
    expect(secretsIn(`id ${"AKIA"}ABCDEFGHIJKLMNOP`)).toEqual(["AWS access key id"]);
    expect(secretsIn("admin_password = hunter22")).toEqual(["literal password"]);
    expect(secretsIn("password: @@PLACEHOLDER@@")).toEqual([]);
    // Hidden in base64 user data and in a gzip data: URL of an Ignition file.
    const ignition = JSON.stringify({
      storage: {
        files: [
          {
            path: "/x",
            contents: {
              source: `data:;base64,${require("node:zlib").gzipSync("token: abcdef.0123456789abcdef").toString("base64")}`,
              compression: "gzip",
            },
          },
        ],
      },
    });
    const tf = JSON.stringify({ resource: { aws_launch_template: { t: { user_data: Buffer.from(ignition).toString("base64") } } } });
    expect(secretsIn(expandedText(tf))).toEqual(["kubeadm bootstrap token"]);
    // Inside a node-bucket object stored as content_base64 (node contract 3): a manifest and an Ignition config.
    const manifest = JSON.stringify({
      resource: { aws_s3_object: { m: { content_base64: Buffer.from("token: abcdef.0123456789abcdef\n").toString("base64") } } },
    });
    expect(secretsIn(manifest)).toEqual([]);
    expect(secretsIn(expandedText(manifest))).toEqual(["kubeadm bootstrap token"]);
    const stored = JSON.stringify({ resource: { aws_s3_object: { i: { content_base64: Buffer.from(ignition).toString("base64") } } } });
    expect(secretsIn(expandedText(stored))).toEqual(["kubeadm bootstrap token"]);
  });

  test("no synthesized file of the example clusters holds a secret", () => {
    const dir = synthExamples();
    const files = filesUnder(dir);
    expect(files.length).toBeGreaterThan(5);
    const findings = files.flatMap((file) => secretsIn(expandedText(read(dir, file))).map((kind) => `${file}: ${kind}`));
    expect(findings).toEqual([]);
  });
});
