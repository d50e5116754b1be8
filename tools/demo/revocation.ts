// Revocation live (issue 7): the last worker's certificate fingerprint goes into the blocklist the
// stack publishes on the hub's share (components/Hub.ts), and every host runs its real
// blocklist-sync.sh once, standing in for the 30 s timer. Then the worker is un-revoked, so the
// checks after this section (and a second run) see the farm as before.
import * as fs from "fs";
import * as path from "path";
import { fingerprint, parseCertificatePem } from "../../nebula/cert";
import { REPO } from "./artifacts";
import { Farm, Host } from "./farm";
import { inNs, runAsync, RunResult, waitUntil } from "./sh";
import type { Outcome } from "./checks";

/** The issue's promise: blocked on every host within a minute of publishing. */
export const REVOKE_LIMIT_MS = 60000;
/** Un-revoked, the worker reaches the hub again within this. */
export const UNREVOKE_LIMIT_MS = 10000;

/** Where the stack publishes the list on the hub, relative to SHARE_DIR (components/Hub.ts). */
export const BLOCKLIST_IN_SHARE = ".oomerfarm/blocklist.txt";

export function revocationNames(workers: string[], boss: string): string[] {
  const revoked = workers[workers.length - 1];
  return [
    `revocation: ${revoked} revoked, every host applies the blocklist`,
    `revocation: ${revoked} blocked within ${REVOKE_LIMIT_MS / 1000} s, timer included`,
    `revocation: ${revoked} can no longer reach the hub`,
    `revocation: the hub can no longer reach ${revoked}`,
    ...workers.slice(0, -1).map((w) => `revocation: ${w} still reaches the hub`),
    `revocation: ${boss} still reaches the hub`,
    `revocation: un-revoked, ${revoked} reaches the hub again in ${UNREVOKE_LIMIT_MS / 1000} s`,
  ];
}

/**
 * The worst wait for the timer (cloud-init/units/oomerfarm-blocklist.timer): OnUnitActiveSec plus
 * AccuracySec, read from the unit the hosts boot with.
 */
export function timerWorstMs(unitText: string): number {
  const seconds = (key: string): number => {
    const m = new RegExp(`^${key}=(\\d+)(s|min)?\\s*$`, "m").exec(unitText);
    if (!m) throw new Error(`oomerfarm-blocklist.timer has no ${key}=N[s|min]`);
    return Number(m[1]) * (m[2] === "min" ? 60 : 1);
  };
  return (seconds("OnUnitActiveSec") + seconds("AccuracySec")) * 1000;
}

/** The `  blocklist: [...]` line of a Nebula config, or "" when it has none. */
export function blocklistLine(configText: string): string {
  return /^ {2}blocklist:.*$/m.exec(configText)?.[0] ?? "";
}

/** ping -c count: true when any reply came back. */
async function anyReply(from: Host, ip: string, count: number): Promise<boolean> {
  const [cmd, args] = inNs(from.ns, "ping", ["-c", String(count), "-i", "0.3", "-W", "1", ip]);
  return (await runAsync(cmd, args, { timeoutMs: (count + 3) * 1000 })).status === 0;
}

const tail = (r: RunResult): string => `${r.stdout}\n${r.stderr}`.trim().split("\n").filter((l) => l.trim() !== "").pop() ?? `exit ${r.status}`;

/** Writes the list the way components/Hub.ts does: one fingerprint a line, renamed into place. */
function publish(f: Farm, fingerprints: string[]): string {
  const file = path.join(f.hubShareDir(), BLOCKLIST_IN_SHARE);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  fs.writeFileSync(`${file}.tmp`, fingerprints.map((fp) => `${fp}\n`).join(""), { mode: 0o644 });
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * blocklist-sync.sh in h's namespace, as its timer would run it. The hub reads the list from its
 * own SHARE_DIR; the others read it over SMB, as their CIFS mount of the share would (smbclient
 * with their own credentials into a copy that stands for the mount). Hub and workers run the
 * script from their boot files; the boss (a desktop: `join` writes no scripts) runs the repo's.
 */
async function sync(f: Farm, h: Host): Promise<RunResult> {
  const pid = f.nebulaPid(h);
  if (pid === undefined) return { status: 1, stdout: "", stderr: `no nebula PID for ${h.name}`, ms: 0 };
  let list = path.join(f.hubShareDir(), BLOCKLIST_IN_SHARE);
  if (h.role !== "hub") {
    list = path.join(h.dir, "share-mount", BLOCKLIST_IN_SHARE);
    fs.mkdirSync(path.dirname(list), { recursive: true });
    const auth = h.role === "boss" ? path.join(h.dir, "samba.credentials") : path.join(h.dir, "samba.auth");
    const [cmd, args] = inNs(h.ns, "smbclient", [`//${f.hubOverlayIp}/oomerfarm`, "-A", auth, "--configfile=/dev/null", "-c", `get ${BLOCKLIST_IN_SHARE} ${list}`]);
    const got = await runAsync(cmd, args, { timeoutMs: 20000 });
    if (got.status !== 0) return { ...got, stderr: `reading the list over SMB: ${tail(got)}` };
  }
  let lib = path.join(h.dir, "usr/local/lib/oomerfarm");
  let envFile = path.join(h.dir, "etc/oomerfarm/farm.env");
  if (h.role === "boss") {
    lib = path.join(REPO, "cloud-init/steps");
    envFile = path.join(h.dir, "blocklist-farm.env");
    fs.writeFileSync(envFile, "SHARE_DIR='/mnt/oomerfarm'\n", { mode: 0o644 });
  }
  const [cmd, args] = inNs(h.ns, "bash", [path.join(lib, "blocklist-sync.sh")]);
  return runAsync(cmd, args, {
    timeoutMs: 20000,
    env: {
      ...process.env,
      OOMERFARM_LIB: path.join(lib, "lib.sh"),
      OOMERFARM_ENV_FILE: envFile,
      OOMERFARM_LOG_DIR: path.join(h.dir, "var/log/oomerfarm"),
      OOMERFARM_BLOCKLIST: list,
      OOMERFARM_NEBULA_CONFIG: f.nebulaConfigPath(h),
      OOMERFARM_NEBULA_RELOAD: `kill -HUP ${pid}`,
    },
  });
}

/** Runs sync on every host of hosts at once; returns a failure text or undefined. */
async function syncAll(f: Farm, hosts: Host[], want: string): Promise<string | undefined> {
  const results = await Promise.all(hosts.map((h) => sync(f, h)));
  const bad = hosts.map((h, i): string | undefined => {
    if (results[i].status !== 0) return `${h.name}: exit ${results[i].status}: ${tail(results[i])}`;
    const line = blocklistLine(fs.readFileSync(f.nebulaConfigPath(h), "utf8"));
    return line === want ? undefined : `${h.name}: config says "${line}"`;
  }).filter((x): x is string => x !== undefined);
  return bad.length > 0 ? bad.join("; ") : undefined;
}

/** Lines nebula logged on h after byte offset `from` that match re. */
function loggedSince(h: Host, from: number, re: RegExp): string[] {
  const file = path.join(h.dir, "nebula.log");
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file).subarray(from).toString("utf8").split("\n").filter((l) => re.test(l));
}

export async function runRevocation(f: Farm): Promise<Outcome[]> {
  const workers = f.workerHosts;
  const revoked = workers[workers.length - 1];
  const others = workers.slice(0, -1);
  const everyone = [f.hub, ...workers, f.boss];
  const fp = fingerprint(parseCertificatePem(fs.readFileSync(path.join(f.plan!.dir, "nebula", `${revoked.name}.crt`), "utf8")));
  const timerMs = timerWorstMs(fs.readFileSync(path.join(REPO, "cloud-init/units/oomerfarm-blocklist.timer"), "utf8"));
  const hubLog = path.join(f.hub.dir, "nebula.log");
  const logFrom = fs.existsSync(hubLog) ? fs.statSync(hubLog).size : 0;
  const out: Outcome[] = [];

  const t0 = Date.now();
  publish(f, [fp]);
  const synced = await syncAll(f, everyone, `  blocklist: ["${fp}"]`);
  const syncMs = Date.now() - t0;
  out.push([synced === undefined, synced ?? `blocklist-sync.sh put ${fp.slice(0, 12)}… in ${everyone.length} configs, SIGHUP, ${syncMs} ms`]);

  // Blocked = the revoked worker's ping to the hub gets no answer (the pings are also the
  // traffic that makes nebula's connection manager look at the tunnel: see the report).
  const waited = await waitUntil(async () => !(await anyReply(revoked, f.hubOverlayIp, 1)), REVOKE_LIMIT_MS, 100);
  const blockedMs = waited === undefined ? undefined : Date.now() - t0;
  const teardown = loggedSince(f.hub, logFrom, /Remote certificate is no longer valid/).some((l) => l.includes(fp));
  const why = teardown ? "hub tore the tunnel down (disconnect_invalid)" : "no teardown line in the hub's log";
  out.push(blockedMs === undefined
    ? [false, `still answering ${REVOKE_LIMIT_MS / 1000} s after publishing`]
    : [blockedMs + timerMs < REVOKE_LIMIT_MS, `blocked ${(blockedMs / 1000).toFixed(1)} s after publishing; with the timer's worst wait (${timerMs / 1000} s) ${((blockedMs + timerMs) / 1000).toFixed(1)} s; ${why}`]);
  f.say(`revocation: ${revoked.name} ${blockedMs === undefined ? "not blocked within 60 s" : `blocked ${blockedMs} ms`} after its fingerprint was published (sync on ${everyone.length} hosts: ${syncMs} ms)`);

  const [fromRevoked, toRevoked, stillOthers, stillBoss] = await Promise.all([
    anyReply(revoked, f.hubOverlayIp, 3),
    anyReply(f.hub, revoked.overlayIp, 3),
    Promise.all(others.map((w) => f.reach(w, f.hubOverlayIp, 5000))),
    f.reach(f.boss, f.hubOverlayIp, 5000),
  ]);
  out.push([!fromRevoked, fromRevoked ? "the hub answered" : "3 pings, no answer"]);
  out.push([!toRevoked, toRevoked ? `${revoked.overlayIp} answered` : "3 pings, no answer"]);
  for (const ms of [...stillOthers, stillBoss]) out.push([ms !== undefined, ms !== undefined ? `${ms} ms` : "no answer in 5 s"]);

  // Un-revoke: an empty list; the revoked worker reads it (over SMB) only once it is back.
  const t1 = Date.now();
  publish(f, []);
  const cleared = await syncAll(f, [f.hub, ...others, f.boss], "  blocklist: []");
  const back = await f.reach(revoked, f.hubOverlayIp, UNREVOKE_LIMIT_MS);
  const backMs = back === undefined ? undefined : Date.now() - t1;
  const own = back === undefined ? "not back" : await syncAll(f, [revoked], "  blocklist: []");
  out.push([cleared === undefined && backMs !== undefined && backMs <= UNREVOKE_LIMIT_MS && own === undefined,
    cleared ?? (backMs === undefined ? `no answer ${UNREVOKE_LIMIT_MS / 1000} s after un-revoking` : own ?? `back after ${backMs} ms; every host's blocklist empty again`)]);
  return out;
}
