// Owns the typed schema of a review: what `immutable-clusters review --format json` prints (schemaVersion 2) and what
// the Markdown and Mermaid renderers read. Documented field by field in docs/review.md.
import type { GuardViolation } from "../../constructs/fleet/guard";
import type { PriceTableCitation } from "./price-table";

/** One changed value inside a resource, Kubernetes object or Ignition config. */
export interface AttributeChange {
  /** Path of the value, e.g. `desired_capacity`, `mixed_instances_policy.launch_template.override[0].instance_type`, `spec.replicas`. */
  readonly path: string;
  /** `added` (only in head), `removed` (only in base) or `changed`. */
  readonly kind: "added" | "removed" | "changed";
  /** The base value, summarised (long strings shortened, see `summarizeValue`); absent when added. */
  readonly before?: string;
  /** The head value, summarised; absent when removed. */
  readonly after?: string;
  /**
   * What the change is when its values alone mislead: a node-bucket object's text moved between `content` and
   * `content_base64`: "same text, now base64-encoded (was `content`)", then without `before`/`after`, or
   * "text changed, now base64-encoded (was `content`)". Absent otherwise.
   */
  readonly note?: string;
}

/**
 * What a change means for something running:
 * `destroy` / `replace` (a live thing is deleted, or deleted and created again: gated by exit code 2 when `live`),
 * `rollout` (a new launch template version: instances change only on refresh), `scale` (capacity change in place),
 * `traffic` (a weighted DNS record's weight moves).
 */
export interface Risk {
  readonly level: "destroy" | "replace" | "rollout" | "scale" | "traffic";
  /** The resource runs something or carries traffic/data (ASG, instance, load balancer, target group, weighted record, KMS key, bucket). */
  readonly live: boolean;
  /** One sentence for a reviewer. */
  readonly note: string;
}

/** One Terraform resource or data source that differs between base and head. */
export interface ResourceChange {
  /** Terraform address, e.g. `aws_lb.cluster_api_nlb_76AC66FB` or `data.aws_ami.cluster_flatcar_image_233CD647`. */
  readonly address: string;
  /** Terraform type, e.g. `aws_autoscaling_group`. */
  readonly type: string;
  /** Construct path from the cdktf metadata (e.g. `prod-a/cluster/pool-general/group`), when present. */
  readonly constructPath?: string;
  /** `create`, `delete`, `update` (in place) or `replace` (an attribute that forces a new resource changed). */
  readonly action: "create" | "delete" | "update" | "replace";
  /** The changed attributes (updates and replacements only; cdktf metadata `//` ignored). */
  readonly attributes: readonly AttributeChange[];
  /** Top-level attributes whose change forces replacement (from the review's own table, not the provider schema). */
  readonly replacedBy: readonly string[];
  /** What it means for running things, when it means something. */
  readonly risk?: Risk;
}

/** One file, systemd unit, drop-in or other setting of an Ignition config that differs. */
export interface IgnitionEntryChange {
  /** `file` (storage.files, by path), `unit` (systemd.units, by name), `dropin` (`<unit>/<dropin>`), `setting` (anything else, by JSON path). */
  readonly kind: "file" | "unit" | "dropin" | "setting";
  /** Path, unit name, `<unit>/<dropin>` or JSON path. */
  readonly name: string;
  readonly status: "added" | "removed" | "changed";
  /** Unified diff of the decoded text (files, units, drop-ins), without the `---`/`+++` header. */
  readonly diff: string;
}

/** The decoded differences of one Ignition config (the full config in S3, or a launch template's user data). */
export interface IgnitionChange {
  /** Where the config lives: `s3:ignition/worker-general.ign` or `user_data:<launch template name>`. */
  readonly config: string;
  readonly status: "added" | "removed" | "changed";
  readonly entries: readonly IgnitionEntryChange[];
}

/** One Kubernetes object (from the generation's addon manifests) that differs. */
export interface KubernetesChange {
  /** `<kind>/<namespace>/<name>`, or `<kind>/<name>` for cluster-scoped objects. */
  readonly key: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: "added" | "removed" | "changed";
  /** Field-level changes (changed objects only). */
  readonly fields: readonly AttributeChange[];
}

/** One priced item of a stack (an Auto Scaling group's instances and root volumes, or a load balancer). */
export interface CostLine {
  /** Stable key, e.g. `asg:prod-a-general` or `lb:prod-a-api`. */
  readonly key: string;
  /** For a reader, e.g. `pool general: 3 × m6i.xlarge`. */
  readonly label: string;
  /** Monthly USD in base (0 when absent). */
  readonly before: number;
  /** Monthly USD in head (0 when absent). */
  readonly after: number;
  /** after − before. */
  readonly delta: number;
  /** Assumptions made for this line (first instance type of a mixed policy, spot priced as on-demand, ...). */
  readonly notes: readonly string[];
  /** Monthly USD at the group's min and max size (Auto Scaling groups only), base and head. */
  readonly range?: { readonly before: CostRange; readonly after: CostRange };
}

/** Monthly USD at the minimum and maximum size an autoscaled group may take. */
export interface CostRange {
  readonly min: number;
  readonly max: number;
}

/** Monthly cost of a stack's instances and load balancers, base vs head, from the shipped price table. */
export interface StackCost {
  readonly before: number;
  readonly after: number;
  readonly delta: number;
  readonly lines: readonly CostLine[];
  /** The stack's monthly USD with every group at its min and at its max size, base and head. */
  readonly range: { readonly before: CostRange; readonly after: CostRange };
  /** Prices missing or for another region than the stack's. */
  readonly warnings: readonly string[];
}

/** Everything that differs in one stack. */
export interface StackReview {
  /** Stack name, e.g. `prod-a`, `prod-traffic`. */
  readonly name: string;
  /** `generation` (has Auto Scaling groups), `traffic` (`<cluster>-traffic`), `identity` (`<cluster>-identity`), or `other`. */
  readonly kind: "generation" | "traffic" | "identity" | "other";
  readonly cluster?: string;
  /** Generation id (generation stacks). */
  readonly generation?: string;
  /** AWS region of the stack's provider. */
  readonly region?: string;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  /** Resources only (data sources are listed in `resources` but not counted, as `terraform plan` does not count them). */
  readonly counts: { readonly added: number; readonly changed: number; readonly removed: number; readonly liveReplacedOrDestroyed: number };
  readonly resources: readonly ResourceChange[];
  readonly ignition: readonly IgnitionChange[];
  readonly kubernetes: readonly KubernetesChange[];
  readonly cost: StackCost;
}

/** A generation the change touches. */
export interface GenerationTouch {
  readonly cluster: string;
  readonly generation: string;
  /** Its stack, e.g. `prod-a`. */
  readonly stack: string;
  /** `added` / `removed` stack, `changed` resources, or only `traffic` (its weight moved). */
  readonly how: "added" | "removed" | "changed" | "traffic";
  /** Weight in base and head traffic stacks, when the generation has a weighted record there. */
  readonly weight?: { readonly before?: number; readonly after?: number };
  /**
   * How grave destroying it is (removed stacks only): `serving-traffic` (weight > 0 in base), `retired` (deployed per
   * the base lock, weight 0) or `never-deployed` (not in the base lock).
   */
  readonly severity?: "serving-traffic" | "retired" | "never-deployed";
}

/** When a change takes effect on what runs. */
export interface RolloutNote {
  readonly stack: string;
  readonly cluster?: string;
  readonly generation?: string;
  /** What changes, e.g. `pool general instance types`, `node config worker-general`, `addon objects (3)`. */
  readonly subject: string;
  /**
   * `now` (applied in place by the deploy), `new-instances` (only instances launched after the deploy get it),
   * `not-applied` (never reaches the running generation: create a new generation), `frozen` (a locked generation keeps
   * its frozen artifacts; the library has moved on), `on-create` (a new generation gets it when created).
   */
  readonly takesEffect: "now" | "new-instances" | "not-applied" | "frozen" | "on-create";
  readonly note: string;
}

/** One step of the apply plan, in order. */
export interface ApplyStep {
  /** The command to run, e.g. `npx cdktf deploy prod-c`. */
  readonly command: string;
  /** Where to run it: `head` (the merged change) or `base` (before merging: a stack deleted from the program cannot be destroyed after). */
  readonly from: "head" | "base";
  readonly why: string;
}

/** A lock entry that differs between base and head. */
export interface LockChange {
  readonly cluster: string;
  readonly generation: string;
  /** `recorded` (new in head), `re-recorded` (contents differ), `removed` (only in base). */
  readonly change: "recorded" | "re-recorded" | "removed";
  /** False for a removal while head still defines the generation (a guard bypass: exit 3). */
  readonly allowed: boolean;
  readonly note: string;
}

/** A generation serving traffic in base that the base lock does not record. */
export interface UnguardedGeneration {
  readonly cluster: string;
  readonly generation: string;
  readonly weight: number;
  /** `error` with `--strict` (exit 3), else `warning`. */
  readonly level: "warning" | "error";
  readonly message: string;
}

/** One problem of a revision that could not be reviewed. */
export interface ReviewProblem {
  /** The definition field (`generations[0].workerPools[0].minSize`), when the problem names one. */
  readonly field?: string;
  /** The source file relative to the revision's folder (type errors). */
  readonly file?: string;
  readonly line?: number;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** Why a revision could not be reviewed (exit code 1). */
export interface ReviewError {
  /** `base`, `head`, or `review` (options, repository). */
  readonly revision: "base" | "head" | "review";
  /** `checkout` (ref), `typecheck` (tsc), `synth` (the cdktf app failed), `load` (its output could not be read). */
  readonly stage: "checkout" | "typecheck" | "synth" | "load";
  /** One line. */
  readonly summary: string;
  readonly problems: readonly ReviewProblem[];
  /** The tool's output, without stack traces and temporary paths, cut to 200 lines. */
  readonly output: string;
}

/** One source of the price table (its fields as the table states them) and the prices it covers. */
export interface PriceCitation extends Pick<PriceTableCitation, "status" | "label" | "citation" | "url" | "sourceDate"> {
  /** The prices it covers: a section (`ec2OnDemandHourly`) or one entry (`ebsPerGiBMonth.gp3`). */
  readonly covers: readonly string[];
}

/** Where the prices come from (the table shipped with the package). */
export interface PriceSource {
  readonly region: string;
  /** When the prices were last checked against their cited sources, YYYY-MM-DD. */
  readonly date: string;
  readonly currency: "USD";
  readonly hoursPerMonth: number;
  /** The table's one-paragraph summary of its sources and exclusions. */
  readonly source: string;
  /** Each source, verified or not, with the prices it covers. */
  readonly citations: readonly PriceCitation[];
}

/** Why the command exits as it does. */
export interface Verdict {
  /**
   * 0 ok (with `--detailed-exitcode`: no changes), 1 a revision could not be reviewed, 2 live destroy/replace without
   * --allow-destroy, 3 the guard refuses (violations, a lock bypass, or with `--strict` an unguarded live generation),
   * 4 only with `--detailed-exitcode`: changes, all of them acceptable.
   */
  readonly exitCode: 0 | 1 | 2 | 3 | 4;
  readonly reason: string;
}

/** The whole review (JSON output, schemaVersion 2). */
export interface ReviewReport {
  readonly schemaVersion: 2;
  readonly base: { readonly ref: string; readonly commit?: string };
  readonly head: { readonly ref: string; readonly commit?: string };
  readonly summary: {
    readonly stacksAdded: number;
    readonly stacksRemoved: number;
    readonly stacksChanged: number;
    readonly resourcesAdded: number;
    readonly resourcesChanged: number;
    readonly resourcesRemoved: number;
    readonly liveReplacedOrDestroyed: number;
    /** Monthly USD, head − base, over all stacks (groups at desired size). */
    readonly monthlyCostDelta: number;
    /** Head's monthly USD over all stacks with every group at its min and at its max size. */
    readonly monthlyCostRange: CostRange;
    /** Guard violations plus refused lock changes plus (with --strict) unguarded live generations. */
    readonly guardViolations: number;
  };
  /** Every stack of base and head (unchanged ones with status `unchanged` and empty lists), sorted by name. */
  readonly stacks: readonly StackReview[];
  readonly generations: readonly GenerationTouch[];
  readonly guard: {
    /** Whether base or head has a fleet lock (clusters/generations.lock.json); without one no generation counts as deployed. */
    readonly lockPresent: boolean;
    /** Whether head's synth reported at all (guard-violations.json present). */
    readonly reported: boolean;
    readonly violations: readonly GuardViolation[];
    /** Whether head was synthesized against the base revision's lock (false when base has none). */
    readonly baseLock: boolean;
    /** Lock entries that differ between base and head. */
    readonly lockChanges: readonly LockChange[];
    /** Live generations (weight > 0 in base) without a lock entry in base. */
    readonly unguarded: readonly UnguardedGeneration[];
  };
  /** When each change takes effect. */
  readonly rollout: readonly RolloutNote[];
  /** The deploy/destroy commands in the order to run them. */
  readonly applyPlan: readonly ApplyStep[];
  /** Why a revision could not be reviewed; empty when the review ran. */
  readonly errors: readonly ReviewError[];
  readonly prices: PriceSource;
  /** Mermaid flowchart of the touched generations (empty string when none). */
  readonly mermaid: string;
  readonly verdict: Verdict;
}
