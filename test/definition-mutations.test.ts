// Property-style test (issue 13): seeded random one-field mutations of the example definitions are either refused with
// problems that each name a field path and say the fix in our words, or accepted and synthesized to valid output
// (every addon manifest passes the Kubernetes schema check at synth; Terraform validate of a sample runs in
// test/definition-mutations-terraform.test.ts). Never a crash. Same seed, same mutants: a failure is reproducible.
import { clusters } from "../clusters";
import { definitionProblems, type ClusterDefinition } from "../constructs";
import { synthCluster } from "../constructs/testing";
import { acceptedSample, mutants, type Mutant } from "./support/definition-fuzz";

const SEED = 20261201;
const PER_CLUSTER = 100;
/** Accepted mutants synthesized in full here (a synth takes seconds; more run in the Terraform suite). */
const SYNTH_SAMPLE = 1;
const GENERIC =
  /Invalid input|Invalid option|Too small|Too big|expected (string|number|boolean|object|array|record)|received|Unrecognized key/;

const all: Mutant[] = clusters.flatMap((cluster, i) => mutants(cluster, SEED + i, PER_CLUSTER));

describe("random mutations of the example definitions", () => {
  const accepted: Mutant[] = [];

  test(`${all.length} mutants: each is refused with field paths or accepted, never a crash`, () => {
    let refused = 0;
    for (const mutant of all) {
      const where = `mutant ${mutant.path} (${mutant.description})`;
      let problems: ReturnType<typeof definitionProblems>;
      try {
        problems = definitionProblems(mutant.definition);
      } catch (error) {
        throw new Error(`${where}: validation crashed: ${(error as Error).stack}`);
      }
      if (problems.length === 0) {
        accepted.push(mutant);
        continue;
      }
      refused++;
      for (const p of problems) {
        if (!/^[A-Za-z]/.test(p.field)) throw new Error(`${where}: problem without a field path: ${JSON.stringify(p)}`);
        if (GENERIC.test(p.message)) throw new Error(`${where}: generic schema text at ${p.field}: ${p.message}`);
      }
    }
    // The mutations are mostly harmful; both outcomes must occur or the test checks nothing.
    expect(refused).toBeGreaterThan(all.length / 2);
    expect(accepted.length).toBeGreaterThan(0);
  });

  test("accepted mutants synthesize, with schema-valid manifests", () => {
    expect(accepted.length).toBeGreaterThan(0);
    for (const mutant of acceptedSample(accepted, SYNTH_SAMPLE)) {
      const out = synthCluster(mutant.definition as ClusterDefinition);
      const name = (mutant.definition as ClusterDefinition).name;
      expect(Object.keys(out.stacks)).toContain(`${name}-traffic`);
      for (const files of Object.values(out.manifests)) expect(files.length).toBeGreaterThan(0);
    }
  });
});
