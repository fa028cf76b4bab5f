// The README's table against Typhoon, kOps, Cluster API AWS and EKS Blueprints: every peer cell gives a verdict and
// links the peer's own docs, source or tracker; every cell of ours links a section of docs/ that exists, so a renamed
// heading or a claim without a source fails here.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const PEERS = ["Typhoon", "kOps", "Cluster API AWS", "EKS Blueprints (CDK)"];
const VERDICT = /^\*\*(no|partly|yes|more|n\/a)\*\*: /;

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens (repeats get -1, -2, ...). */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

function missionTable(): { header: string[]; rows: string[][] } {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("<!-- mission-table:start -->");
  const end = readme.indexOf("<!-- mission-table:end -->");
  expect({ start: start >= 0, end: end > start }).toEqual({ start: true, end: true });
  const lines = readme
    .slice(start, end)
    .split("\n")
    .filter((l) => l.startsWith("|"));
  const [header, separator, ...rows] = lines;
  expect(separator).toMatch(/^\|[\s|:-]+\|$/);
  return { header: cells(header), rows: rows.map(cells) };
}

const links = (cell: string) => [...cell.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);

describe("the README's mission table", () => {
  const { header, rows } = missionTable();

  test("has a column for this project and one per peer, and at least a dozen rows", () => {
    expect(header).toEqual(["capability", "immutable-clusters", ...PEERS]);
    expect(rows.length).toBeGreaterThanOrEqual(12);
    for (const row of rows) expect(row).toHaveLength(header.length);
  });

  test.each(PEERS.map((peer, i) => [peer, i + 2] as const))("every %s cell gives a verdict and links its source", (_peer, column) => {
    for (const row of rows) {
      const cell = row[column];
      expect({ row: row[0], cell }).toEqual({ row: row[0], cell: expect.stringMatching(VERDICT) });
      expect({ row: row[0], sources: links(cell).filter((l) => /^https:\/\/\S+\.\S+/.test(l)) }).toEqual({
        row: row[0],
        sources: expect.arrayContaining([expect.any(String)]),
      });
      // Work in progress is ours to mark, never a peer's.
      expect(cell).not.toContain("in progress");
    }
  });

  test("every cell of ours points at a section of docs/ that exists", () => {
    const anchorsOf = new Map<string, Set<string>>();
    for (const row of rows) {
      const ours = links(row[1]);
      expect({ row: row[0], ours: ours.length > 0 }).toEqual({ row: row[0], ours: true });
      for (const link of ours) {
        const match = /^(docs\/[\w.-]+\.md)#([\w-]+)$/.exec(link);
        expect({ row: row[0], link, form: match !== null }).toEqual({ row: row[0], link, form: true });
        const [, file, anchor] = match!;
        expect({ file, exists: existsSync(join(ROOT, file)) }).toEqual({ file, exists: true });
        if (!anchorsOf.has(file)) anchorsOf.set(file, headingAnchors(readFileSync(join(ROOT, file), "utf8")));
        expect({ link, anchorExists: anchorsOf.get(file)!.has(anchor) }).toEqual({ link, anchorExists: true });
      }
    }
  });

  test("it is honest: some rows have a peer that does as much or more", () => {
    const peerCells = rows.flatMap((row) => row.slice(2));
    expect(peerCells.filter((c) => /^\*\*(yes|more)\*\*/.test(c)).length).toBeGreaterThan(0);
    expect(peerCells.filter((c) => /^\*\*more\*\*/.test(c)).length).toBeGreaterThan(0);
  });
});

describe("headingAnchors", () => {
  test("follows GitHub's rules: punctuation and code dropped, repeats numbered, fenced code ignored", () => {
    const doc = [
      "# Addons",
      "## cluster-autoscaler (`45-cluster-autoscaler`, kube-system)",
      "## Day one: deploy, get access",
      "### AWS",
      "```sh",
      "# not a heading",
      "```",
      "#### AWS",
    ].join("\n");
    expect([...headingAnchors(doc)]).toEqual([
      "addons",
      "cluster-autoscaler-45-cluster-autoscaler-kube-system",
      "day-one-deploy-get-access",
      "aws",
      "aws-1",
    ]);
  });
});
