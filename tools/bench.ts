// `npm run bench`: speed and size figures, printed side by side (no pass/fail thresholds).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { addressPlan, workerSlotName } from "../nebula/addressPlan";
import { issueHostCertificate, makeCaCertificate, certificateToPem, caKeyToPem } from "../nebula/cert";
import { deriveBytes, ed25519FromSeed } from "../nebula/keys";
import { ROLE_GROUPS } from "../nebula/firewall";
import { benchFarmInABox } from "./demo";

const ROOT = path.join(__dirname, "..");

/** The farm in a box (needs root and network namespaces): time to join, SMB vs TCP throughput. */
async function benchDemo(): Promise<void> {
  console.log("farm in a box (real nebula and smbd in network namespaces):");
  const result = await benchFarmInABox({ workers: [3, 10], megabytes: 50 });
  if ("skipped" in result) {
    console.log(`  skipped: ${result.skipped}`);
    return;
  }
  for (const r of result.runs) {
    console.log(`  ${String(r.workers).padStart(2)} workers: all hosts joined ${r.joinedMs} ms after the hub's nebula started; whole run ${(r.totalMs / 1000).toFixed(1)} s (${r.checks} checks)`);
    if (r.smb) console.log(`    ${r.smb.megabytes} MB over the overlay: smb ${r.smb.smbMiBps.toFixed(1)} MiB/s, plain tcp ${r.smb.tcpMiBps.toFixed(1)} MiB/s, ratio ${r.smb.ratio.toFixed(2)}`);
  }
}

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

function benchCertificates(count: number): void {
  const seed = Buffer.alloc(32, 1);
  const now = Math.floor(Date.now() / 1000);
  const caKey = ed25519FromSeed(deriveBytes(seed, "ca"));
  const ca = makeCaCertificate({ name: "bench", notBefore: now - 60, notAfter: now + 86400 * 365 }, caKey);
  const plan = addressPlan("10.87.0.0/16", count, 1);
  let t = process.hrtime.bigint();
  for (let slot = 1; slot <= count; slot++) {
    issueHostCertificate({ name: workerSlotName(slot), ip: `${plan.workerSlot(slot)}/16`, groups: ROLE_GROUPS.worker, notBefore: now - 60, notAfter: now + 86400 * 300 }, deriveBytes(seed, `w${slot}`), ca, caKey);
  }
  const inProcess = count / (Number(process.hrtime.bigint() - t) / 1e9);
  let external = NaN;
  if (has("nebula-cert")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-certs-"));
    fs.writeFileSync(path.join(dir, "ca.crt"), certificateToPem(ca));
    fs.writeFileSync(path.join(dir, "ca.key"), caKeyToPem(caKey));
    t = process.hrtime.bigint();
    for (let slot = 1; slot <= count; slot++) {
      const r = spawnSync("nebula-cert", ["sign", "-ca-crt", `${dir}/ca.crt`, "-ca-key", `${dir}/ca.key`, "-name", workerSlotName(slot), "-ip", `${plan.workerSlot(slot)}/16`, "-groups", "oomer,worker", "-out-crt", `${dir}/${slot}.crt`, "-out-key", `${dir}/${slot}.key`]);
      if (r.status !== 0) throw new Error(`nebula-cert sign failed: ${r.stderr}`);
    }
    external = count / (Number(process.hrtime.bigint() - t) / 1e9);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`certificates, batch of ${count} workers:`);
  console.log(`  in-process (TypeScript)        ${inProcess.toFixed(0).padStart(7)} certs/s`);
  console.log(`  nebula-cert sign, one per cert ${Number.isNaN(external) ? "    n/a (nebula-cert missing)" : `${external.toFixed(0).padStart(7)} certs/s`}`);
  if (!Number.isNaN(external)) console.log(`  ratio                          ${(inProcess / external).toFixed(1).padStart(7)}x`);
}

function benchPlan(capacity: number): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-"));
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "tools", "plan.ts"), "--out", out, "--seed", "bench", "--show-secrets", "--set", `workerCapacity=${capacity}`, "--set", "inhouseSlots=10", "--set", "workerCount=10"], { env: { ...process.env, OOMERFARM_PLAN_USAGE: "1" }, encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`plan failed: ${r.stderr}`);
  const rssKb = Number(/maxRSS=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const worker = fs.statSync(path.join(out, "hosts", "worker0001", "user-data")).size;
  const hub = fs.statSync(path.join(out, "hosts", "hub", "user-data")).size;
  console.log(`  workerCapacity ${String(capacity).padStart(5)}: ${seconds.toFixed(2)} s wall, ${(rssKb / 1024).toFixed(0)} MiB peak RSS, user data hub ${hub} B, worker ${worker} B`);
  fs.rmSync(out, { recursive: true, force: true });
}

async function main(): Promise<void> {
  benchCertificates(100);
  console.log("offline plan (10 workers, seeded, with secrets):");
  benchPlan(100);
  benchPlan(1000);
  await benchDemo();
}

void main();
