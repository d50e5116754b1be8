// Bench: the boss puts a file on the hub's share with smbclient, and sends the same bytes with
// plain TCP (nc) over the same overlay to a port the firewall opens for bosses. The ratio shows
// what Samba (SMB3 with encryption "desired") costs on top of Nebula.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Farm } from "./farm";
import { inNs, runAsync, waitUntil } from "./sh";

export interface Throughput {
  megabytes: number;
  smbMiBps: number;
  tcpMiBps: number;
  /** smb / tcp */
  ratio: number;
}

const TCP_PORT = 27100; // open from bosses to the hub; nothing listens there in the box otherwise

export async function measureThroughput(f: Farm, megabytes: number): Promise<Throughput> {
  const file = path.join(f.tmp, "bench.bin");
  fs.writeFileSync(file, crypto.randomBytes(megabytes * 1000 * 1000));
  const mib = (megabytes * 1000 * 1000) / 1048576;

  const [scmd, sargs] = inNs(f.boss.ns, "smbclient", [`//${f.hubOverlayIp}/oomerfarm`, "-A", path.join(f.boss.dir, "samba.credentials"), "--configfile=/dev/null", "-c", `put ${file} bench.bin`]);
  const smb = await runAsync(scmd, sargs, { timeoutMs: 300000 });
  if (smb.status !== 0) throw new Error(`smbclient put failed: ${smb.stderr.trim()}`);

  const [lcmd, largs] = inNs(f.hub.ns, "nc", ["-d", "-l", f.hubOverlayIp, String(TCP_PORT)]);
  const listener = f.procs.start("nc bench listener", lcmd, largs, "/dev/null");
  if ((await waitUntil(() => f.listening(f.hub, f.hubOverlayIp, TCP_PORT), 5000, 50)) === undefined) throw new Error("bench listener did not come up");
  const t = Date.now();
  const [ccmd, cargs] = inNs(f.boss.ns, "sh", ["-c", `exec nc -N ${f.hubOverlayIp} ${TCP_PORT} < "$1"`, "sh", file]);
  const send = await runAsync(ccmd, cargs, { timeoutMs: 300000 });
  // Done when the receiver has read everything and seen the close.
  await waitUntil(() => listener.child.exitCode !== null || listener.child.signalCode !== null, 60000, 20);
  const tcpMs = Date.now() - t;
  f.procs.stop(listener, "SIGTERM", 1000);
  if (send.status !== 0) throw new Error(`nc send failed: ${send.stderr.trim()}`);
  const smbMiBps = mib / (smb.ms / 1000);
  const tcpMiBps = mib / (tcpMs / 1000);
  return { megabytes, smbMiBps: round(smbMiBps), tcpMiBps: round(tcpMiBps), ratio: round(smbMiBps / tcpMiBps, 2) };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
