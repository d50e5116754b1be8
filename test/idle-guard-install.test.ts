// The idle guard's install script (sent over SSH by the Hub when idleMinutes > 0), what the
// guard makes of the config it writes, and the AWS permissions the offline plan gives the hub.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { idleGuardInstallScript, IDLE_GUARD_TOKEN_FILE } from "../cloud-init/idleGuardInstall";
import { unpackPayload } from "../cloud-init/payload";
import { idleGuardPolicy } from "../components/cloud/aws";
import { parseFarmConfig } from "../lib/config";
import { cleanupPlans, planOk, PlanJson, PlanResource, readPlan, ROOT, tempDir } from "./helpers/plan";
import { requireTool } from "./helpers/tools";

/** The lines the script writes to /etc/oomerfarm/idle-guard.env. */
function envLines(script: string): string[] {
  const m = /^printf '%s\\n' '([^']*)' > \/etc\/oomerfarm\/idle-guard\.env$/m.exec(script);
  if (!m) throw new Error("the script writes no idle-guard.env");
  return m[1].split("\n");
}

/** What guard.py's own config loader makes of those lines (the guard is the file's reader). */
function guardReads(lines: string[]): Record<string, unknown> {
  const dir = tempDir("idle-guard-env-");
  const file = path.join(dir, "idle-guard.env");
  fs.writeFileSync(file, lines.join("\n") + "\n", { mode: 0o600 });
  const py = "import json,sys; sys.path.insert(0, sys.argv[1]); import guard; print(json.dumps(guard.load_config(sys.argv[2], '/nonexistent')))";
  const r = spawnSync("python3", ["-c", py, path.join(ROOT, "idle-guard"), file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("idle guard install", () => {
  const script = idleGuardInstallScript("dev", 45, { cloud: "hcloud", token: "tok'en$" });

  test("is valid bash that writes the token 0600 and enables the timer", () => {
    expect(spawnSync("bash", ["-n"], { input: script }).status).toBe(0);
    expect(script).toContain(`printf '%s' 'tok'\\''en$' > ${IDLE_GUARD_TOKEN_FILE}`);
    expect(script).toContain(`chmod 0600 ${IDLE_GUARD_TOKEN_FILE}`);
    expect(script).toContain("systemctl enable --now oomerfarm-idle-guard.timer");
    expect(script).toContain("IDLE_MINUTES=45");
    expect(envLines(script)).toEqual(["CLOUD=hetzner", "FARM_NAME=dev", "IDLE_MINUTES=45", `HCLOUD_TOKEN_FILE=${IDLE_GUARD_TOKEN_FILE}`]);
  });

  test("on AWS it writes CLOUD=aws and the workers' regions, and no token", () => {
    const aws = idleGuardInstallScript("dev", 30, { cloud: "aws", regions: ["eu-central-1", "us-east-1", "eu-central-1"] });
    expect(spawnSync("bash", ["-n"], { input: aws }).status).toBe(0);
    expect(envLines(aws)).toEqual(["CLOUD=aws", "FARM_NAME=dev", "IDLE_MINUTES=30", "AWS_REGION=eu-central-1,us-east-1"]);
    expect(aws).not.toMatch(/HCLOUD|> \/etc\/oomerfarm\/secrets\//);
    // A token left from an earlier Hetzner set-up goes; the timer is enabled as on Hetzner.
    expect(aws).toContain(`rm -f ${IDLE_GUARD_TOKEN_FILE}`);
    expect(aws).toContain("systemctl enable --now oomerfarm-idle-guard.timer");
    expect(() => idleGuardInstallScript("dev", 30, { cloud: "aws", regions: [] })).toThrow("at least one region");
  });

  test("the guard accepts the config each script writes", () => {
    if (!requireTool("python3")) return;
    const aws = guardReads(envLines(idleGuardInstallScript("dev", 30, { cloud: "aws", regions: ["eu-central-1", "us-east-1"] })));
    expect([aws.CLOUD, aws.FARM_NAME, aws.IDLE_MINUTES, aws.AWS_REGION, aws.HCLOUD_TOKEN_FILE]).toEqual(["aws", "dev", 30, "eu-central-1,us-east-1", undefined]);
    const hz = guardReads(envLines(script));
    expect([hz.CLOUD, hz.IDLE_MINUTES, hz.HCLOUD_TOKEN_FILE]).toEqual(["hetzner", 45, IDLE_GUARD_TOKEN_FILE]);
  });

  test("carries the guard's code and units, and nothing else", () => {
    const b64 = /printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d/.exec(script)![1];
    const paths = unpackPayload(Buffer.from(b64, "base64")).map((f) => f.path);
    expect(paths).toContain("/usr/local/lib/oomerfarm/idle-guard/guard.py");
    expect(paths).toContain("/etc/systemd/system/oomerfarm-idle-guard.timer");
    expect(paths.some((p) => p.includes("/tests/"))).toBe(false);
  });

  test("config: the guard needs an open SSH, workers on the hub's cloud, and on Hetzner a token", () => {
    const cfg = (over: Record<string, string>) => () => parseFarmConfig((k) => over[k], "dev");
    expect(cfg({ idleMinutes: "30" })).toThrow("config idleGuardToken=: required when idleMinutes > 0: pulumi config set --secret idleGuardToken <Hetzner API token>");
    expect(cfg({ idleMinutes: "30", idleGuardToken: "t", sshAllowedCidrs: "[]" })).toThrow("config idleMinutes=30: the idle guard is installed over the hub's SSH; sshAllowedCidrs must not be empty");
    expect(cfg({ idleMinutes: "30", cloud: "aws", sshAllowedCidrs: "[]" })).toThrow("config idleMinutes=30: the idle guard is installed over the hub's SSH; sshAllowedCidrs must not be empty");
    expect(cfg({ idleMinutes: "30", cloud: "aws", workerPools: '[{"name":"a","slots":2},{"name":"h","cloud":"hcloud","location":"fsn1","slots":2}]' }))
      .toThrow("config idleMinutes=30: the idle guard runs on the hub (aws) and removes workers through aws only, but pool h is on hcloud; set 0 on farms whose workers span clouds");
    expect(parseFarmConfig((k) => ({ idleMinutes: "30", idleGuardToken: "t" } as Record<string, string>)[k], "dev").idleMinutes).toBe(30);
    // AWS: no token; the hub's instance role does the work, across the workers' regions.
    const aws = parseFarmConfig((k) => ({ idleMinutes: "30", cloud: "aws", workerPools: '[{"name":"a","slots":2},{"name":"b","location":"us-east-1","slots":2}]' } as Record<string, string>)[k], "dev");
    expect([aws.idleMinutes, aws.idleGuardToken, aws.pools.map((p) => `${p.cloud}:${p.location}`)]).toEqual([30, undefined, ["aws:eu-central-1", "aws:us-east-1"]]);
  });
});

describe("idle guard on AWS: the hub's instance role", () => {
  const STACK = ["--stack", "aws-example", "--seed", "s", "--show-secrets"];
  let on: PlanJson;
  let onDemand: PlanJson;
  let off: PlanJson;
  let hetzner: PlanJson;
  beforeAll(async () => {
    const runs = await Promise.all([
      planOk(["--seed", "s", "--show-secrets", "--set", "idleMinutes=30", "--set", "idleGuardToken=tok"]),
      planOk([...STACK, "--set", "idleMinutes=30"]),
      planOk([...STACK, "--set", "idleMinutes=30", "--set", "workerSpot=false", "--set", "location=us-east-1", "--set", "workerCount=1"]),
      planOk(STACK),
    ]);
    [hetzner, on, onDemand, off] = runs.map((r) => readPlan(r.dir));
  }, 120000);
  afterAll(cleanupPlans);

  const named = (p: PlanJson, name: string): PlanResource | undefined => p.resources.find((r) => r.name === name);
  const policyOf = (r: PlanResource) => JSON.parse(r.inputs.policy as string);

  test("gets a policy with exactly DescribeInstances, and Stop/Terminate on this farm's workers", () => {
    const policy = named(on, "hub-idle-guard-policy");
    expect(policy?.type).toBe("aws:iam/rolePolicy:RolePolicy");
    // Attached to the hub's role (the one that reads the hub's payload), not the workers'.
    expect(policy!.inputs.role).toBe(named(on, "hub-payload-read")!.inputs.role);
    expect(policy!.inputs.role).not.toBe(named(on, "workers-payload-read")!.inputs.role);
    expect(policyOf(policy!)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ListInstances", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
        {
          Sid: "StopOrTerminateThisFarmsWorkers",
          Effect: "Allow",
          Action: ["ec2:StopInstances", "ec2:TerminateInstances"],
          Resource: ["arn:aws:ec2:eu-central-1:*:instance/*"],
          Condition: { StringEquals: { "aws:ResourceTag/oomerfarm-farm": "aws-example", "aws:ResourceTag/oomerfarm-role": "worker" } },
        },
      ],
    });
    // The workers it may act on carry exactly those tags; the hub does not.
    const instances = on.resources.filter((r) => r.type === "aws:ec2/instance:Instance");
    const tagsOf = (r: PlanResource) => r.inputs.tags as Record<string, string>;
    expect(instances.filter((r) => tagsOf(r)["oomerfarm-role"] === "worker" && tagsOf(r)["oomerfarm-farm"] === "aws-example").map((r) => r.name).sort())
      .toEqual(["workers-worker0001", "workers-worker0002"]);
    expect(tagsOf(named(on, "hub-server")!)["oomerfarm-role"]).toBe("hub");
    // Follows the workers' region.
    expect(policyOf(named(onDemand, "hub-idle-guard-policy")!).Statement[1].Resource).toEqual(["arn:aws:ec2:us-east-1:*:instance/*"]);
  });

  test("the policy names every worker region, once", () => {
    expect((idleGuardPolicy("f", ["eu-central-1", "us-east-1", "eu-central-1"]) as { Statement: { Resource: unknown }[] }).Statement[1].Resource)
      .toEqual(["arn:aws:ec2:eu-central-1:*:instance/*", "arn:aws:ec2:us-east-1:*:instance/*"]);
  });

  test("the hub-idle-guard command installs the AWS flavour, with the region", () => {
    const cmd = named(on, "hub-idle-guard");
    expect(cmd?.type).toBe("command:remote:Command");
    const create = cmd!.inputs.create as string;
    expect(envLines(create)).toEqual(["CLOUD=aws", "FARM_NAME=aws-example", "IDLE_MINUTES=30", "AWS_REGION=eu-central-1"]);
    expect(cmd!.inputs.triggers).toEqual([30, expect.any(String), "eu-central-1"]);
  });

  test("on-demand workers get a kept power state (so refresh + up starts them); spot workers do not", () => {
    const states = (p: PlanJson) => p.resources.filter((r) => r.type === "aws:ec2transitgateway/instanceState:InstanceState");
    expect(states(on)).toEqual([]);
    expect(states(onDemand).map((r) => [r.name, r.inputs.state])).toEqual([["workers-worker0001-running", "running"]]);
  });

  test("Hetzner farms keep the token flavour and their triggers", () => {
    const cmd = named(hetzner, "hub-idle-guard")!;
    expect(envLines(cmd.inputs.create as string)).toEqual(["CLOUD=hetzner", "FARM_NAME=dev", "IDLE_MINUTES=30", `HCLOUD_TOKEN_FILE=${IDLE_GUARD_TOKEN_FILE}`]);
    expect(cmd.inputs.create).toContain(`printf '%s' 'tok' > ${IDLE_GUARD_TOKEN_FILE}`);
    expect(cmd.inputs.triggers).toEqual([30, expect.any(String)]);
    expect(hetzner.resources.some((r) => r.type.startsWith("aws:"))).toBe(false);
  });

  test("with the guard off: no policy, no command, no power state", () => {
    expect(off.resources.filter((r) => /idle-guard|InstanceState/.test(`${r.name} ${r.type}`))).toEqual([]);
    expect(off.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").map((r) => r.name).sort()).toEqual(["hub-payload-read", "workers-payload-read"]);
  });
});
