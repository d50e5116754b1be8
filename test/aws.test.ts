// The AWS backend through the offline plan (the real program under mocks): resources, security
// groups, IMDSv2, encryption, spot, user data within EC2's 16 KB, and the payload the hosts
// fetch from S3, run for real against a fake IMDS + S3 that checks the SigV4 signature.
import { parseFarmConfig } from "../lib/config";
import { spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import * as zlib from "zlib";
import { unpackPayload } from "../cloud-init/payload";
import { AWS_USER_DATA_LIMIT, FETCH_DIR } from "../components/cloud/awsBoot";
import { AMI_LOOKUPS, amiQuery } from "../components/cloud/awsImages";
import { vpcCidrFor } from "../components/cloud/awsRegion";
import { checkSpotPrice } from "../components/cloud/awsSpot";
import { IMAGES } from "../lib/config";
import { onDemandHourly } from "../lib/pricing";
import { cleanupPlans, planOk, PlanJson, PlanResource, readPlan, readUserData, ROOT, runPlan, tempDir, UserData } from "./helpers/plan";
import { cloudInitSchema } from "./helpers/checks";
import { requireTool } from "./helpers/tools";

const STACK = ["--stack", "aws-example", "--seed", "aws-test", "--show-secrets"];
let dir: string;
let plan: PlanJson;
let onDemandDir: string;
let onDemand: PlanJson;
let existing: PlanJson;
const VPC = "vpc-0123456789abcdef0";
const SUBNET = "subnet-0123456789abcdef0";

const ofType = (p: PlanJson, type: string) => p.resources.filter((r) => r.type === `aws:${type}`);
const one = (p: PlanJson, name: string): PlanResource => {
  const r = p.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  return r;
};

beforeAll(async () => {
  const [a, b, c] = await Promise.all([
    planOk(STACK),
    planOk([...STACK, "--set", "workerSpot=false", "--set", "image=ubuntu-24.04", "--set", "workerCount=1",
      "--set", 'sshAllowedCidrs=["203.0.113.4/32","2001:db8::/64"]', "--set", "location=us-east-1"]),
    planOk([...STACK, "--set", `awsVpcId=${VPC}`, "--set", `awsSubnetId=${SUBNET}`]),
  ]);
  existing = readPlan(c.dir);
  dir = a.dir;
  plan = readPlan(dir);
  onDemandDir = b.dir;
  onDemand = readPlan(onDemandDir);
}, 120000);
afterAll(cleanupPlans);

describe("aws plan: resources", () => {
  test("types and counts of the default AWS farm (hub + 2 spot workers)", () => {
    const counts: Record<string, number> = {};
    for (const r of plan.resources) if (r.type.startsWith("aws:") || r.type.startsWith("pulumi:providers")) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "pulumi:providers:aws": 1,
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/subnet:Subnet": 1,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/routeTable:RouteTable": 1,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:ec2/keyPair:KeyPair": 1,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:ec2/eip:Eip": 1,
      "aws:ec2/eipAssociation:EipAssociation": 1,
      "aws:ebs/volume:Volume": 1,
      "aws:ec2/volumeAttachment:VolumeAttachment": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/instanceProfile:InstanceProfile": 2,
      "aws:iam/rolePolicy:RolePolicy": 2,
      "aws:s3/bucketObjectv2:BucketObjectv2": 2,
      "aws:ec2/instance:Instance": 3,
    });
    expect(plan.resources.some((r) => r.type.startsWith("hcloud:"))).toBe(false);
    expect(one(plan, "aws-eu-central-1").inputs.region).toBe("eu-central-1");
    expect(one(onDemand, "aws-us-east-1").inputs.region).toBe("us-east-1");
  });

  test("network: public subnet routed to an internet gateway, VPC clear of the overlay", () => {
    const vpc = one(plan, "aws-eu-central-1-vpc").inputs;
    expect(vpc.cidrBlock).toBe("10.240.0.0/16");
    expect(vpcCidrFor("10.240.0.0/12")).toBe("172.31.0.0/16");
    const subnet = one(plan, "aws-eu-central-1-subnet").inputs;
    expect(subnet).toMatchObject({ cidrBlock: "10.240.0.0/20", mapPublicIpOnLaunch: true, availabilityZone: "eu-central-1a" });
    const routes = one(plan, "aws-eu-central-1-routes").inputs as { routes: Array<Record<string, string>> };
    expect(routes.routes).toHaveLength(1);
    expect(routes.routes[0].cidrBlock).toBe("0.0.0.0/0");
    expect(routes.routes[0].gatewayId).toMatch(/^intern/);
  });

  test("an existing VPC and subnet from config: no network made, everything placed in them", () => {
    for (const t of ["ec2/vpc:Vpc", "ec2/subnet:Subnet", "ec2/internetGateway:InternetGateway", "ec2/routeTable:RouteTable", "ec2/routeTableAssociation:RouteTableAssociation"]) {
      expect(ofType(existing, t)).toHaveLength(0);
    }
    for (const sg of ofType(existing, "ec2/securityGroup:SecurityGroup")) expect(sg.inputs.vpcId).toBe(VPC);
    for (const i of ofType(existing, "ec2/instance:Instance")) expect(i.inputs.subnetId).toBe(SUBNET);
    // The hub's volume follows the subnet's availability zone.
    expect(one(existing, "hub-data").inputs.availabilityZone).toBe("mock-az-1a");
  });

  test("security groups: hub UDP nebulaPort + TCP 22 from sshAllowedCidrs, workers UDP nebulaPort only", () => {
    const nebula = { protocol: "udp", fromPort: 42042, toPort: 42042, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: "Nebula" };
    const egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: "all outbound" }];
    expect(one(plan, "hub-sg").inputs.ingress).toEqual([nebula, { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: [], description: "SSH (key only)" }]);
    expect(one(plan, "workers-sg").inputs.ingress).toEqual([nebula]);
    expect(one(plan, "hub-sg").inputs.egress).toEqual(egress);
    expect(one(plan, "workers-sg").inputs.egress).toEqual(egress);
    // v4 and v6 sources land in their own lists
    expect((one(onDemand, "hub-sg").inputs.ingress as unknown[])[1]).toEqual({
      protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["203.0.113.4/32"], ipv6CidrBlocks: ["2001:db8::/64"], description: "SSH (key only)",
    });
  });

  test("every instance: IMDSv2 required with hop limit 1, encrypted gp3 root, replaced on user-data change, farm tags", () => {
    for (const p of [plan, onDemand]) {
      const instances = ofType(p, "ec2/instance:Instance");
      expect(instances.length).toBeGreaterThan(1);
      for (const i of instances) {
        expect(i.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(i.inputs.rootBlockDevice).toMatchObject({ encrypted: true, volumeType: "gp3", deleteOnTermination: true });
        expect(i.inputs.userDataReplaceOnChange).toBe(true);
        expect(i.inputs.userData).toBeUndefined();
        expect(typeof i.inputs.userDataBase64).toBe("string");
        expect(i.inputs.associatePublicIpAddress).toBe(true);
        expect((i.inputs.tags as Record<string, string>)["oomerfarm-farm"]).toBe("aws-example");
      }
    }
    expect(one(plan, "hub-server").inputs.tags).toEqual({ "oomerfarm-farm": "aws-example", "oomerfarm-role": "hub", Name: "aws-example-hub" });
    expect(one(plan, "workers-worker0002").inputs.tags).toEqual({
      "oomerfarm-farm": "aws-example", "oomerfarm-role": "worker", "oomerfarm-pool": "workers", "oomerfarm-worker": "worker0002", Name: "aws-example-worker0002",
    });
  });

  test("hub: Elastic IP apart from the instance, encrypted data volume on the NVMe by-id path", () => {
    expect(one(plan, "hub-ip").inputs.domain).toBe("vpc");
    const volume = one(plan, "hub-data").inputs;
    expect(volume).toMatchObject({ encrypted: true, type: "gp3", size: 50, availabilityZone: "eu-central-1a" });
    const attachment = one(plan, "hub-data-attachment").inputs;
    expect(attachment.deviceName).toBe("/dev/sdf");
    expect(attachment.stopInstanceBeforeDetaching).toBe(true);
    const volumeId = attachment.volumeId as string;
    expect(volumeId).toMatch(/^vol-[0-9a-f]{17}$/);
    // The hub formats and mounts exactly that volume.
    const env = readUserData(dir, "hub").files.get("/etc/oomerfarm/farm.env")!.toString();
    expect(env).toContain(`DATA_DEVICE='/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace("-", "")}'`);
    const ip = one(plan, "hub-ip-association").inputs;
    expect(ip.instanceId).toMatch(/^i-/);
    expect(ip.allocationId).toMatch(/^eipalloc-/);
    // Workers find the lighthouse at the Elastic IP.
    const hubIp = plan.outputs.hubPublicIp as string;
    expect(readUserData(dir, "worker0001").files.get("/etc/nebula/config.yml")!.toString()).toContain(`${hubIp}:42042`);
  });

  test("workers: one-time spot, terminated on interruption, cap left to EC2 (= on-demand) unless set; on-demand when asked", () => {
    for (const w of ["workers-worker0001", "workers-worker0002"]) {
      const i = one(plan, w).inputs;
      expect(i.instanceMarketOptions).toEqual({ marketType: "spot", spotOptions: { spotInstanceType: "one-time", instanceInterruptionBehavior: "terminate" } });
      expect(i.instanceInitiatedShutdownBehavior).toBe("terminate");
      expect(i.instanceType).toBe("c6a.8xlarge");
    }
    expect(one(plan, "hub-server").inputs.instanceMarketOptions).toBeUndefined();
    expect(one(onDemand, "workers-worker0001").inputs.instanceMarketOptions).toBeUndefined();
    expect(ofType(onDemand, "ec2/instance:Instance")).toHaveLength(2);
  });

  test("AMI: looked up by publisher account and name pattern for every image", () => {
    for (const image of IMAGES) {
      const q = amiQuery(image);
      expect(q.owners).toEqual([AMI_LOOKUPS[image].owner]);
      expect(q.owners[0]).toMatch(/^\d{12}$/);
      expect(q.filters).toContainEqual({ name: "architecture", values: ["x86_64"] });
      expect(q.mostRecent).toBe(true);
    }
    // The mock derives the id from the filters: another image, another AMI.
    expect(one(plan, "hub-server").inputs.ami).toMatch(/^ami-/);
    expect(one(plan, "hub-server").inputs.ami).not.toBe(one(onDemand, "hub-server").inputs.ami);
  });
});

describe("aws plan: user data and payload", () => {
  const hosts = ["hub", "worker0001", "worker0002"];

  test("each host's user data is gzip, at most 16 KB before base64, and what userDataBase64 carries", () => {
    for (const host of hosts) {
      const ud = readUserData(dir, host);
      expect(ud.raw[0]).toBe(0x1f);
      expect(ud.raw.length).toBeLessThanOrEqual(AWS_USER_DATA_LIMIT);
      const name = host === "hub" ? "hub-server" : `workers-${host}`;
      expect(Buffer.from(one(plan, name).inputs.userDataBase64 as string, "base64").equals(ud.raw)).toBe(true);
      expect(ud.text.startsWith("#cloud-config\n")).toBe(true);
      expect(ud.payload.size).toBe(0);
    }
  });

  test("each host's cloud-config passes cloud-init's schema and runs fetch, unpack, boot steps in that order", () => {
    if (!requireTool("cloud-init")) return;
    for (const host of hosts) {
      const ud = readUserData(dir, host);
      const r = cloudInitSchema(ud);
      expect(`${r.stdout}${r.stderr}`).toContain("Valid cloud-config");
      expect(r.code).toBe(0);
      const runcmd = ud.doc.runcmd!;
      expect(runcmd.map((c) => c[0] === "sh" ? c[3] : c[0])).toEqual([`${FETCH_DIR}/fetch-payload.py`, "tar", "/usr/local/lib/oomerfarm/run-steps.sh"]);
      expect(runcmd[2][1]).toBe(host === "hub" ? "hub" : "worker");
    }
  });

  test("the user data pins the bucket object's key and sha256; each role may read exactly its object", () => {
    const bucket = ofType(plan, "s3/bucket:Bucket")[0];
    expect(bucket.inputs).toMatchObject({ forceDestroy: true });
    expect(one(plan, "aws-eu-central-1-boot-private").inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    for (const [site, host] of [["hub", "hub"], ["workers", "worker0001"], ["workers", "worker0002"]]) {
      const object = one(plan, `${site}-payload`).inputs;
      const tgz = Buffer.from(object.contentBase64 as string, "base64");
      const sha = crypto.createHash("sha256").update(tgz).digest("hex");
      expect(object.key).toBe(`boot/${site}/${sha}.tgz`);
      const fetch = readUserData(dir, host).doc.runcmd![0];
      expect(fetch.slice(fetch.indexOf("--key"), fetch.indexOf("--key") + 2)).toEqual(["--key", object.key]);
      expect(fetch.slice(fetch.indexOf("--sha256"), fetch.indexOf("--sha256") + 2)).toEqual(["--sha256", sha]);
      const policy = JSON.parse(one(plan, `${site}-payload-read`).inputs.policy as string);
      expect(policy.Statement).toEqual([{ Effect: "Allow", Action: "s3:GetObject", Resource: expect.stringMatching(new RegExp(`^arn:aws:s3:::aws-example-boot-[0-9a-f]+/${object.key}$`)) }]);
    }
    expect(one(plan, "hub-payload").inputs.key).not.toBe(one(plan, "workers-payload").inputs.key);
  });

  test("the payloads hold the boot code and none of the farm's secrets", () => {
    const hub = readUserData(dir, "hub");
    const secrets = ["/etc/oomerfarm/secrets/samba.password", "/etc/oomerfarm/secrets/mongodb-admin.password", "/etc/oomerfarm/secrets/deadline-client.pfx.password", "/etc/nebula/host.key"]
      .map((p) => hub.files.get(p)!.toString().trim());
    for (const site of ["hub", "workers"]) {
      const files = unpackPayload(Buffer.from(one(plan, `${site}-payload`).inputs.contentBase64 as string, "base64"));
      expect(files.map((f) => f.path)).toContain("/usr/local/lib/oomerfarm/run-steps.sh");
      const all = zlib.gunzipSync(Buffer.from(one(plan, `${site}-payload`).inputs.contentBase64 as string, "base64")).toString("latin1");
      for (const s of secrets) {
        expect(s.length).toBeGreaterThan(10);
        expect(all.includes(s)).toBe(false);
      }
      expect(all).not.toContain("PRIVATE KEY");
    }
  });
});

// A fake IMDSv2 + S3 on loopback. S3 checks the request's SigV4 signature with its own
// implementation (Node crypto), so the host-side signer is checked by something other than itself.
interface Fake {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

const CREDS = { AccessKeyId: "AKIDFAKEHOSTROLE", SecretAccessKey: "fake/secret+key", Token: "session-token-123" };

function verifySigV4(req: http.IncomingMessage, region: string): string | undefined {
  const auth = String(req.headers.authorization ?? "");
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return `bad Authorization: ${auth}`;
  const [, access, date, reg, signedHeaders, signature] = m;
  if (access !== CREDS.AccessKeyId || reg !== region) return "wrong credential scope";
  if (req.headers["x-amz-security-token"] !== CREDS.Token) return "no session token";
  const names = signedHeaders.split(";");
  for (const needed of ["host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]) if (!names.includes(needed)) return `${needed} not signed`;
  const canonical = [
    req.method, req.url!.split("?")[0], "",
    names.map((h) => `${h}:${String(req.headers[h]).trim()}\n`).join(""), signedHeaders, String(req.headers["x-amz-content-sha256"]),
  ].join("\n");
  const amzDate = String(req.headers["x-amz-date"]);
  const toSign = ["AWS4-HMAC-SHA256", amzDate, `${date}/${region}/s3/aws4_request`, crypto.createHash("sha256").update(canonical).digest("hex")].join("\n");
  let k: Buffer = crypto.createHmac("sha256", `AWS4${CREDS.SecretAccessKey}`).update(date).digest();
  for (const part of [region, "s3", "aws4_request"]) k = crypto.createHmac("sha256", k).update(part).digest();
  const expected = crypto.createHmac("sha256", k).update(toSign).digest("hex");
  return expected === signature ? undefined : "signature mismatch";
}

function fakeAws(objects: Map<string, Buffer>, region: string, deny = 0): Promise<Fake> {
  const requests: string[] = [];
  let denied = 0;
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (code: number, body: string | Buffer) => { res.writeHead(code); res.end(body); };
    if (req.url === "/latest/api/token") return req.method === "PUT" && req.headers["x-aws-ec2-metadata-token-ttl-seconds"] ? send(200, "imds-token") : send(403, "");
    if (req.url!.startsWith("/latest/meta-data/")) {
      if (req.headers["x-aws-ec2-metadata-token"] !== "imds-token") return send(401, "");
      if (req.url === "/latest/meta-data/iam/security-credentials/") return send(200, "farm-role\n");
      if (req.url === "/latest/meta-data/iam/security-credentials/farm-role") return send(200, JSON.stringify({ Code: "Success", ...CREDS }));
      return send(404, "");
    }
    const why = verifySigV4(req, region);
    if (why) return send(403, why);
    if (denied < deny) { denied++; return send(403, "AccessDenied (role not usable yet)"); }
    const body = objects.get(req.url!);
    return body ? send(200, body) : send(404, "NoSuchKey");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    resolve({ url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) });
  }));
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => resolve({ code, out }));
  });
}

/** The host's fetch step as its user data writes and runs it, rooted in a scratch directory. */
async function bootFetch(ud: UserData, fake: Fake, extra: Record<string, string> = {}, patch?: (argv: string[]) => string[]) {
  const root = tempDir("fetch");
  for (const [p, content] of ud.files) if (p.startsWith(`${FETCH_DIR}/`)) fs.writeFileSync(path.join(root, path.basename(p)), content);
  const cmd = ud.doc.runcmd![0];
  expect(cmd.slice(0, 2)).toEqual(["sh", "-c"]);
  // A bounded deadline: a signing bug shows as 403s, which the script retries (15 min on a host).
  let argv = [...cmd.slice(4).map((a) => (a.startsWith("/var/lib/oomerfarm/") ? path.join(root, "out", path.basename(a)) : a)), "--deadline", "5"];
  if (patch) argv = patch(argv);
  const env = { OOMERFARM_IMDS_URL: fake.url, OOMERFARM_S3_ENDPOINT: fake.url, OOMERFARM_STATE_DIR: path.join(root, "state"), OOMERFARM_LOG_DIR: path.join(root, "log"), OOMERFARM_FETCH_RETRY_SECONDS: "0.05", ...extra };
  // The same `sh -c` line cloud-init runs, with the script in the scratch directory.
  const r = await run("sh", ["-c", cmd[2], path.join(root, "fetch-payload.py"), ...argv], env);
  return { root, ...r, out_file: path.join(root, "out", "payload.tgz") };
}

describe("fetching the payload on the host (python3 against fake IMDSv2 + S3)", () => {
  test("the hub's fetch step gets its object with instance-role SigV4, checks sha256, and the payload unpacks", async () => {
    if (!requireTool("python3") || !requireTool("tar")) return;
    const ud = readUserData(dir, "hub");
    const object = one(plan, "hub-payload").inputs;
    const bucket = (ud.doc.runcmd![0] as string[])[(ud.doc.runcmd![0] as string[]).indexOf("--bucket") + 1];
    const tgz = Buffer.from(object.contentBase64 as string, "base64");
    const fake = await fakeAws(new Map([[`/${bucket}/${object.key}`, tgz]]), "eu-central-1", 2);
    try {
      const r = await bootFetch(ud, fake);
      expect(r.out).toContain("step fetch-payload: ok");
      expect(r.code).toBe(0);
      expect(fs.readFileSync(r.out_file).equals(tgz)).toBe(true);
      expect(fs.statSync(r.out_file).mode & 0o777).toBe(0o600);
      expect(fake.requests.filter((x) => x.startsWith("GET /aws-example-boot-"))).toHaveLength(3); // two 403s, then 200
      const list = spawnSync("tar", ["-tzf", r.out_file], { encoding: "utf8" });
      expect(list.stdout).toContain("usr/local/lib/oomerfarm/run-steps.sh");
      expect(fs.existsSync(path.join(r.root, "state", "failed-step"))).toBe(false);
    } finally {
      await fake.close();
    }
  });

  test("a payload that does not match the pinned sha256 is refused and the boot reports fetch-payload", async () => {
    if (!requireTool("python3")) return;
    const ud = readUserData(dir, "worker0001");
    const object = one(plan, "workers-payload").inputs;
    const bucket = (ud.doc.runcmd![0] as string[])[(ud.doc.runcmd![0] as string[]).indexOf("--bucket") + 1];
    const fake = await fakeAws(new Map([[`/${bucket}/${object.key}`, Buffer.from("tampered")]]), "eu-central-1");
    try {
      const r = await bootFetch(ud, fake);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/FAILED: sha256 mismatch/);
      expect(fs.existsSync(r.out_file)).toBe(false);
      expect(fs.readFileSync(path.join(r.root, "state", "failed-step"), "utf8")).toBe("fetch-payload\n");
      expect(fs.readFileSync(path.join(r.root, "log", "boot.log"), "utf8")).toContain("sha256 mismatch");
    } finally {
      await fake.close();
    }
  });

  test("a missing object is retried until the deadline, then reported", async () => {
    if (!requireTool("python3")) return;
    const ud = readUserData(dir, "worker0002");
    const fake = await fakeAws(new Map(), "eu-central-1");
    try {
      const r = await bootFetch(ud, fake, {}, (argv) => [...argv, "--deadline", "0.3"]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/gave up after \d+ attempts: HTTP 404/);
      expect(fs.readFileSync(path.join(r.root, "state", "failed-step"), "utf8")).toBe("fetch-payload\n");
    } finally {
      await fake.close();
    }
  });

  test("the shipped signer reproduces AWS's S3 GET example signature (examplebucket, 20130524)", () => {
    if (!requireTool("python3")) return;
    const ud = readUserData(dir, "hub");
    const scratch = tempDir("sigv4");
    fs.writeFileSync(path.join(scratch, "sigv4.py"), ud.files.get(`${FETCH_DIR}/sigv4.py`)!);
    const py = [
      "import sigv4",
      "h = sigv4.sign('GET', 'https://examplebucket.s3.amazonaws.com/test.txt', {'range': 'bytes=0-9',",
      "  'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}, b'',",
      "  'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'us-east-1', 's3', '20130524T000000Z')",
      "print(h['Authorization'])",
    ].join("\n");
    const r = spawnSync("python3", ["-c", py], { cwd: scratch, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  });

  test("the fetch script is Python 3.6 syntax and compiles as shipped", () => {
    if (!requireTool("python3")) return;
    const ud = readUserData(dir, "hub");
    const scratch = tempDir("pycompile");
    const file = path.join(scratch, "fetch-payload.py");
    fs.writeFileSync(file, ud.files.get(`${FETCH_DIR}/fetch-payload.py`)!);
    const src = fs.readFileSync(path.join(ROOT, "components", "cloud", "aws-fetch-payload.py"), "utf8");
    // No 3.7+ constructs that platform-python 3.6 (EL8) lacks.
    expect(src).not.toMatch(/from __future__ import annotations|:=|capture_output|text=True|datetime\.UTC/);
    const r = spawnSync("python3", ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 6))", file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("spot cap rules", () => {
  const od = onDemandHourly("aws", "eu-central-1", "c6a.8xlarge")!;
  test("unset: no cap sent (EC2 caps at on-demand); at or below on-demand: sent as is", () => {
    expect(checkSpotPrice("k", "eu-central-1", "c6a.8xlarge", undefined)).toEqual({});
    expect(checkSpotPrice("k", "eu-central-1", "c6a.8xlarge", od)).toEqual({ maxPrice: String(od) });
    // Above on-demand is refused by the config module, before any resource exists.
    const cfg = { cloud: "aws", workerServerType: "c6a.8xlarge", workerSpotMaxPrice: String(od + 0.0001) } as Record<string, string>;
    expect(() => parseFarmConfig((k) => cfg[k], "dev")).toThrow(/^config workerSpotMaxPrice=.*above the on-demand price/);
  });
  test("an instance type without a known price: the cap is sent and the user is told it was not checked", () => {
    const r = checkSpotPrice("workerSpotMaxPrice", "eu-central-1", "g5.xlarge", 2);
    expect(r.maxPrice).toBe("2");
    expect(r.warning).toMatch(/no on-demand price is known for g5\.xlarge in eu-central-1 .*cannot be checked/);
  });
});

describe("aws plan: bad input", () => {
  test("a spot cap above on-demand stops the plan with one line (exit 2), naming the on-demand price", async () => {
    const price = onDemandHourly("aws", "eu-central-1", "c6a.8xlarge")!;
    expect(price).toBeGreaterThan(0);
    const r = await runPlan([...STACK, "--set", `workerSpotMaxPrice=${(price + 0.01).toFixed(2)}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      `config workerSpotMaxPrice=${Number((price + 0.01).toFixed(2))}: above the on-demand price of c6a.8xlarge in eu-central-1 (${price} USD/h); a spot cap must not exceed it: lower it or leave it unset (then on-demand is the cap)`,
    ]);
    expect(fs.existsSync(path.join(r.dir, "plan.json"))).toBe(false);
  });

  test("an unknown region stops the plan with one line (exit 2)", async () => {
    const r = await runPlan([...STACK, "--set", "location=eu-mars-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^config location=eu-mars-1: unknown AWS region; allowed: us-east-1/);
  });
});

// Resource options do not show in plan.json (inputs only): register the backend's resources
// in-process under the plan's mocks and read the options off the registration requests.
describe("aws backend: resource options that decide what survives", () => {
  interface Registered { type: string; name: string; retainOnDelete?: boolean; deleteBeforeReplace: boolean; ignoreChanges: string[]; dependencies: string[] }

  async function register(keepData: boolean): Promise<Map<string, Registered>> {
    jest.resetModules();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PlanMocks } = require("../tools/plan/mocks") as typeof import("../tools/plan/mocks");
    pulumi.runtime.setAllConfig({ "oomerfarm:cloud": "aws", "oomerfarm:location": "eu-central-1", "oomerfarm:keepData": String(keepData) });
    await pulumi.runtime.setMocks(new PlanMocks("options"), "oomerfarm", "opts", false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { getMonitor } = require("@pulumi/pulumi/runtime/settings");
    const monitor = getMonitor();
    const seen = new Map<string, Registered>();
    const original = monitor.registerResource.bind(monitor);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    monitor.registerResource = (req: any, cb: any) => {
      seen.set(req.getName(), {
        type: req.getType(), name: req.getName(), retainOnDelete: req.hasRetainondelete?.() === false ? undefined : req.getRetainondelete(),
        deleteBeforeReplace: req.getDeletebeforereplace(), ignoreChanges: req.getIgnorechangesList(),
        dependencies: req.getDependenciesList().map((u: string) => u.split("::").pop()),
      });
      return original(req, cb);
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { awsBackend } = require("../components/cloud/aws") as typeof import("../components/cloud/aws");
    const parent = new pulumi.ComponentResource("oomerfarm:test:Parent", "parent", {});
    const boot = pulumi.secret(pulumi.output({ hostname: "opts-hub", role: "hub" as const, host: { files: [], payload: [{ path: "/usr/local/lib/oomerfarm/run-steps.sh", content: "#!/bin/sh\n", permissions: "0755" }] } }));
    const site = awsBackend.hubSite("hub", {
      farmName: "opts", network: { overlayCidr: "10.87.0.0/16" }, location: "eu-central-1", dataVolumeGb: 20, keepData, nebulaPort: 42042, sshAllowedCidrs: [], sshPublicKey: "ssh-ed25519 AAAA test", labels: { "oomerfarm-farm": "opts" },
    }, parent);
    const server = site.launch({ serverType: "t3.medium", image: "alma-8", userData: pulumi.output(""), boot });
    await new Promise<void>((resolve) => server.serverId.apply(() => resolve()));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> }).waitForRPCs();
    return seen;
  }

  test("keepData retains the data volume; replacing the hub frees volume and address first; a new AMI alone replaces nothing", async () => {
    const kept = await register(true);
    expect(kept.get("hub-data")!.retainOnDelete).toBe(true);
    for (const name of ["hub-server", "hub-ip-association", "hub-data-attachment"]) expect(kept.get(name)!.deleteBeforeReplace).toBe(true);
    expect(kept.get("hub-ip")!.retainOnDelete).toBeFalsy();
    expect(kept.get("hub-server")!.ignoreChanges).toEqual(["ami"]);
    // The payload object and the role's read permission exist before the instance boots.
    expect(kept.get("hub-server")!.dependencies).toEqual(expect.arrayContaining(["hub-payload", "hub-payload-read"]));
    const dropped = await register(false);
    expect(dropped.get("hub-data")!.retainOnDelete).toBeFalsy();
  });
});
