// MongoDB's TLS material as the hub and workers receive it (from a plan's user data), checked with
// the real openssl: the server certificate verifies under the farm CA for the overlay IP, the
// Deadline client bundle opens with its passphrase, and a mutual-TLS handshake on loopback
// succeeds with the farm's client certificate and fails with another farm's or with none.
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { deriveFarmSecrets } from "../components/FarmCredentials";
import { cleanupPlans, planOk, readPlan, readUserData, tempDir, UserData } from "./helpers/plan";
import { requireTool, run } from "./helpers/tools";

const SECRETS = "/etc/oomerfarm/secrets";
const TLS_CA = "/etc/oomerfarm/tls/ca.crt";

let hub: UserData;
let outputs: Record<string, unknown>;
let worker: UserData;
let dir: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  const plan = await planOk(["--seed", "tls-test", "--show-secrets"]);
  hub = readUserData(plan.dir, "hub");
  outputs = readPlan(plan.dir).outputs;
  worker = readUserData(plan.dir, "worker0001");
  dir = tempDir("tls");
  const write = (name: string, data: Buffer | string) => fs.writeFileSync(file(name), data, { mode: 0o600 });
  write("ca.crt", hub.files.get(TLS_CA)!);
  write("server.pem", hub.files.get(`${SECRETS}/mongodb-server.pem`)!);
  write("client.pfx", hub.files.get(`${SECRETS}/deadline-client.pfx`)!);
  write("client.pfx.password", hub.files.get(`${SECRETS}/deadline-client.pfx.password`)!);
  // A second farm (another seed): its own CA, server certificate and client bundle.
  const other = deriveFarmSecrets(Buffer.from("another farm, another seed......"), { farmName: "other", hubOverlayIp: "10.87.0.1", issuedAt: Math.floor(Date.now() / 1000), validityDays: 30 });
  write("other-ca.crt", other.tlsCaPem);
  write("other-server.pem", other.mongodbServerPem);
  write("other-client.pfx", Buffer.from(other.deadlineClientPfxBase64, "base64"));
  write("other-client.pfx.password", other.deadlineClientPfxPassphrase);
});
afterAll(cleanupPlans);

function openssl(args: string[]) {
  return run("openssl", args);
}

/** The PEM (certificate, key, chain) inside a PKCS#12 bundle, opened with its passphrase file. */
function unpackPfx(pfx: string, passwordFile: string, out: string) {
  return openssl(["pkcs12", "-in", pfx, "-passin", `file:${passwordFile}`, "-nodes", "-out", out]);
}

interface Handshake {
  client: { code: number | null; out: string };
  server: { code: number | null; out: string };
}

/** openssl s_server -Verify 1 (server certificate, farm CA) on 127.0.0.1:<ephemeral>, one s_client connection. */
async function handshake(clientPem: string | undefined): Promise<Handshake> {
  const server = spawn("openssl", ["s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-www", "-cert", file("server.pem"), "-CAfile", file("ca.crt"), "-Verify", "1", "-verify_return_error"], { stdio: ["ignore", "pipe", "pipe"] });
  let serverOut = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s_server did not listen: ${serverOut}`)), 10000);
    const onData = (d: Buffer) => {
      serverOut += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(serverOut);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
  });
  const serverDone = new Promise<number | null>((resolve) => server.on("close", resolve));
  const client = run("openssl", [
    "s_client", "-connect", `127.0.0.1:${port}`, "-CAfile", file("ca.crt"), "-verify_return_error", "-verify_ip", "10.87.0.1", "-ign_eof",
    ...(clientPem ? ["-cert", clientPem] : []),
  ], { input: "GET / HTTP/1.0\r\n\r\n", timeoutMs: 15000 });
  const kill = setTimeout(() => server.kill(), 10000);
  const serverCode = await serverDone;
  clearTimeout(kill);
  return { client: { code: client.code, out: client.stdout + client.stderr }, server: { code: serverCode, out: serverOut } };
}

describe("the files", () => {
  test("hub and workers share one TLS CA and one client bundle; only the hub has the server key", () => {
    for (const p of [TLS_CA, `${SECRETS}/deadline-client.pfx`, `${SECRETS}/deadline-client.pfx.password`]) {
      expect(worker.files.get(p)!.equals(hub.files.get(p)!)).toBe(true);
    }
    expect(worker.files.has(`${SECRETS}/mongodb-server.pem`)).toBe(false);
    // The files are the stack's outputs (what `pulumi stack output` gives a boss), byte for byte.
    const client = outputs.deadlineClientCertificate as { pkcs12Base64: string; passphrase: string };
    // Compared as digests: a mismatch should not print two 4 KiB base64 strings.
    const digest = (b: Buffer) => `${b.length} bytes, sha256 ${crypto.createHash("sha256").update(b).digest("hex")}`;
    expect(digest(hub.files.get(`${SECRETS}/deadline-client.pfx`)!)).toBe(digest(Buffer.from(client.pkcs12Base64, "base64")));
    expect(hub.files.get(`${SECRETS}/deadline-client.pfx.password`)!.toString()).toBe(client.passphrase);
    expect(hub.files.get(TLS_CA)!.toString()).toBe(outputs.tlsCaCertificate);
    const pem = hub.files.get(`${SECRETS}/mongodb-server.pem`)!.toString();
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+-----END CERTIFICATE-----\r?\n-----BEGIN RSA PRIVATE KEY-----\r?\n/);
    // Printable ASCII without spaces (the bootstrap passes it on a command line).
    expect(hub.files.get(`${SECRETS}/deadline-client.pfx.password`)!.toString()).toMatch(/^[!-~]{16,}$/);
  });

  test("mongod.conf: overlay IP and loopback, port 27100, TLS required with the shipped files, authorization on", () => {
    const conf = parse(hub.files.get("/etc/mongod.conf")!.toString());
    expect(conf.net.bindIp.split(",").sort()).toEqual(["10.87.0.1", "127.0.0.1"]);
    expect(conf.net.port).toBe(27100);
    expect(conf.net.tls).toMatchObject({ mode: "requireTLS", certificateKeyFile: `${SECRETS}/mongodb-server.pem`, CAFile: TLS_CA });
    expect(conf.security.authorization).toBe("enabled");
    expect(hub.files.has(conf.net.tls.certificateKeyFile)).toBe(true);
    expect(hub.files.has(conf.net.tls.CAFile)).toBe(true);
  });
});

describe("openssl", () => {
  test("verify: the MongoDB server certificate is a server certificate of the farm CA for 10.87.0.1 (and 127.0.0.1)", () => {
    if (!requireTool("openssl")) return;
    const ok = openssl(["verify", "-CAfile", file("ca.crt"), "-purpose", "sslserver", "-verify_ip", "10.87.0.1", file("server.pem")]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout.trim()).toBe(`${file("server.pem")}: OK`);
    expect(openssl(["verify", "-CAfile", file("ca.crt"), "-purpose", "sslserver", "-verify_ip", "127.0.0.1", file("server.pem")]).code).toBe(0);
    const san = openssl(["x509", "-in", file("server.pem"), "-noout", "-ext", "subjectAltName"]).stdout;
    expect(san).toContain("IP Address:10.87.0.1");
    // Not for another address, not under another farm's CA, not as a client certificate.
    expect(openssl(["verify", "-CAfile", file("ca.crt"), "-verify_ip", "10.87.0.2", file("server.pem")]).code).not.toBe(0);
    expect(openssl(["verify", "-CAfile", file("other-ca.crt"), file("server.pem")]).code).not.toBe(0);
    expect(openssl(["verify", "-CAfile", file("ca.crt"), file("other-server.pem")]).code).not.toBe(0);
    expect(openssl(["verify", "-CAfile", file("ca.crt"), "-purpose", "sslclient", file("server.pem")]).code).not.toBe(0);
  });

  test("pkcs12 opens the Deadline client bundle with its passphrase: a client certificate of the farm CA and its key", () => {
    if (!requireTool("openssl")) return;
    const r = unpackPfx(file("client.pfx"), file("client.pfx.password"), file("client.pem"));
    expect(r.code).toBe(0);
    const pem = fs.readFileSync(file("client.pem"), "utf8");
    expect((pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length).toBe(2); // the leaf and the CA
    expect(pem).toMatch(/-----BEGIN PRIVATE KEY-----/);
    const v = openssl(["verify", "-CAfile", file("ca.crt"), "-purpose", "sslclient", file("client.pem")]);
    expect(v.stdout.trim()).toBe(`${file("client.pem")}: OK`);
    // The key in the bundle belongs to its certificate.
    const certPub = openssl(["x509", "-in", file("client.pem"), "-noout", "-pubkey"]).stdout;
    const keyPub = openssl(["pkey", "-in", file("client.pem"), "-pubout"]).stdout;
    expect(certPub).toMatch(/BEGIN PUBLIC KEY/);
    expect(keyPub).toBe(certPub);
    const wrong = openssl(["pkcs12", "-in", file("client.pfx"), "-passin", "pass:not-the-passphrase", "-nodes", "-out", file("nothing.pem")]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/invalid password|mac verify/i);
  });

  test("mutual TLS on loopback: the farm's client certificate is accepted", async () => {
    if (!requireTool("openssl")) return;
    expect(unpackPfx(file("client.pfx"), file("client.pfx.password"), file("client.pem")).code).toBe(0);
    const h = await handshake(file("client.pem"));
    expect(h.client.out).toContain("Verify return code: 0 (ok)");
    expect(h.client.out).toContain("HTTP/1.0 200 ok");
    expect(h.client.code).toBe(0);
    expect(h.server.out).toMatch(/depth=0 CN = deadline, O = oomerfarm\nverify return:1/);
    expect(h.server.out).not.toMatch(/verify error|error:/);
  });

  test("mutual TLS on loopback: another farm's client certificate is refused", async () => {
    if (!requireTool("openssl")) return;
    expect(unpackPfx(file("other-client.pfx"), file("other-client.pfx.password"), file("other-client.pem")).code).toBe(0);
    const h = await handshake(file("other-client.pem"));
    expect(h.client.out).not.toContain("HTTP/1.0 200 ok");
    expect(h.client.code).not.toBe(0);
    expect(h.server.out).toMatch(/verify error|certificate verify failed/);
  });

  test("mutual TLS on loopback: no client certificate is refused", async () => {
    if (!requireTool("openssl")) return;
    const h = await handshake(undefined);
    expect(h.client.out).not.toContain("HTTP/1.0 200 ok");
    expect(h.server.out).toMatch(/peer did not return a certificate|certificate required/i);
  });
});
