// Our Nebula v1 certificates (nebula/cert.ts) checked against the real nebula-cert: every
// certificate a plan writes verifies under its CA, prints the expected name/IP/groups, has
// nebula's fingerprint; one flipped byte breaks it; and the encoding round-trips both ways.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
  certificateToPem, fingerprint, issueHostCertificate, makeCaCertificate, parseCertificate, parseCertificatePem, verifyCertificate,
} from "../nebula/cert";
import { ed25519FromSeed } from "../nebula/keys";
import { decodePem, encodePem, PEM } from "../nebula/pem";
import { cleanupPlans, planOk, tempDir } from "./helpers/plan";
import { requireTool, run } from "./helpers/tools";

interface PrintedCert {
  details: { name: string; ips: string[]; subnets: string[]; groups: string[]; isCa: boolean; issuer: string; publicKey: string; notBefore: string; notAfter: string };
  fingerprint: string;
  signature: string;
}

const SEED = "nebula-cert-test";
let nebulaDir: string;
let names: string[];
let scratch: string;

beforeAll(async () => {
  // Default dev stack: bosses [boss], workerCapacity 100.
  const plan = await planOk(["--seed", SEED, "--show-secrets"]);
  nebulaDir = path.join(plan.dir, "nebula");
  names = fs.readdirSync(nebulaDir).filter((f) => f.endsWith(".crt") && f !== "ca.crt").map((f) => f.slice(0, -4)).sort();
  scratch = tempDir("nebula-cert");
});
afterAll(cleanupPlans);

const crt = (name: string) => path.join(nebulaDir, `${name}.crt`);
const CA = () => crt("ca");

function print(file: string): PrintedCert {
  const r = run("nebula-cert", ["print", "-json", "-path", file]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PrintedCert;
}

function verify(caFile: string, certFile: string) {
  return run("nebula-cert", ["verify", "-ca", caFile, "-crt", certFile]);
}

function writePem(name: string, raw: Buffer): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, encodePem(PEM.certificate, raw));
  return file;
}

test("the plan issued the hub, the boss, the probe and the whole batch of 100 workers", () => {
  const workers = names.filter((n) => /^worker\d{4}$/.test(n));
  expect(workers).toHaveLength(100);
  expect(workers[0]).toBe("worker0001");
  expect(workers[99]).toBe("worker0100");
  expect(names.filter((n) => !workers.includes(n))).toEqual(["boss", "hub", "probe"]);
});

test("every certificate passes nebula-cert verify -ca", () => {
  if (!requireTool("nebula-cert")) return;
  const failures = names.map((n) => [n, verify(CA(), crt(n))] as const).filter(([, r]) => r.code !== 0 || r.stdout + r.stderr !== "");
  expect(failures.map(([n, r]) => `${n}: ${r.code} ${r.stdout}${r.stderr}`)).toEqual([]);
});

test.each([
  ["hub", "10.87.0.1/16", ["oomer", "hub", "lighthouse"]],
  ["boss", "10.87.10.1/16", ["oomer", "boss"]],
  ["probe", "10.87.0.250/16", ["oomer", "probe"]],
  ["worker0001", "10.87.99.1/16", ["oomer", "worker"]],
  ["worker0002", "10.87.99.2/16", ["oomer", "worker"]],
  ["worker0100", "10.87.99.100/16", ["oomer", "worker"]],
])("nebula-cert print shows %s at %s with its groups", (name, ip, groups) => {
  if (!requireTool("nebula-cert")) return;
  const p = print(crt(name));
  expect(p.details.name).toBe(name);
  expect(p.details.ips).toEqual([ip]);
  expect(p.details.groups).toEqual(groups);
  expect(p.details.subnets).toEqual([]);
  expect(p.details.isCa).toBe(false);
  expect(p.details.issuer).toBe(print(CA()).fingerprint);
  // Issued at 2026-01-01 (seeded plans), backdated 5 minutes, valid 730 days (default).
  expect(p.details.notBefore).toBe("2025-12-31T23:55:00Z");
  expect(p.details.notAfter).toBe("2028-01-01T00:00:00Z");
});

test("the CA is a CA named after the farm, with no IPs", () => {
  if (!requireTool("nebula-cert")) return;
  const p = print(CA());
  expect(p.details).toMatchObject({ name: "oomerfarm dev", isCa: true, ips: [], issuer: "" });
});

test("our fingerprint and signature equal what nebula-cert computes, for every certificate", () => {
  if (!requireTool("nebula-cert")) return;
  for (const name of ["ca", ...names]) {
    const ours = parseCertificatePem(fs.readFileSync(crt(name), "utf8"));
    const theirs = print(crt(name));
    expect({ name, fp: fingerprint(ours) }).toEqual({ name, fp: theirs.fingerprint });
    expect(ours.signature.toString("hex")).toBe(theirs.signature);
    expect(ours.details.publicKey.toString("hex")).toBe(theirs.details.publicKey);
  }
});

test("each private key is the pair of its certificate's public key", () => {
  for (const name of names) {
    const key = decodePem(fs.readFileSync(path.join(nebulaDir, `${name}.key`), "utf8"), PEM.x25519Private);
    expect(key).toHaveLength(32);
    const priv = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), key]), format: "der", type: "pkcs8" });
    const spki = crypto.createPublicKey(priv).export({ format: "der", type: "spki" });
    const cert = parseCertificatePem(fs.readFileSync(crt(name), "utf8"));
    expect(spki.subarray(spki.length - 32).equals(cert.details.publicKey)).toBe(true);
  }
});

describe("one flipped byte", () => {
  const flipped = (name: string, locate: (raw: Buffer, cert: ReturnType<typeof parseCertificate>) => number): string => {
    const raw = decodePem(fs.readFileSync(crt(name), "utf8"), PEM.certificate);
    const cert = parseCertificate(raw);
    const at = locate(raw, cert);
    expect(at).toBeGreaterThan(0);
    const copy = Buffer.from(raw);
    copy[at] ^= 0x01;
    return writePem(`${name}-flipped-${at}.crt`, copy);
  };

  test("in the signature: nebula-cert verify fails, and so does verifyCertificate", () => {
    if (!requireTool("nebula-cert")) return;
    const file = flipped("worker0002", (raw, cert) => raw.indexOf(cert.signature) + 10);
    const r = verify(CA(), file);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/signature did not match/);
    const ca = parseCertificatePem(fs.readFileSync(CA(), "utf8"));
    expect(verifyCertificate(parseCertificatePem(fs.readFileSync(file, "utf8")), ca, Date.parse("2026-06-01") / 1000)).toBe("certificate signature did not match");
  });

  test("in the details (the public key): nebula-cert verify fails, and so does verifyCertificate", () => {
    if (!requireTool("nebula-cert")) return;
    const file = flipped("hub", (raw, cert) => raw.indexOf(cert.details.publicKey) + 3);
    const r = verify(CA(), file);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/signature did not match/);
    const ca = parseCertificatePem(fs.readFileSync(CA(), "utf8"));
    expect(verifyCertificate(parseCertificatePem(fs.readFileSync(file, "utf8")), ca, Date.parse("2026-06-01") / 1000)).toBe("certificate signature did not match");
  });

  test("in the details (the name): nebula-cert verify fails", () => {
    if (!requireTool("nebula-cert")) return;
    const file = flipped("worker0001", (raw) => raw.indexOf(Buffer.from("worker0001")) + 6);
    const r = verify(CA(), file);
    expect(r.code).not.toBe(0);
    expect(print(file).details.name).toBe("worker1001"); // '0' ^ 1 = '1': parses, but is no longer signed
  });
});

describe("round trips", () => {
  test("every plan certificate: parse then encode gives the same PEM", () => {
    for (const name of ["ca", ...names]) {
      const pem = fs.readFileSync(crt(name), "utf8");
      expect(certificateToPem(parseCertificatePem(pem))).toBe(pem);
    }
  });

  test("a certificate made in-process with subnets, groups and a CA with groups: parse(encode(x)) is x, and nebula-cert agrees", () => {
    const caKey = ed25519FromSeed(crypto.createHash("sha256").update("rt-ca").digest());
    const notBefore = Math.floor(Date.now() / 1000) - 60;
    const ca = makeCaCertificate({ name: "round trip CA", notBefore, notAfter: notBefore + 86400 * 10, groups: ["oomer", "worker", "hub"] }, caKey);
    const host = issueHostCertificate(
      { name: "rt-host", ip: "10.87.99.254/16", groups: ["oomer", "worker"], subnets: ["192.168.7.0/24", "172.16.0.0/12"], notBefore, notAfter: notBefore + 86400 },
      crypto.createHash("sha256").update("rt-host").digest(), ca, caKey,
    );
    const back = parseCertificatePem(host.certPem);
    expect(back.details).toEqual(host.cert.details);
    expect(back.signature.equals(host.cert.signature)).toBe(true);
    expect(back.raw.equals(host.cert.raw)).toBe(true);
    expect(verifyCertificate(back, ca, notBefore + 100)).toBeUndefined();
    // A group the CA does not allow is refused.
    const other = issueHostCertificate({ name: "x", ip: "10.87.0.9/16", groups: ["boss"], notBefore, notAfter: notBefore + 3600 }, Buffer.alloc(32, 7), ca, caKey);
    expect(verifyCertificate(other.cert, ca, notBefore + 100)).toBe("group boss is not allowed by the CA");

    if (!requireTool("nebula-cert")) return;
    const caFile = writePem("rt-ca.crt", ca.raw);
    const hostFile = writePem("rt-host.crt", host.cert.raw);
    const v = verify(caFile, hostFile);
    expect(v.stdout + v.stderr).toBe("");
    expect(v.code).toBe(0);
    const p = print(hostFile);
    expect(p.details.subnets).toEqual(["192.168.7.0/24", "172.16.0.0/12"]);
    expect(p.details.ips).toEqual(["10.87.99.254/16"]);
    expect(p.fingerprint).toBe(fingerprint(host.cert));
    expect(print(caFile).details.groups).toEqual(["oomer", "worker", "hub"]);
  });

  test("a certificate made by nebula-cert: we parse it, re-encode it byte for byte and sign under its CA key", () => {
    if (!requireTool("nebula-cert")) return;
    const d = tempDir("nc-made");
    const ok = (r: { code: number | null; stderr: string }) => {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    };
    ok(run("nebula-cert", ["ca", "-name", "theirs", "-groups", "oomer,worker", "-duration", "48h", "-out-crt", `${d}/ca.crt`, "-out-key", `${d}/ca.key`]));
    ok(run("nebula-cert", ["sign", "-ca-crt", `${d}/ca.crt`, "-ca-key", `${d}/ca.key`, "-name", "made-by-them", "-ip", "10.87.99.7/16",
      "-groups", "oomer,worker", "-subnets", "10.10.0.0/16", "-duration", "24h", "-out-crt", `${d}/h.crt`, "-out-key", `${d}/h.key`]));
    for (const f of ["ca.crt", "h.crt"]) {
      const raw = decodePem(fs.readFileSync(`${d}/${f}`, "utf8"), PEM.certificate);
      const parsed = parseCertificate(raw);
      expect(parsed.raw.equals(raw)).toBe(true);
      expect(fingerprint(parsed)).toBe(print(`${d}/${f}`).fingerprint);
    }
    const theirCa = parseCertificatePem(fs.readFileSync(`${d}/ca.crt`, "utf8"));
    const theirHost = parseCertificatePem(fs.readFileSync(`${d}/h.crt`, "utf8"));
    expect(theirHost.details).toMatchObject({ name: "made-by-them", ips: ["10.87.99.7/16"], subnets: ["10.10.0.0/16"], groups: ["oomer", "worker"] });
    expect(verifyCertificate(theirHost, theirCa, Math.floor(Date.now() / 1000))).toBeUndefined();

    // Their CA key (64 bytes: seed then public key) signs a certificate of ours that they accept.
    const caKeyBytes = decodePem(fs.readFileSync(`${d}/ca.key`, "utf8"), PEM.ed25519Private);
    const caKey = ed25519FromSeed(caKeyBytes.subarray(0, 32));
    expect(caKey.publicKey.equals(caKeyBytes.subarray(32))).toBe(true);
    const now = Math.floor(Date.now() / 1000);
    const ours = issueHostCertificate({ name: "ours", ip: "10.87.99.8/16", groups: ["worker"], notBefore: now - 10, notAfter: now + 3600 }, Buffer.alloc(32, 3), theirCa, caKey);
    const v = verify(`${d}/ca.crt`, writePem("ours-under-theirs.crt", ours.cert.raw));
    expect(v.stdout + v.stderr).toBe("");
    expect(v.code).toBe(0);
    // ... and a certificate of ours is refused under a CA it was not issued by.
    const wrong = verify(`${d}/ca.crt`, crt("worker0001"));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/could not find ca for the certificate/);
  });
});
