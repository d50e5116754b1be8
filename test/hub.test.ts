// The hub as the offline plan renders it (issue 3), checked with the real tools: its user data
// passes cloud-init's schema and fits Hetzner's 32 KiB, every shipped script passes shellcheck,
// smb.conf passes testparm, the Nebula configs pass `nebula -test` with the plan's certificates.
// Plus the cloud resources (one hub server, exact firewall rules) and no secret in plan.json.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { cloudInitSchema, HCLOUD_USER_DATA_MAX, nebulaTest, shellcheckPayload } from "./helpers/checks";
import { cleanupPlans, planOk, PlanJson, PlanRun, readPlan, readTree, readUserData, runPlan, tempDir, UserData } from "./helpers/plan";
import { requireTool, run } from "./helpers/tools";

const SSH_CIDRS = ["203.0.113.4/32", "2001:db8::/64"];
const NEBULA_PORT = 4243;
const CONFIG = ["--seed", "hub-test", "--set", `sshAllowedCidrs=${JSON.stringify(SSH_CIDRS)}`, "--set", `nebulaPort=${NEBULA_PORT}`];

let secret: PlanRun;
let open: PlanRun;
let plan: PlanJson;
let hub: UserData;
let worker: UserData;
const bad: Record<string, PlanRun> = {};
const BAD: Record<string, { args: string[]; message: string }> = {
  image: { args: ["--set", "image=windows-11"], message: "config image=windows-11: allowed: alma-8, alma-9, rocky-8, rocky-9, ubuntu-22.04, ubuntu-24.04" },
  cidr: { args: ["--set", 'sshAllowedCidrs=["203.0.113.4/32","198.51.100.0/33"]'], message: "config sshAllowedCidrs=198.51.100.0/33: not a CIDR (prefix length above 32); use e.g. 203.0.113.4/32 or 2001:db8::/64" },
  location: { args: ["--set", "location=fra1"], message: "config location=fra1: unknown Hetzner location; allowed: fsn1, nbg1, hel1, ash, hil, sin" },
};

beforeAll(async () => {
  const runs = await Promise.all([planOk([...CONFIG, "--show-secrets"]), planOk(CONFIG), ...Object.values(BAD).map((b) => runPlan(b.args))]);
  [secret, open] = runs;
  Object.keys(BAD).forEach((k, i) => (bad[k] = runs[2 + i]));
  plan = readPlan(open.dir);
  hub = readUserData(secret.dir, "hub");
  worker = readUserData(secret.dir, "worker0001");
});
afterAll(cleanupPlans);

describe("the hub's user data", () => {
  test("is a #cloud-config that boots the hub role: payload unpacked, then run-steps.sh hub", () => {
    expect(hub.text.startsWith("#cloud-config\n")).toBe(true);
    expect(hub.doc.hostname).toBe("dev-hub");
    expect(hub.doc.runcmd).toEqual([["tar", "-xzf", "/var/lib/oomerfarm/payload.tgz", "-C", "/", "--no-same-owner"], ["/usr/local/lib/oomerfarm/run-steps.sh", "hub"]]);
    const steps = hub.payload.get("/usr/local/lib/oomerfarm/steps/hub.steps")!.content.toString().split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    expect(steps.length).toBeGreaterThan(5);
    for (const s of steps) expect(hub.payload.has(`/usr/local/lib/oomerfarm/steps/${s}.sh`)).toBe(true);
    expect(hub.payload.has("/usr/local/lib/oomerfarm/run-steps.sh")).toBe(true);
  });

  test("passes cloud-init schema", () => {
    if (!requireTool("cloud-init")) return;
    const r = cloudInitSchema(hub);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Valid cloud-config: /);
    expect(r.code).toBe(0);
  });

  test("cloud-init schema does catch a broken copy (the validator is not a no-op)", () => {
    if (!requireTool("cloud-init")) return;
    const broken = { ...hub, text: hub.text.replace("ssh_pwauth: false", "ssh_pwauth: [not, a, boolean]") };
    expect(broken.text).not.toBe(hub.text);
    expect(cloudInitSchema(broken).code).not.toBe(0);
  });

  test(`is at most 32 KiB (Hetzner's limit)`, () => {
    expect(hub.raw.length).toBeLessThanOrEqual(HCLOUD_USER_DATA_MAX);
  });

  test("every shipped script passes shellcheck; every shipped Python file compiles", () => {
    if (!requireTool("shellcheck")) return;
    const { scripts, result } = shellcheckPayload(hub);
    expect(scripts).toEqual(expect.arrayContaining(["/usr/local/lib/oomerfarm/run-steps.sh", "/usr/local/lib/oomerfarm/lib.sh", "/usr/local/lib/oomerfarm/steps/40-samba.sh"]));
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
    if (!requireTool("python3")) return;
    const dir = tempDir("py");
    for (const f of [...hub.payload.values()].filter((x) => x.path.endsWith(".py"))) {
      const file = path.join(dir, path.basename(f.path));
      fs.writeFileSync(file, f.content);
      const r = run("python3", ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", file]);
      expect({ file: f.path, err: r.stderr }).toEqual({ file: f.path, err: "" });
    }
  });

  test("smb.conf passes testparm -s: overlay-only, SMB3, both shares", () => {
    if (!requireTool("testparm")) return;
    const file = path.join(tempDir("smb"), "smb.conf");
    fs.writeFileSync(file, hub.files.get("/etc/samba/smb.conf")!);
    const r = run("testparm", ["-s", file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Loaded services file OK.");
    expect(r.stderr).not.toMatch(/unknown parameter|ignoring|error/i);
    const effective = r.stdout.replace(/\t/g, "");
    expect(effective).toContain("interfaces = 10.87.0.1/16");
    expect(effective).toContain("bind interfaces only = Yes");
    expect(effective).toContain("server min protocol = SMB3");
    expect(effective).toMatch(/\[DeadlineRepository10\]\n(.+\n)*?path = \/mnt\/DeadlineRepository10\n/);
    expect(effective).toMatch(/\[oomerfarm\]\n(.+\n)*?path = \/mnt\/oomerfarm\n/);
    expect(effective).toContain("valid users = oomerfarm");
  });

  test("the shipped Nebula certificates are the plan's", () => {
    expect(hub.files.get("/etc/nebula/ca.crt")!.toString()).toBe(fs.readFileSync(path.join(secret.dir, "nebula/ca.crt"), "utf8"));
    expect(hub.files.get("/etc/nebula/host.crt")!.toString()).toBe(fs.readFileSync(path.join(secret.dir, "nebula/hub.crt"), "utf8"));
    expect(hub.files.get("/etc/nebula/host.key")!.toString()).toBe(fs.readFileSync(path.join(secret.dir, "nebula/hub.key"), "utf8"));
    expect(worker.files.get("/etc/nebula/host.crt")!.toString()).toBe(fs.readFileSync(path.join(secret.dir, "nebula/worker0001.crt"), "utf8"));
  });

  test("the hub's Nebula config passes nebula -test with its real certificates: a lighthouse on nebulaPort", () => {
    const conf = parse(hub.files.get("/etc/nebula/config.yml")!.toString());
    expect(conf.lighthouse.am_lighthouse).toBe(true);
    expect(conf.listen.port).toBe(NEBULA_PORT);
    if (!requireTool("nebula")) return;
    const r = nebulaTest(hub);
    expect(r.stdout + r.stderr).not.toMatch(/level=(error|fatal)/);
    expect(r.code).toBe(0);
  });

  test("a worker's Nebula config passes nebula -test: the hub as lighthouse at its public address", () => {
    const conf = parse(worker.files.get("/etc/nebula/config.yml")!.toString());
    expect(conf.lighthouse).toMatchObject({ am_lighthouse: false, hosts: ["10.87.0.1"] });
    const hubIp = (plan.outputs.hubPublicIp as string);
    expect(conf.static_host_map).toEqual({ "10.87.0.1": [`${hubIp}:${NEBULA_PORT}`] });
    if (!requireTool("nebula")) return;
    const r = nebulaTest(worker);
    expect(r.stdout + r.stderr).not.toMatch(/level=(error|fatal)/);
    expect(r.code).toBe(0);
  });

  test("nebula -test refuses the hub's config with another host's key (the check is real)", () => {
    if (!requireTool("nebula")) return;
    const r = nebulaTest(hub, { "host.key": fs.readFileSync(path.join(secret.dir, "nebula/worker0001.key")) });
    expect(r.code).not.toBe(0);
  });
});

describe("the hub's cloud resources", () => {
  const servers = () => plan.resources.filter((r) => r.type === "hcloud:index/server:Server");
  const rules = (name: string) => (plan.resources.find((r) => r.type === "hcloud:index/firewall:Firewall" && r.name === name)!.inputs.rules as Array<Record<string, unknown>>)
    .map(({ direction, protocol, port, sourceIps }) => ({ direction, protocol, port, sourceIps }));

  test("exactly one hub server (hcloud:index/server:Server), besides one per worker", () => {
    const hubs = servers().filter((r) => r.parent === "hub");
    expect(hubs.map((r) => r.name)).toEqual(["hub-server"]);
    expect(servers().filter((r) => r.parent !== "hub").map((r) => r.name).sort()).toEqual(["workers-worker0001", "workers-worker0002"]);
    expect(hubs[0].inputs).toMatchObject({ name: "dev-hub", image: "alma-8", serverType: "cx22", location: "fsn1", userData: "[secret]" });
  });

  test("the hub's firewall: UDP nebulaPort from anywhere and TCP 22 from sshAllowedCidrs, nothing else", () => {
    expect(rules("hub-firewall")).toEqual([
      { direction: "in", protocol: "udp", port: String(NEBULA_PORT), sourceIps: ["0.0.0.0/0", "::/0"] },
      { direction: "in", protocol: "tcp", port: "22", sourceIps: SSH_CIDRS },
    ]);
  });

  test("the workers' firewall: UDP nebulaPort only", () => {
    expect(rules("workers-firewall")).toEqual([{ direction: "in", protocol: "udp", port: String(NEBULA_PORT), sourceIps: ["0.0.0.0/0", "::/0"] }]);
  });

  test("a stable primary IP that outlives the server, and a kept data volume", () => {
    const ip = plan.resources.find((r) => r.type === "hcloud:index/primaryIp:PrimaryIp")!;
    expect(ip.inputs).toMatchObject({ type: "ipv4", autoDelete: false, location: "fsn1" });
    const volume = plan.resources.find((r) => r.type === "hcloud:index/volume:Volume")!;
    expect(volume.inputs).toMatchObject({ deleteProtection: true, location: "fsn1" });
  });
});

describe("plan.json without --show-secrets holds no private key or password", () => {
  test("no PEM private key, no Nebula key, no password or passphrase, no user data, no key files", () => {
    const text = fs.readFileSync(path.join(open.dir, "plan.json"), "utf8");
    const withSecrets = readPlan(secret.dir);
    const shown = fs.readFileSync(path.join(secret.dir, "plan.json"), "utf8");
    const secretValues: Record<string, string> = {
      sambaPassword: withSecrets.outputs.sambaPassword as string,
      pfxPassphrase: (withSecrets.outputs.deadlineClientCertificate as { passphrase: string }).passphrase,
      pfx: (withSecrets.outputs.deadlineClientCertificate as { pkcs12Base64: string }).pkcs12Base64.slice(0, 64),
      mongodbAdmin: hub.files.get("/etc/oomerfarm/secrets/mongodb-admin.password")!.toString(),
      mongodbDeadline: hub.files.get("/etc/oomerfarm/secrets/mongodb-deadline.password")!.toString(),
      hubNebulaKey: hub.files.get("/etc/nebula/host.key")!.toString().split("\n")[1],
      workerNebulaKey: worker.files.get("/etc/nebula/host.key")!.toString().split("\n")[1],
      mongodbServerKey: hub.files.get("/etc/oomerfarm/secrets/mongodb-server.pem")!.toString().split("PRIVATE KEY-----")[1].trim().slice(0, 64),
      sshPrivateKey: (withSecrets.outputs.sshPrivateKey as string).split("\n")[1],
    };
    for (const [what, value] of Object.entries(secretValues)) {
      expect({ what, length: value.length >= 16 }).toEqual({ what, length: true });
      expect({ what, leaked: text.includes(value) }).toEqual({ what, leaked: false });
      // The same config with --show-secrets does hold it in plain text (so the search can find what it
      // looks for), except the two that travel gzipped inside the user data.
      if (what !== "pfx" && what !== "mongodbServerKey") expect({ what, shown: shown.includes(JSON.stringify(value).slice(1, -1)) }).toEqual({ what, shown: true });
    }
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(text).not.toMatch(/#cloud-config/);
    expect([...readTree(open.dir).keys()].filter((f) => f.endsWith(".key") || f.startsWith("hosts/"))).toEqual([]);
  });
});

describe("bad input: a clear one-line error and exit 2", () => {
  test.each(Object.keys(BAD))("%s", (key) => {
    const r = bad[key];
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${BAD[key].message}\n`);
    expect(fs.existsSync(path.join(r.dir, "plan.json"))).toBe(false);
  });
});

describe("the farm's SSH key on Hetzner", () => {
  // Hetzner refuses two keys with one fingerprint in a project: hub and pools share one.
  test("one key for the hub and every Hetzner pool, used by every server", async () => {
    const pools = [
      { name: "steady", cloud: "hcloud", serverType: "cpx31", count: 1, slots: 5 },
      { name: "burst", cloud: "hcloud", serverType: "cpx51", count: 2, slots: 5 },
    ];
    const run = await planOk(["--stack", "mixed-example", "--seed", "one-key", "--set", `workerPools=${JSON.stringify(pools)}`]);
    const resources = readPlan(run.dir).resources;
    const keys = resources.filter((r) => r.type === "hcloud:index/sshKey:SshKey");
    expect(keys.map((k) => k.name)).toEqual(["hcloud-ssh"]);
    const servers = resources.filter((r) => r.type === "hcloud:index/server:Server");
    expect(servers).toHaveLength(4);
    const keyIds = new Set(servers.map((s) => JSON.stringify(s.inputs.sshKeys)));
    expect(keyIds.size).toBe(1);
  });
});
