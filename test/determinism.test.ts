// The example app's output is deterministic and portable: two synths in different folders are byte-identical, and no
// synthesized file names a path of this machine or a timestamp.
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { filesUnder, read, synthExamples } from "./support/example-synth";

const REPO = resolve(__dirname, "..");

describe("deterministic output", () => {
  let first: string;
  let second: string;
  beforeAll(() => {
    first = synthExamples();
    second = synthExamples();
  });

  test("the app writes Terraform for every generation and the traffic stacks, plus dist/ per generation", () => {
    const files = filesUnder(first);
    for (const stack of ["prod-a", "prod-b", "staging-a"]) {
      expect(files).toContain(`cdktf.out/stacks/${stack}/cdk.tf.json`);
      expect(files.some((f) => f.startsWith(`dist/${stack}/ignition/`))).toBe(true);
    }
    expect(files.some((f) => /^cdktf\.out\/stacks\/prod-traffic\//.test(f))).toBe(true);
  });

  test("two synths in different folders are byte-identical", () => {
    const files = filesUnder(first);
    expect(filesUnder(second)).toEqual(files);
    for (const file of files) expect([file, read(second, file)]).toEqual([file, read(first, file)]);
  });

  test("no file names the synth folder, a home or temp path, or a timestamp", () => {
    for (const file of filesUnder(first)) {
      const text = read(first, file);
      expect([file, text.includes(first)]).toEqual([file, false]);
      // Paths of this machine: the repository, its node_modules, the temp folder the synth ran in. (Paths such as
      // /tmp/cilium inside container specs are the software's own, not the machine's.)
      for (const machinePath of [REPO, `${REPO}/node_modules`, `${tmpdir()}/examples-`]) {
        expect([file, machinePath, text.includes(machinePath)]).toEqual([file, machinePath, false]);
      }
      expect([file, /\b20\d\d-\d\d-\d\dT\d\d:\d\d/.test(text)]).toEqual([file, false]);
    }
  });
});
