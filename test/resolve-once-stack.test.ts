// Each Terraform element resolved once per synth (constructs/platform/resolve-once-stack.ts): the stack writes the
// document cdktf's own TerraformStack writes, byte for byte, and falls back to cdktf's toTerraform whenever something
// between prepareStack and toTerraform could change a resolved element (an Aspect, a cross-stack reference, an override).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Aspects,
  DefaultTokenResolver,
  Lazy,
  StringConcat,
  TerraformStack as CdktfTerraformStack,
  Token,
  Tokenization,
  type IAspect,
} from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { AwsProvider, CloudwatchMetricAlarm, Route53Record, S3Object, SsmParameter } from "../constructs/platform/aws";
import {
  isPlainNumber,
  isPlainString,
  mergeResolved,
  ResolveOnceStack,
  resolveTokenString,
} from "../constructs/platform/resolve-once-stack";
import { App, Fn, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "../constructs/platform/terraform";

type StackClass = new (scope: App, id: string) => TerraformStack;

/** Tokens of every kind cdktf encodes: references in strings, lists and maps, numbers, lazy values, jsonencode. */
function populate(stack: TerraformStack): SsmParameter {
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const first = new SsmParameter(stack, "first", {
    name: "/p/first",
    type: "String",
    value: "1e5 and 2.5e-3 look like numbers",
    // A number token inside a string (cdktf encodes it as a double's digits).
    description: `count ${Lazy.numberValue({ produce: () => 42 })}`,
  });
  const second = new SsmParameter(stack, "second", {
    name: `/p/${first.version}`,
    type: "String",
    value: Fn.jsonencode({ arn: first.arn, list: [first.name, "plain"], n: 3, lazy: Lazy.stringValue({ produce: () => "lazy" }) }),
    tags: { team: "t", from: first.name, empty: "" },
  });
  new CloudwatchMetricAlarm(stack, "alarm", {
    alarmName: "a",
    comparisonOperator: "LessThanThreshold",
    evaluationPeriods: 2,
    threshold: Lazy.numberValue({ produce: () => 1.5 }),
    metricName: "HealthyHostCount",
    namespace: "AWS/NetworkELB",
    period: 60,
    statistic: "Minimum",
    dimensions: { LoadBalancer: second.arn },
    alarmActions: [],
  });
  new Route53Record(stack, "record", { zoneId: "Z1", name: "x", type: "CNAME", ttl: 60, records: [second.name, "b.example.com"] });
  // A string list token: cdktf resolves the array holding its marker as a list.
  const listed = Token.asList(Lazy.anyValue({ produce: () => ["10.0.0.1", first.name] }));
  new Route53Record(stack, "listed", { zoneId: "Z1", name: "y", type: "A", ttl: 60, records: listed });
  new S3Object(stack, "object", { bucket: "b", key: "k", content: "H4sIAAAAAAACA1e5x3e-9+abc/==", contentType: "text/plain" });
  new TerraformOutput(stack, "out", { value: second.arn });
  // Numbers alone and in arrays: plain ones (also those JSON writes specially), a number token, a number-list token.
  new TerraformOutput(stack, "numbers", {
    value: {
      plain: [1, 2.5, -0, 1e21, -1.5e-7],
      one: 3,
      withToken: [1, Lazy.numberValue({ produce: () => 7 })],
      token: Lazy.numberValue({ produce: () => 8 }),
      list: Token.asNumberList(Lazy.anyValue({ produce: () => [4, 5] })),
      inList: [Token.asNumberList(Lazy.anyValue({ produce: () => [6] }))[0]],
    },
  });
  return second;
}

/** Synthesizes an app built by `build` into a temporary folder; returns each stack's cdk.tf.json text by name. */
function synth(build: (app: App) => string[]): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), "resolve-once-"));
  try {
    const app = new App({ outdir });
    const names = build(app);
    app.synth();
    return Object.fromEntries(names.map((n) => [n, readFileSync(join(outdir, "stacks", n, "cdk.tf.json"), "utf8")]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** How often cdktf's own TerraformStack.toTerraform ran while `run` ran. */
function cdktfToTerraformCalls(run: () => void): number {
  const spy = jest.spyOn(CdktfTerraformStack.prototype, "toTerraform");
  try {
    run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

const aspectDescription: IAspect = {
  visit(node: IConstruct) {
    if (node instanceof SsmParameter) node.description = "set by an aspect";
  },
};

describe("ResolveOnceStack", () => {
  it("writes the document cdktf's TerraformStack writes, without cdktf's second and third resolve", () => {
    const build = (Stack: StackClass) => (app: App) => {
      populate(new Stack(app, "s"));
      return ["s"];
    };
    const expected = synth(build(TerraformStack));
    let written: Record<string, string> = {};
    const calls = cdktfToTerraformCalls(() => (written = synth(build(ResolveOnceStack))));
    expect(written.s).toBe(expected.s);
    const second = JSON.parse(written.s).resource.aws_ssm_parameter.second;
    expect(second.name).toBe("/p/${aws_ssm_parameter.first.version}");
    expect(second.value).toContain("aws_ssm_parameter.first.arn");
    expect(JSON.parse(written.s).resource.aws_ssm_parameter.first.description).toBe("count 42");
    expect(JSON.parse(written.s).output.numbers.value).toEqual({
      plain: [1, 2.5, 0, 1e21, -1.5e-7],
      one: 3,
      withToken: [1, 7],
      token: 8,
      list: [4, 5],
      inList: [6],
    });
    expect(calls).toBe(0);
  });

  it("merges the metadata of elements that have some (an override, an import) as cdktf does, skipping the empty", () => {
    const build = (Stack: StackClass) => (app: App) => {
      const stack = new Stack(app, "s");
      const second = populate(stack);
      second.addOverride("lifecycle.ignore_changes", ["value"]);
      new SsmParameter(stack, "imported", { name: "/p/imported", type: "String", value: "v" }).importFrom("/p/imported");
      return ["s"];
    };
    const expected = synth(build(TerraformStack));
    let written: Record<string, string> = {};
    const calls = cdktfToTerraformCalls(() => (written = synth(build(ResolveOnceStack))));
    expect(written.s).toBe(expected.s);
    const metadata = JSON.parse(written.s)["//"].metadata;
    expect(metadata.overrides).toEqual({ aws_ssm_parameter: ["lifecycle"] });
    expect(metadata.imports).toEqual({ aws_ssm_parameter: ["imported"] });
    expect(calls).toBe(0);
  });

  it("decides plain numbers as cdktf's Token.isUnresolved does, tokens and the bound around them included", () => {
    const cdktfPlain = (x: number) => x !== Token.NUMBER_MAP_TOKEN_VALUE && !Token.isUnresolved(x) && !Token.isUnresolved([x]);
    const bits = (high: number, low: number) => {
      const view = new DataView(new ArrayBuffer(8));
      view.setUint32(0, high);
      view.setUint32(4, low);
      return view.getFloat64(0);
    };
    const tokens = [Token.asNumber(Lazy.numberValue({ produce: () => 1 })), Token.asNumberList(Lazy.anyValue({ produce: () => [1] }))[0]];
    const values = [
      ...tokens,
      // Every double with the two marker prefixes and their neighbours (sign, exponent one up or down).
      ...[0xfdff, 0xfbff, 0xfdfe, 0xfe00, 0xfbfe, 0xfc00, 0x7dff, 0x7bff].flatMap((high) => [
        bits(high << 16, 0),
        bits((high << 16) | 0xffff, 0xffffffff),
      ]),
      -1e288,
      -(2 ** 960),
      -(2 ** 992),
      -Number.MAX_VALUE,
      -Infinity,
      Infinity,
      NaN,
      Token.NUMBER_MAP_TOKEN_VALUE,
      0,
      -0,
      1.5,
      -123456789.5,
      1e21,
    ];
    for (const value of values) expect([value, isPlainNumber(value)]).toEqual([value, cdktfPlain(value)]);
    for (const token of tokens) expect(isPlainNumber(token)).toBe(false);
  });

  it("decides plain strings as cdktf's resolve does: no token marker, no encoded number token", () => {
    const { TokenString } = require("cdktf/lib/tokens/private/encoding") as {
      TokenString: { forNumbers(s: string): { split(lookup: (id: string) => unknown): { tokens: unknown[] } } };
    };
    const { TokenMap } = require("cdktf/lib/tokens/private/token-map") as {
      TokenMap: { instance(): { lookupNumberToken(x: number): unknown } };
    };
    const cdktfPlain = (text: string) =>
      !text.includes("TfToken[") &&
      text !== Token.STRING_MAP_TOKEN_VALUE &&
      text !== Token.ANY_MAP_TOKEN_VALUE &&
      TokenString.forNumbers(text).split((id) => TokenMap.instance().lookupNumberToken(parseFloat(id))).tokens.length === 0;
    const numberToken = `${Token.asNumber(Lazy.numberValue({ produce: () => 1 }))}`;
    const listNumber = `${Token.asNumberList(Lazy.anyValue({ produce: () => [1] }))[0]}`;
    const texts = [
      "",
      "plain",
      "eu-west-1",
      "kube-system-e",
      "1e5",
      "x-1e5",
      "-2.5e-3 and 1e+300",
      "-1e300 -1.7e308 -9.7e288",
      "a-1e|5 |-1e+289 .e. -.e-",
      "c001-e-2",
      numberToken,
      `n=${numberToken}-x`,
      `a${numberToken}${numberToken}`,
      `-${numberToken}`,
      listNumber,
      `list ${listNumber}`,
      "${TfToken[TOKEN.1]}",
      Token.STRING_MAP_TOKEN_VALUE,
    ];
    for (const text of texts) expect([text, isPlainString(text)]).toEqual([text, cdktfPlain(text)]);
    expect(isPlainString(`n=${numberToken}-x`)).toBe(false);
  });

  it("resolves a string with a token as cdktf's resolve does, whatever the token resolves to", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "resolve-token-string-")) });
    const stack = new ResolveOnceStack(app, "s");
    const second = populate(stack);
    const lazy = (value: unknown) => Token.asString(Lazy.anyValue({ produce: () => value }));
    const texts = [
      second.arn,
      `${second.arn}`,
      `arn:${second.arn}/*`,
      Fn.jsonencode({ a: second.name, n: 3 }),
      lazy(5),
      lazy(undefined),
      lazy({ a: 1 }),
      lazy(["1e5", "a"]),
      lazy("x-1e5 and -2.5e-3"),
      lazy(`n=${Token.asString(Lazy.numberValue({ produce: () => 42 }))}`),
      lazy(Lazy.stringValue({ produce: () => "nested" })),
      "${TfToken[TOKEN.99999999]}",
    ];
    const outcome = (run: () => unknown) => {
      try {
        return { value: run() };
      } catch (error) {
        return { threw: (error as Error).message };
      }
    };
    for (const preparing of [true, false]) {
      const options = { scope: stack, preparing, resolver: new DefaultTokenResolver(new StringConcat()) };
      for (const text of texts) {
        const cdktf = outcome(() => Tokenization.resolve(text, options));
        expect([text, outcome(() => resolveTokenString(text, options))]).toEqual([text, cdktf]);
      }
    }
    rmSync(app.outdir, { recursive: true, force: true });
  });

  it("merges resolved fragments into the document as cdktf's deepMerge does", () => {
    const { deepMerge } = require("cdktf/lib/util") as { deepMerge: (target: object, ...sources: object[]) => object };
    const lazy = Lazy.anyValue({ produce: () => 1 });
    // Each case made afresh for each merge: [document so far, resolved fragment].
    const cases: (() => [Record<string, unknown>, Record<string, unknown>])[] = [
      () => [{}, { resource: { a: { x: { n: 1, list: [1, { m: 2 }], nested: { deep: { v: "s" } } } } } }],
      () => [{ resource: { a: { y: { n: 0 } }, b: {} } }, { resource: { a: { x: { n: 1 } }, c: { z: {} } }, output: {} }],
      () => [
        { list: [1, 2], o: { l: ["a"] } },
        { list: [3], o: { l: ["b"], m: [] } },
      ],
      () => [
        { p: "scalar", q: { old: 1 }, r: 5, s: [1] },
        { p: { now: "object" }, q: "scalar", r: { o: {} }, s: { k: 1 } },
      ],
      () => [
        { gone: 1, o: { gone: 2, kept: 3 } },
        { gone: undefined, o: { gone: undefined } },
      ],
      () => [{ n: null }, { n: { a: 1 } }],
      () => [{}, { token: lazy, o: { token: lazy } }],
      () => [{ t: lazy }, { t: { a: 1 } }],
    ];
    const outcome = (
      merge: (t: Record<string, unknown>, s: Record<string, unknown>) => void,
      make: () => [Record<string, unknown>, Record<string, unknown>],
    ) => {
      const [target, source] = make();
      try {
        merge(target, source);
        return { json: JSON.stringify(target), target };
      } catch (error) {
        return { threw: (error as Error).message };
      }
    };
    for (const make of cases) {
      expect(outcome(mergeResolved, make)).toEqual(outcome((t, s) => deepMerge(t, s), make));
    }
  });

  it("takes cdktf's own path when an Aspect changes a resource after prepareStack", () => {
    const build = (Stack: StackClass) => (app: App) => {
      const stack = new Stack(app, "s");
      populate(stack);
      Aspects.of(stack).add(aspectDescription);
      return ["s"];
    };
    const expected = synth(build(TerraformStack));
    let written: Record<string, string> = {};
    const calls = cdktfToTerraformCalls(() => (written = synth(build(ResolveOnceStack))));
    expect(written.s).toBe(expected.s);
    expect(JSON.parse(written.s).resource.aws_ssm_parameter.first.description).toBe("set by an aspect");
    expect(calls).toBe(1);
  });

  it("takes cdktf's own path when an Aspect above or deep in the stack, or custom synthesis in it, may change an element", () => {
    const { addCustomSynthesis } = require("cdktf/lib/synthesize/synthesizer") as {
      addCustomSynthesis: (construct: IConstruct, synthesis: { onSynthesize(): void }) => void;
    };
    // [how, how many stacks take cdktf's own toTerraform]
    const cases: [(app: App, stack: TerraformStack) => void, number][] = [
      [(app) => Aspects.of(app).add(aspectDescription), 1],
      [(_, stack) => Aspects.of(new Construct(new Construct(stack, "deep"), "deeper")).add(aspectDescription), 1],
      [(_, stack) => addCustomSynthesis(new Construct(stack, "custom"), { onSynthesize: () => undefined }), 1],
      // In a stack nested in this one (the check descends into it, as cdktf's findAll does): both stacks.
      [(_, stack) => Aspects.of(new Construct(new ResolveOnceStack(stack, "nested"), "inner")).add(aspectDescription), 2],
    ];
    for (const [add, fallbacks] of cases) {
      const build = (Stack: StackClass) => (app: App) => {
        const stack = new Stack(app, "s");
        populate(stack);
        add(app, stack);
        return ["s"];
      };
      const expected = synth(build(TerraformStack));
      let written: Record<string, string> = {};
      const calls = cdktfToTerraformCalls(() => (written = synth(build(ResolveOnceStack))));
      expect(written.s).toBe(expected.s);
      expect(calls).toBe(fallbacks);
    }
    // Without any of them the prepared fragments are written.
    expect(cdktfToTerraformCalls(() => synth((app) => (populate(new ResolveOnceStack(app, "s")), ["s"])))).toBe(0);
  });

  it("takes cdktf's own path for stacks a cross-stack reference changed, in either order", () => {
    const build = (Stack: StackClass, producerFirst: boolean) => (app: App) => {
      // The app prepares and synthesizes its stacks in construct order.
      const first = new Stack(app, producerFirst ? "producer" : "consumer");
      const second = new Stack(app, producerFirst ? "consumer" : "producer");
      const [producer, consumer] = producerFirst ? [first, second] : [second, first];
      const shared = populate(producer);
      new AwsProvider(consumer, "aws", { region: "eu-west-1" });
      new SsmParameter(consumer, "copy", { name: "/p/copy", type: "String", value: shared.value });
      return ["producer", "consumer"];
    };
    for (const producerFirst of [true, false]) {
      const expected = synth(build(TerraformStack, producerFirst));
      const written = synth(build(ResolveOnceStack, producerFirst));
      expect(written).toEqual(expected);
      expect(Object.keys(JSON.parse(written.producer).output)).toContainEqual(expect.stringMatching(/^cross-stack-output-/));
      expect(JSON.parse(written.consumer).data.terraform_remote_state).toBeDefined();
    }
  });

  it("takes cdktf's own path when the stack has a raw override", () => {
    const build = (Stack: StackClass) => (app: App) => {
      const stack = new Stack(app, "s");
      populate(stack);
      stack.addOverride("terraform.required_version", ">= 1.5");
      return ["s"];
    };
    const expected = synth(build(TerraformStack));
    let written: Record<string, string> = {};
    const calls = cdktfToTerraformCalls(() => (written = synth(build(ResolveOnceStack))));
    expect(written.s).toBe(expected.s);
    expect(JSON.parse(written.s).terraform.required_version).toBe(">= 1.5");
    expect(calls).toBe(1);
  });

  it("fails as cdktf does on a value cdktf refuses to resolve", () => {
    const build = (Stack: StackClass) => (app: App) => {
      const stack = new Stack(app, "s");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new SsmParameter(stack, "p", { name: "/p", type: "String", value: "x", tags: { bad: "String Map Token Value" } });
      return ["s"];
    };
    const failure = (Stack: StackClass) => {
      try {
        synth(build(Stack));
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("synth did not fail");
    };
    expect(failure(ResolveOnceStack)).toBe(failure(TerraformStack));
    expect(failure(ResolveOnceStack)).toMatch(/map token/i);
  });
});

describe("ResolveOnceStack's backend", () => {
  it("is the one cdktf's ensureBackendExists finds or makes: the first in the tree, else one LocalBackend", () => {
    const found = (Stack: StackClass) => {
      const app = new App({ outdir: "unused" });
      const withBackends = new Stack(app, "with");
      const inner = new Construct(new Construct(withBackends, "outer"), "inner");
      const first = new S3Backend(inner, { bucket: "b", key: "k", region: "eu-west-1" });
      // A second one later in the tree (in pre-order, after the subtree holding the first).
      new S3Backend(new Construct(withBackends, "later"), { bucket: "b2", key: "k", region: "eu-west-1" });
      const without = new Stack(app, "without");
      new Construct(without, "empty");
      const made = without.ensureBackendExists();
      return {
        first: withBackends.ensureBackendExists() === first,
        made: made instanceof LocalBackend,
        kept: without.ensureBackendExists() === made,
        backends: without.node.findAll().filter((c) => c instanceof LocalBackend).length,
      };
    };
    expect(found(ResolveOnceStack)).toEqual(found(TerraformStack));
    expect(found(ResolveOnceStack)).toEqual({ first: true, made: true, kept: true, backends: 1 });
  });
});

describe("ResolveOnceStack's stack file", () => {
  it("is written with cdktf's HCL output as cdktf writes it when SYNTH_HCL_OUTPUT is set", () => {
    const previous = process.env.SYNTH_HCL_OUTPUT;
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      const hcl = (Stack: StackClass) => {
        const outdir = mkdtempSync(join(tmpdir(), "resolve-once-hcl-"));
        try {
          const app = new App({ outdir });
          populate(new Stack(app, "s"));
          app.synth();
          return readFileSync(join(outdir, "stacks", "s", "cdk.tf"), "utf8");
        } finally {
          rmSync(outdir, { recursive: true, force: true });
        }
      };
      const expected = hcl(TerraformStack);
      expect(hcl(ResolveOnceStack)).toBe(expected);
      expect(expected).toContain('resource "aws_ssm_parameter" "first"');
    } finally {
      if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = previous;
    }
  });
});
