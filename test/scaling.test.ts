// Scaling by count (issue 4), in the offline plan with one seed: N -> N+1 adds exactly the new
// worker's resources and leaves every other input unchanged; N+1 -> N removes only the highest
// slot; a new workerServerType changes only the workers' serverType (in place on Hetzner).
// Each worker's user data: cloud-init schema, shellcheck, <= 32 KiB with 1,000 slots, the same
// size for 10 or 1,000 slots, its own key only; raising workerCapacity reissues nothing.
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { cloudInitSchema, HCLOUD_USER_DATA_MAX, shellcheckPayload } from "./helpers/checks";
import { cleanupPlans, planOk, PlanJson, PlanResource, PlanRun, readPlan, readTree, readUserData, runPlan } from "./helpers/plan";
import { requireTool } from "./helpers/tools";

const SEED = ["--seed", "scaling-test", "--show-secrets"];
const SERVER = "hcloud:index/server:Server";

let two: PlanRun;
let three: PlanRun;
let retyped: PlanRun;
let cap10: PlanRun;
let cap1000: PlanRun;
let tooMany: PlanRun;

beforeAll(async () => {
  [two, three, retyped, cap10, cap1000, tooMany] = await Promise.all([
    planOk([...SEED, "--set", "workerCount=2"]),
    planOk([...SEED, "--set", "workerCount=3"]),
    planOk([...SEED, "--set", "workerCount=2", "--set", "workerServerType=cpx41"]),
    planOk([...SEED, "--set", "workerCount=3", "--set", "workerCapacity=10", "--set", "inhouseSlots=0"]),
    planOk([...SEED, "--set", "workerCount=3", "--set", "workerCapacity=1000"]),
    runPlan([...SEED, "--set", "workerCount=91"]),
  ]);
});
afterAll(cleanupPlans);

const key = (r: PlanResource) => `${r.type}::${r.name}`;
const byKey = (p: PlanJson) => new Map(p.resources.map((r) => [key(r), r]));

/** Resources only in `a`, and resources in both whose parent or inputs differ. */
function compare(a: PlanJson, b: PlanJson): { onlyA: string[]; changed: string[] } {
  const mb = byKey(b);
  const onlyA: string[] = [];
  const changed: string[] = [];
  for (const r of a.resources) {
    const other = mb.get(key(r));
    if (!other) onlyA.push(key(r));
    else if (r.parent !== other.parent || !isDeepStrictEqual(r.inputs, other.inputs)) changed.push(key(r));
  }
  return { onlyA, changed };
}

/** Input keys that differ between two versions of the same resource. */
function changedInputs(a: PlanResource, b: PlanResource): string[] {
  const keys = new Set([...Object.keys(a.inputs), ...Object.keys(b.inputs)]);
  return [...keys].filter((k) => !isDeepStrictEqual(a.inputs[k], b.inputs[k])).sort();
}

describe("workerCount", () => {
  test("2 -> 3: every resource of the first plan is in the second with identical inputs; the second adds only worker0003's", () => {
    const p2 = readPlan(two.dir);
    const p3 = readPlan(three.dir);
    const forward = compare(p2, p3);
    expect(forward).toEqual({ onlyA: [], changed: [] });
    const added = compare(p3, p2).onlyA;
    expect(added).toContain(`${SERVER}::workers-worker0003`);
    expect(added.filter((k) => !k.includes("worker0003"))).toEqual([]);
    // The new worker boots as slot 3, with its own name and overlay address.
    expect(byKey(p3).get(`${SERVER}::workers-worker0003`)!.inputs).toMatchObject({ name: "dev-worker0003", serverType: "cpx51", image: "alma-8", location: "fsn1" });
    expect((p3.outputs.workers as Array<{ name: string; overlayIp: string }>).map((w) => [w.name, w.overlayIp])).toEqual([
      ["worker0001", "10.87.99.1"], ["worker0002", "10.87.99.2"], ["worker0003", "10.87.99.3"],
    ]);
  });

  test("3 -> 2: only the highest slot's resources go; everything that stays keeps its inputs", () => {
    const p3 = readPlan(three.dir);
    const p2 = readPlan(two.dir);
    const { onlyA: removed, changed } = compare(p3, p2);
    expect(changed).toEqual([]);
    expect(removed).toContain(`${SERVER}::workers-worker0003`);
    expect(removed.filter((k) => !k.includes("worker0003"))).toEqual([]);
    expect(compare(p2, p3).onlyA).toEqual([]);
  });

  test("the hub's user data and every certificate are the same for 2 and 3 workers", () => {
    expect(fs.readFileSync(path.join(three.dir, "hosts/hub/user-data")).equals(fs.readFileSync(path.join(two.dir, "hosts/hub/user-data")))).toBe(true);
    const a = readTree(path.join(two.dir, "nebula"));
    const b = readTree(path.join(three.dir, "nebula"));
    expect([...a].filter(([f, bytes]) => !bytes.equals(b.get(f) ?? Buffer.alloc(0))).map(([f]) => f)).toEqual([]);
  });

  test("workerServerType cpx51 -> cpx41: only the workers' serverType changes (in place on Hetzner; image, userData, location and sshKeys would replace)", () => {
    const before = readPlan(two.dir);
    const after = readPlan(retyped.dir);
    const mb = byKey(after);
    expect([...mb.keys()].sort()).toEqual([...byKey(before).keys()].sort());
    const diffs = before.resources.flatMap((r) => changedInputs(r, mb.get(key(r))!).map((k) => `${r.name}.${k}`));
    expect(diffs.sort()).toEqual(["workers-worker0001.serverType", "workers-worker0002.serverType"]);
    for (const r of before.resources.filter((x) => x.type === SERVER && x.parent === "workers")) {
      const now = mb.get(key(r))!;
      expect(now.inputs.serverType).toBe("cpx41");
      for (const replacing of ["image", "userData", "location", "sshKeys"]) expect({ [replacing]: now.inputs[replacing] }).toEqual({ [replacing]: r.inputs[replacing] });
    }
  });

  test("above the cloud slots: exit 2 naming both values and the way out", () => {
    expect(tooMany.code).toBe(2);
    const lines = tooMany.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config workerCount=91: /);
    expect(lines[0]).toContain("workerCapacity 100");
    expect(lines[0]).toContain("raise workerCapacity");
    expect(fs.existsSync(path.join(tooMany.dir, "plan.json"))).toBe(false);
  });
});

describe("each worker's user data (workerCapacity 1000)", () => {
  const workers = ["worker0001", "worker0002", "worker0003"];

  test("is at most 32 KiB", () => {
    for (const w of workers) {
      const size = fs.statSync(path.join(cap1000.dir, "hosts", w, "user-data")).size;
      expect({ w, size, fits: size <= HCLOUD_USER_DATA_MAX }).toEqual({ w, size, fits: true });
    }
  });

  test("passes cloud-init schema", () => {
    if (!requireTool("cloud-init")) return;
    for (const w of workers) {
      const r = cloudInitSchema(readUserData(cap1000.dir, w));
      expect({ w, out: r.stdout.trim().replace(/: .*/, ""), err: r.stderr, code: r.code }).toEqual({ w, out: "Valid cloud-config", err: "", code: 0 });
    }
  });

  test("boots the worker role, and its scripts pass shellcheck (the payload is the same on every worker)", () => {
    const uds = workers.map((w) => readUserData(cap1000.dir, w));
    for (const ud of uds) {
      expect(ud.doc.runcmd![1]).toEqual(["/usr/local/lib/oomerfarm/run-steps.sh", "worker"]);
      expect(ud.files.get("/var/lib/oomerfarm/payload.tgz")!.equals(uds[0].files.get("/var/lib/oomerfarm/payload.tgz")!)).toBe(true);
    }
    expect(uds[0].payload.has("/usr/local/lib/oomerfarm/steps/worker.steps")).toBe(true);
    if (!requireTool("shellcheck")) return;
    const { scripts, result } = shellcheckPayload(uds[0]);
    expect(scripts.length).toBeGreaterThan(5);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  test("holds its own Nebula key and no other host's", () => {
    const keys = readTree(path.join(cap1000.dir, "nebula"));
    const bodies = [...keys].filter(([f]) => f.endsWith(".key")).map(([f, pem]) => [f.slice(0, -4), pem.toString().split("\n")[1]] as const);
    expect(bodies).toHaveLength(1000 + 3);
    for (const w of workers) {
      const ud = readUserData(cap1000.dir, w);
      expect(ud.files.get("/etc/nebula/host.key")!.equals(keys.get(`${w}.key`)!)).toBe(true);
      // Every file it ships, decoded (and the raw text), searched for every other key of the farm.
      const haystack = [ud.text, ...[...ud.files.values()].map((b) => b.toString("latin1")), ...[...ud.payload.values()].map((f) => f.content.toString())].join("\n");
      const foreign = bodies.filter(([name, body]) => name !== w && haystack.includes(body)).map(([name]) => name);
      expect({ w, foreign }).toEqual({ w, foreign: [] });
    }
  });

  test("does not grow with workerCapacity: 10 vs 1000 slots differ by a few bytes at most", () => {
    for (const w of workers) {
      const small = fs.statSync(path.join(cap10.dir, "hosts", w, "user-data")).size;
      const large = fs.statSync(path.join(cap1000.dir, "hosts", w, "user-data")).size;
      expect({ w, delta: Math.abs(large - small) <= 8 }).toEqual({ w, delta: true });
    }
  });
});

test("raising workerCapacity (10 -> 100 -> 1000) leaves every existing certificate and key byte-identical", () => {
  const small = readTree(path.join(cap10.dir, "nebula"));
  expect(small.size).toBe(2 * (10 + 3) + 1); // .crt and .key for hub, boss, probe, 10 workers; ca.crt
  for (const larger of [two, cap1000]) {
    const big = readTree(path.join(larger.dir, "nebula"));
    expect([...small].filter(([f, bytes]) => !bytes.equals(big.get(f) ?? Buffer.alloc(0))).map(([f]) => f)).toEqual([]);
  }
});
