// The offline plan command's contract (tools/plan.ts, `npm run plan`): seeded plans are
// byte-identical and different seeds differ, --set overrides the stack file, expiring
// certificates are warned about, and invalid config exits 2 with one line and no plan.json.
import * as fs from "fs";
import * as path from "path";
import { cleanupPlans, planOk, PlanRun, readPlan, readTree, runPlan } from "./helpers/plan";

/** A seeded plan issues its certificates at 2026-01-01T00:00:00Z (tools/plan/mocks.ts). */
const SEEDED_ISSUED_AT_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 86400000;
const daysSinceSeededIssue = Math.floor((Date.now() - SEEDED_ISSUED_AT_MS) / DAY_MS);
/** A validity that ends about 10 days from now: inside the 30-day warning window. */
const EXPIRING_DAYS = Math.max(30, daysSinceSeededIssue + 10);

let same1: PlanRun;
let same2: PlanRun;
let other: PlanRun;
let overridden: PlanRun;
let expiring: PlanRun;
const bad: Record<string, PlanRun> = {};

const BAD_RUNS: Record<string, string[]> = {
  image: ["--set", "image=debian-12"],
  unknownKey: ["--set", "workercount=3"],
  capacity: ["--set", "vpnCidr=10.87.0.0/24", "--set", "workerCapacity=200"],
  usage: ["--seed"],
};

beforeAll(async () => {
  const runs = await Promise.all([
    planOk(["--seed", "plan-test", "--show-secrets"]),
    planOk(["--seed", "plan-test", "--show-secrets"]),
    planOk(["--seed", "plan-test-2", "--show-secrets"]),
    // Pulumi.dev.yaml says workerCount 2 and location fsn1.
    planOk(["--seed", "plan-test", "--set", "workerCount=1", "--set", "oomerfarm:location=hel1"]),
    planOk(["--seed", "plan-test", "--set", `certValidityDays=${EXPIRING_DAYS}`]),
    ...Object.values(BAD_RUNS).map((args) => runPlan(args)),
  ]);
  [same1, same2, other, overridden, expiring] = runs;
  Object.keys(BAD_RUNS).forEach((k, i) => (bad[k] = runs[5 + i]));
});
afterAll(cleanupPlans);

describe("plan.json and the files", () => {
  test("plan.json holds resources {type, name, parent, inputs}, outputs and warnings; stdout says what was written", () => {
    const plan = readPlan(same1.dir);
    expect(Object.keys(plan).sort()).toEqual(["outputs", "resources", "warnings"]);
    for (const r of plan.resources) expect(Object.keys(r).sort()).toEqual(["inputs", "name", "parent", "type"]);
    expect(plan.resources.filter((r) => r.type === "hcloud:index/server:Server").map((r) => r.name).sort()).toEqual(["hub-server", "workers-worker0001", "workers-worker0002"]);
    expect(plan.outputs).toMatchObject({ farm: "dev", hubOverlayAddress: "10.87.0.1" });
    expect(same1.stdout).toMatch(new RegExp(`^plan: ${plan.resources.length} resources, 103 certificates -> ${same1.dir} \\(with secrets\\)\\n$`));
  });

  test("certificates for every host, keys and user data only with --show-secrets", () => {
    const withSecrets = [...readTree(same1.dir).keys()];
    expect(withSecrets).toEqual(expect.arrayContaining(["plan.json", "nebula/ca.crt", "nebula/hub.crt", "nebula/hub.key", "nebula/worker0100.key", "hosts/hub/user-data", "hosts/worker0002/user-data"]));
    expect(withSecrets.filter((f) => f.startsWith("hosts/")).sort()).toEqual(["hosts/hub/user-data", "hosts/worker0001/user-data", "hosts/worker0002/user-data"]);
    const without = [...readTree(overridden.dir).keys()];
    expect(without.filter((f) => f.endsWith(".key") || f.startsWith("hosts/"))).toEqual([]);
    expect(without.filter((f) => f.endsWith(".crt"))).toHaveLength(104);
  });
});

describe("seeds", () => {
  test("two plans with one seed write byte-identical files (plan.json and every other file)", () => {
    const a = readTree(same1.dir);
    const b = readTree(same2.dir);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const differing = [...a].filter(([f, bytes]) => !bytes.equals(b.get(f)!)).map(([f]) => f);
    expect(differing).toEqual([]);
    expect(a.size).toBeGreaterThan(200);
  });

  test("a different seed changes every key, certificate, secret and user data, but not the shape", () => {
    const a = readTree(same1.dir);
    const b = readTree(other.dir);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const unchanged = [...a].filter(([f, bytes]) => f !== "plan.json" && bytes.equals(b.get(f)!)).map(([f]) => f);
    expect(unchanged).toEqual([]);
    expect(a.get("plan.json")!.equals(b.get("plan.json")!)).toBe(false);
    const pa = readPlan(same1.dir);
    const pb = readPlan(other.dir);
    expect(pb.resources.map((r) => `${r.type} ${r.name}`)).toEqual(pa.resources.map((r) => `${r.type} ${r.name}`));
    expect(pb.outputs.sambaPassword).not.toEqual(pa.outputs.sambaPassword);
  });
});

describe("--set", () => {
  test("overrides the stack file, like pulumi config set (bare and project-qualified keys)", () => {
    const servers = readPlan(overridden.dir).resources.filter((r) => r.type === "hcloud:index/server:Server");
    expect(servers.map((s) => s.name).sort()).toEqual(["hub-server", "workers-worker0001"]);
    for (const s of servers) expect(s.inputs.location).toBe("hel1");
    // ...and nothing else of the stack file changed: the dev stack's server types stay.
    expect(servers.find((s) => s.name === "hub-server")!.inputs.serverType).toBe("cx22");
    expect(servers.find((s) => s.name === "workers-worker0001")!.inputs.serverType).toBe("cpx51");
  });

  test("without --show-secrets, secret inputs and outputs are '[secret]'", () => {
    const plan = readPlan(overridden.dir);
    const hub = plan.resources.find((r) => r.name === "hub-server")!;
    expect(hub.inputs.userData).toBe("[secret]");
    expect(plan.outputs.sambaPassword).toBe("[secret]");
    expect(plan.outputs.sshPrivateKey).toBe("[secret]");
  });
});

describe("certificate expiry warning", () => {
  test(`certValidityDays=${EXPIRING_DAYS} (ends ~10 days from today): warned on stderr and in plan.json`, () => {
    const expiry = new Date(SEEDED_ISSUED_AT_MS + EXPIRING_DAYS * DAY_MS).toISOString();
    const plan = readPlan(expiring.dir);
    expect(plan.warnings).toHaveLength(1);
    const w = plan.warnings[0];
    expect(w).toMatch(new RegExp(`^certificates expire on ${expiry.replace(/\./g, "\\.")} \\(in \\d+ days\\): bump pkiGeneration to reissue the batch$`));
    const days = Number(/in (\d+) days/.exec(w)![1]);
    expect(days).toBeLessThan(30);
    expect(days).toBeGreaterThanOrEqual(Math.max(0, Math.floor((Date.parse(expiry) - Date.now()) / DAY_MS) - 1));
    expect(expiring.stderr).toBe(`warning: ${w}\n`);
    expect(expiring.code).toBe(0);
  });

  test("the default validity (730 days from 2026-01-01) warns only within 30 days of 2028-01-01", () => {
    const daysLeft = (Date.UTC(2028, 0, 1) - Date.now()) / DAY_MS;
    expect(readPlan(same1.dir).warnings.length > 0).toBe(daysLeft < 30);
    if (daysLeft >= 30) expect(same1.stderr).toBe("");
  });
});

describe("invalid config: exit 2, one line on stderr, no stack trace, no plan.json", () => {
  test.each([
    ["image", "config image=debian-12: allowed: alma-8, alma-9, rocky-8, rocky-9, ubuntu-22.04, ubuntu-24.04"],
    ["unknownKey", /^config workercount=3: unknown setting \(did you mean workerCount\?\); known: cloud, location, /],
    ["capacity", "config workerCapacity=200: 10.87.0.0/24 holds at most 155 worker slots, not 200; use a larger vpnCidr or a smaller workerCapacity"],
    ["usage", /^--seed needs a value; usage: npm run plan -- --out DIR /],
  ] as Array<[string, string | RegExp]>)("%s", (key, message) => {
    const r = bad[key];
    expect(r.code).toBe(2);
    expect(r.stderr.endsWith("\n")).toBe(true);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    if (typeof message === "string") expect(lines[0]).toBe(message);
    else expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
    expect(r.stdout).toBe("");
    expect(fs.existsSync(path.join(r.dir, "plan.json"))).toBe(false);
    expect(fs.readdirSync(r.dir)).toEqual([]);
  });
});
