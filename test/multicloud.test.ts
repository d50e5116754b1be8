// A farm across clouds (Pulumi.mixed-example.yaml: hub + steady pool on Hetzner, spot pool on
// AWS) through the offline plan: what each cloud gets, that growing one pool leaves every other
// resource byte-identical, and the errors for bad pool layouts.
import * as crypto from "crypto";
import { PAYLOAD_PATH } from "../cloud-init/payload";
import { AWS_USER_DATA_LIMIT } from "../components/cloud/awsBoot";
import { onDemandHourly } from "../lib/pricing";
import { cleanupPlans, planOk, PlanJson, readPlan, readUserData, runPlan } from "./helpers/plan";

const STACK = ["--stack", "mixed-example", "--seed", "mixed-test", "--show-secrets"];
const POOLS = [
  { name: "steady", cloud: "hcloud", location: "fsn1", serverType: "cpx51", count: 2, slots: 20 },
  { name: "burst", cloud: "aws", location: "eu-central-1", serverType: "c6a.8xlarge", count: 4, slots: 50, spot: true, spotMaxPrice: 1.2 },
];
const withPools = (pools: unknown[]) => [...STACK, "--set", `workerPools=${JSON.stringify(pools)}`];

let base: { dir: string; plan: PlanJson };
let burstUp: PlanJson;
let steadyUp: PlanJson;

beforeAll(async () => {
  const [a, b, c] = await Promise.all([
    planOk(STACK),
    planOk(withPools([POOLS[0], { ...POOLS[1], count: 5 }])),
    planOk(withPools([{ ...POOLS[0], count: 3 }, POOLS[1]])),
  ]);
  base = { dir: a.dir, plan: readPlan(a.dir) };
  burstUp = readPlan(b.dir);
  steadyUp = readPlan(c.dir);
}, 120000);
afterAll(cleanupPlans);

const byName = (p: PlanJson) => new Map(p.resources.map((r) => [r.name, r]));

describe("mixed farm: hub + steady pool on Hetzner, spot pool on AWS", () => {
  test("each pool on its own cloud, with its own slot range", () => {
    const count = (prefix: string) => base.plan.resources.filter((r) => r.type.startsWith(prefix)).length;
    const instances = base.plan.resources.filter((r) => r.type === "aws:ec2/instance:Instance").map((r) => r.name);
    const servers = base.plan.resources.filter((r) => r.type === "hcloud:index/server:Server").map((r) => r.name);
    expect(servers.sort()).toEqual(["hub-server", "steady-worker0001", "steady-worker0002"]);
    expect(instances.sort()).toEqual(["burst-worker0021", "burst-worker0022", "burst-worker0023", "burst-worker0024"]);
    // No AWS hub parts: no Elastic IP, no EBS volume; one network, bucket and key pair for the region.
    expect(count("aws:ec2/eip")).toBe(0);
    expect(count("aws:ebs/")).toBe(0);
    expect(count("aws:ec2/vpc:")).toBe(1);
    expect(count("aws:s3/bucket:")).toBe(1);
    expect(count("aws:ec2/keyPair")).toBe(1);
    expect(count("aws:ec2/securityGroup")).toBe(1);
    expect(count("hcloud:index/firewall")).toBe(2);
    const workers = base.plan.outputs.workers as Array<{ name: string; pool: string }>;
    expect(workers.map((w) => `${w.pool}/${w.name}`)).toEqual([
      "steady/worker0001", "steady/worker0002", "burst/worker0021", "burst/worker0022", "burst/worker0023", "burst/worker0024",
    ]);
  });

  test("the AWS pool: spot with the configured cap, Nebula-only security group, IMDSv2, encrypted roots", () => {
    const sg = base.plan.resources.find((r) => r.name === "burst-sg")!;
    expect(sg.inputs.ingress).toEqual([{ protocol: "udp", fromPort: 42042, toPort: 42042, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: "Nebula" }]);
    for (const r of base.plan.resources.filter((x) => x.type === "aws:ec2/instance:Instance")) {
      expect(r.inputs.instanceMarketOptions).toEqual({ marketType: "spot", spotOptions: { spotInstanceType: "one-time", instanceInterruptionBehavior: "terminate", maxPrice: "1.2" } });
      expect(r.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
      expect((r.inputs.rootBlockDevice as Record<string, unknown>).encrypted).toBe(true);
      expect((r.inputs.tags as Record<string, string>)["oomerfarm-pool"]).toBe("burst");
    }
    expect(1.2).toBeLessThanOrEqual(onDemandHourly("aws", "eu-central-1", "c6a.8xlarge")!);
  });

  test("AWS workers get <= 16 KB of user data that reaches the Hetzner hub; Hetzner hosts keep the whole cloud-config", () => {
    const hubIp = base.plan.outputs.hubPublicIp as string;
    for (const host of ["worker0021", "worker0024"]) {
      const ud = readUserData(base.dir, host);
      expect(ud.raw.length).toBeLessThanOrEqual(AWS_USER_DATA_LIMIT);
      expect(ud.files.has(PAYLOAD_PATH)).toBe(false);
      expect(ud.files.get("/etc/nebula/config.yml")!.toString()).toContain(`${hubIp}:42042`);
    }
    for (const host of ["hub", "worker0001"]) {
      const ud = readUserData(base.dir, host);
      expect(ud.raw[0]).not.toBe(0x1f);
      expect(ud.files.has(PAYLOAD_PATH)).toBe(true);
    }
  });

  test("the AWS pool's S3 payload is byte for byte the one a Hetzner worker carries inline", () => {
    const inline = readUserData(base.dir, "worker0001").files.get(PAYLOAD_PATH)!;
    const object = base.plan.resources.find((r) => r.name === "burst-payload")!.inputs;
    const s3 = Buffer.from(object.contentBase64 as string, "base64");
    expect(s3.equals(inline)).toBe(true);
    expect(object.key).toBe(`boot/burst/${crypto.createHash("sha256").update(s3).digest("hex")}.tgz`);
  });
});

describe("mixed farm: scaling one pool touches nothing else", () => {
  const compare = (before: PlanJson, after: PlanJson) => {
    const a = byName(before);
    const b = byName(after);
    for (const [name, r] of a) {
      expect(b.has(name)).toBe(true);
      expect({ name, type: b.get(name)!.type, parent: b.get(name)!.parent, inputs: b.get(name)!.inputs }).toEqual({ name, type: r.type, parent: r.parent, inputs: r.inputs });
    }
    return [...b.keys()].filter((n) => !a.has(n));
  };

  test("burst 4 -> 5 adds one EC2 instance in slot 21+4 and leaves the hub and the steady pool identical", () => {
    expect(compare(base.plan, burstUp)).toEqual(["burst-worker0025"]);
    expect(byName(burstUp).get("burst-worker0025")!.type).toBe("aws:ec2/instance:Instance");
  });

  test("steady 2 -> 3 adds one Hetzner server and leaves the hub and the AWS pool identical", () => {
    expect(compare(base.plan, steadyUp)).toEqual(["steady-worker0003"]);
    expect(byName(steadyUp).get("steady-worker0003")!.type).toBe("hcloud:index/server:Server");
  });
});

describe("mixed farm: bad pool layouts stop the plan with one line (exit 2)", () => {
  const fails = async (pools: unknown[], pattern: RegExp) => {
    const r = await runPlan(withPools(pools));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(pattern);
  };

  test("two pools with the same name", () =>
    fails([POOLS[0], { ...POOLS[1], name: "steady" }], /^config workerPools\[1\]\.name=steady: two pools with the same name/));

  test("pool slot ranges above workerCapacity", () =>
    fails([POOLS[0], { ...POOLS[1], slots: 81 }], /^config workerPools\[1\]\.slots=81: pools reserve slots 1-101 but workerCapacity is 100; raise workerCapacity$/));

  test("an unknown region in one pool", () =>
    fails([POOLS[0], { ...POOLS[1], location: "fsn1" }], /^config workerPools\[1\]\.location=fsn1: unknown AWS region; allowed: /));

  test("an existing VPC/subnet (one region) with AWS pools in two regions", async () => {
    const r = await runPlan([...withPools([POOLS[0], POOLS[1], { ...POOLS[1], name: "burst-us", location: "us-east-1", slots: 10 }]),
      "--set", "awsVpcId=vpc-0123456789abcdef0", "--set", "awsSubnetId=subnet-0123456789abcdef0"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^config awsSubnetId=subnet-0123456789abcdef0: names one subnet, in one region, but this farm's AWS hosts use eu-central-1 and us-east-1;[^\n]*$/);
  });

  test("a spot cap above on-demand in the long form names the pool's key", async () => {
    const price = onDemandHourly("aws", "eu-central-1", "c6a.8xlarge")!;
    await fails([POOLS[0], { ...POOLS[1], spotMaxPrice: 9.5 }],
      new RegExp(`^config workerPools\\[1\\]\\.spotMaxPrice=9\\.5: above the on-demand price of c6a\\.8xlarge in eu-central-1 \\(${String(price).replace(".", "\\.")} USD/h\\)`));
  });
});
