// The named checks of the farm in a box, in sections that run in order. Names depend only on the
// farm's shape (workers, boss), so the full list is known before anything runs: a section that
// cannot run reports its checks as failed ("not run") and the totals always add up.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { fileText } from "./artifacts";
import { Farm, Host, HUB_OCTET } from "./farm";
import { inhouseNames, runInhouse } from "./inhouse";
import { matrixCases, MatrixCase } from "./matrix";
import { UNDERLAY_PREFIX } from "./netns";
import { Started } from "./procs";
import { revocationNames, runRevocation } from "./revocation";
import { inNs, run, runAsync, RunResult, waitUntil } from "./sh";

export type Outcome = [ok: boolean, detail: string];

export interface Section {
  title: string;
  names: string[];
  run(f: Farm): Promise<Outcome[]>;
}

export interface FarmShape {
  workers: string[];
  boss: string;
}

export const MONGODB_PORT = 27100;
export const SMB_PORT = 445;
export const HUB_RESTART_LIMIT_MS = 10000;

const hostOf = (shape: FarmShape, role: MatrixCase["from"], side: "from" | "to"): string | undefined => {
  if (role === "hub") return "hub";
  if (role === "boss") return shape.boss;
  return side === "from" ? shape.workers[0] : shape.workers[1] ?? shape.workers[0];
};

/** The matrix cases this farm can test, each with its source and target host names. */
export function liveMatrix(shape: FarmShape): Array<MatrixCase & { src: string; dst: string; name: string }> {
  return matrixCases()
    .map((c) => ({ ...c, src: hostOf(shape, c.from, "from")!, dst: hostOf(shape, c.to, "to")! }))
    .filter((c) => c.src !== c.dst)
    .map((c) => ({ ...c, name: `firewall: ${c.src} -> ${c.dst} ${c.proto === "icmp" ? "icmp" : `${c.port}/tcp`} ${c.allowed ? "allowed" : "denied"}` }));
}

const HUB_UNDERLAY = `${UNDERLAY_PREFIX}.${HUB_OCTET}`;

function byName(f: Farm, name: string): Host {
  const h = f.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
}

const sha256 = (file: string): string => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

function smbclient(f: Farm, h: Host, authFile: string, share: string, command: string): Promise<RunResult> {
  const [cmd, args] = inNs(h.ns, "smbclient", [`//${f.hubOverlayIp}/${share}`, "-A", authFile, "--configfile=/dev/null", "-c", command]);
  return runAsync(cmd, args, { timeoutMs: 30000 });
}

/** nc -z from a host: "connected", "timed out", "refused" or the error it printed. */
async function tcpConnect(ns: string, ip: string, port: number, waitS: number): Promise<string> {
  const [cmd, args] = inNs(ns, "nc", ["-z", "-v", "-w", String(waitS), ip, String(port)]);
  const r = await runAsync(cmd, args, { timeoutMs: (waitS + 5) * 1000 });
  if (r.status === 0) return "connected";
  const text = `${r.stdout}${r.stderr}`;
  if (/timed out|Operation now in progress/i.test(text)) return "timed out";
  if (/refused/i.test(text)) return "refused";
  return text.trim().split("\n").pop() ?? `exit ${r.status}`;
}

function lastLine(r: RunResult): string {
  return `${r.stdout}\n${r.stderr}`.trim().split("\n").filter((l) => l.trim() !== "").pop() ?? `exit ${r.status}`;
}

export function sections(shape: FarmShape): Section[] {
  const { workers, boss } = shape;
  const pairs = workers.length >= 2 ? workers.map((w, i) => [w, workers[(i + 1) % workers.length]]) : [];
  const matrix = liveMatrix(shape);

  const overlay: Section = {
    title: "overlay",
    names: [
      ...workers.map((w) => `overlay: ${w} joins and reaches the hub`),
      `join: npm run join -- --start puts ${boss} on the overlay`,
      `overlay: ${boss} reaches the hub`,
      ...pairs.map(([a, b]) => `lighthouse: ${a} finds ${b}`),
    ],
    async run(f) {
      const t0 = Date.now();
      f.startNebula(f.hub);
      for (const w of f.workerHosts) f.startNebula(w);
      const join = f.startBossJoin();
      const reached = await Promise.all(f.workerHosts.map((w) => f.reach(w, f.hubOverlayIp, 15000)));
      const j = await join;
      const bossReach = await f.reach(f.boss, f.hubOverlayIp, 5000);
      f.joinedMs = Math.max(...reached.map((r) => r ?? Infinity), j.status === 0 ? j.ms : Infinity);
      f.say(`all hosts joined ${f.joinedMs === Infinity ? "(not all)" : `in ${f.joinedMs} ms`} after nebula started on the hub (${Date.now() - t0} ms)`);
      const lights = await Promise.all(pairs.map(async ([a, b]) => {
        const ms = await f.reach(byName(f, a), byName(f, b).overlayIp, 5000);
        return [ms !== undefined, ms !== undefined ? `${byName(f, b).overlayIp} answered after ${ms} ms` : "no answer in 5 s"] as Outcome;
      }));
      const joinLine = j.stdout.trim().split("\n").pop() ?? "";
      return [
        ...reached.map((ms) => [ms !== undefined, ms !== undefined ? `${ms} ms` : "no answer in 15 s"] as Outcome),
        [j.status === 0 && /the hub \S+ answers/.test(joinLine), j.status === 0 ? joinLine.replace(/\. Stop it.*$/, "").replace(/, log [^)]*\)/, ")") : `exit ${j.status}: ${lastLine(j)}`],
        [bossReach !== undefined, bossReach !== undefined ? `${bossReach} ms` : "no answer in 5 s"],
        ...lights,
      ];
    },
  };

  const samba: Section = {
    title: "samba",
    names: [
      "samba: smbd listens on the hub's overlay address only",
      `samba: ${boss} writes to the oomerfarm share with the join credentials`,
      ...workers.map((w) => `samba: ${w} reads it back byte for byte`),
      "samba: the file belongs to the share's Unix account on the hub",
      "samba: a wrong password is refused",
    ],
    async run(f) {
      f.prepareSamba();
      const up = await f.startSmbd();
      const sockets = run("ip", ["netns", "exec", f.hub.ns, "ss", "-Hltn", "sport = :445"]).stdout.trim().split("\n").filter((l) => l !== "").map((l) => l.split(/\s+/)[3]);
      const onlyOverlay = up && sockets.length > 0 && sockets.every((s) => s === `${f.hubOverlayIp}:445`);
      const out: Outcome[] = [[onlyOverlay, up ? `listening on ${sockets.join(" ")}` : "smbd did not listen within 10 s"]];

      const src = path.join(f.tmp, "check.bin");
      fs.writeFileSync(src, crypto.randomBytes(1024 * 1024 + 17));
      const put = await smbclient(f, f.boss, path.join(f.boss.dir, "samba.credentials"), "oomerfarm", `put ${src} demo-check.bin`);
      out.push([put.status === 0, put.status === 0 ? `1 MiB in ${put.ms} ms` : lastLine(put)]);
      const want = sha256(src);
      out.push(...(await Promise.all(f.workerHosts.map(async (w): Promise<Outcome> => {
        // Each worker uses its own generated secret, not the boss's copy.
        const auth = path.join(w.dir, "samba.auth");
        fs.writeFileSync(auth, `username=${f.sambaUser}\npassword=${fileText(f.workerFiles.get(w.name)!, "/etc/oomerfarm/secrets/samba.password").trim()}\n`, { mode: 0o600 });
        const dest = path.join(w.dir, "check.bin");
        const get = await smbclient(f, w, auth, "oomerfarm", `get demo-check.bin ${dest}`);
        if (get.status !== 0) return [false, lastLine(get)];
        const got = sha256(dest);
        return [got === want, got === want ? `sha256 ${got.slice(0, 12)}… matches` : `sha256 ${got} differs`];
      }))));
      const onDisk = path.join(f.hubDir(), "mnt/oomerfarm/demo-check.bin");
      const uid = fs.existsSync(onDisk) ? fs.statSync(onDisk).uid : -1;
      const wantUid = Number(run("id", ["-u", f.sambaUser]).stdout.trim());
      out.push([uid === wantUid, uid < 0 ? "not on the hub's disk" : `uid ${uid} (${f.sambaUser} is ${wantUid})`]);
      const bad = path.join(f.tmp, "wrong.auth");
      fs.writeFileSync(bad, `username=${f.sambaUser}\npassword=not-the-${crypto.randomBytes(6).toString("hex")}\n`, { mode: 0o600 });
      const refused = await smbclient(f, byName(f, workers[0]), bad, "oomerfarm", "ls");
      out.push([refused.status !== 0 && /LOGON_FAILURE/.test(refused.stdout + refused.stderr), refused.status !== 0 ? lastLine(refused) : "the share opened"]);
      return out;
    },
  };

  const firewall: Section = {
    title: "firewall",
    names: [
      ...matrix.map((c) => c.name),
      `underlay: ${boss} -> ${HUB_UNDERLAY}:${SMB_PORT} does not connect`,
      `underlay: ${boss} -> ${HUB_UNDERLAY}:${MONGODB_PORT} does not connect`,
      `underlay: ${workers[0]} -> ${HUB_UNDERLAY}:${SMB_PORT} does not connect`,
      `underlay: ${workers[0]} -> ${HUB_UNDERLAY}:${MONGODB_PORT} does not connect`,
    ],
    async run(f) {
      // Listeners bound where the real services bind: smbd is already on the hub's 445; MongoDB's
      // port on the addresses of the generated mongod.conf; any other port on the overlay address.
      const mongoBind = String((parse(fileText(f.hubFiles, "/etc/mongod.conf")) as { net: { bindIp: string } }).net.bindIp).split(",").map((s) => s.trim());
      const listeners: Started[] = [];
      const want = new Set<string>();
      for (const c of matrix.filter((x) => x.proto === "tcp")) want.add(`${c.dst} ${c.port}`);
      want.add(`hub ${MONGODB_PORT}`);
      const waits: Array<[Host, string, number]> = [];
      for (const key of want) {
        const [name, p] = key.split(" ");
        const h = byName(f, name);
        const port = Number(p);
        if (h.role === "hub" && port === SMB_PORT) continue;
        const addrs = h.role === "hub" && port === MONGODB_PORT ? mongoBind : [h.overlayIp];
        for (const a of addrs) {
          const [cmd, args] = inNs(h.ns, "nc", ["-d", "-k", "-l", a, String(port)]);
          listeners.push(f.procs.start(`nc ${name}:${port}`, cmd, args, path.join(f.tmp, "nc.log")));
          waits.push([h, a, port]);
        }
      }
      try {
        const ready = await waitUntil(() => waits.every(([h, a, port]) => f.listening(h, a, port)), 5000, 50);
        if (ready === undefined) throw new Error("the nc listeners did not come up within 5 s");
        const matrixOut = matrix.map(async (c): Promise<Outcome> => {
          const src = byName(f, c.src);
          const dst = byName(f, c.dst);
          if (c.proto === "icmp") {
            const ok = await f.ping(src, dst.overlayIp, 3);
            return [ok === c.allowed, ok ? "echo reply" : "no reply in 3 s"];
          }
          const got = await tcpConnect(src.ns, dst.overlayIp, c.port!, 3);
          return [c.allowed ? got === "connected" : got === "timed out", got];
        });
        const underlay = [f.boss, byName(f, workers[0])].flatMap((h) => [SMB_PORT, MONGODB_PORT].map(async (port): Promise<Outcome> => {
          const got = await tcpConnect(h.ns, HUB_UNDERLAY, port, 3);
          return [got !== "connected", got];
        }));
        return await Promise.all([...matrixOut, ...underlay]);
      } finally {
        for (const l of listeners) f.procs.stop(l, "SIGTERM", 1000);
      }
    },
  };

  const faults: Section = {
    title: "faults",
    names: [
      "fault: hub nebula killed and restarted, all workers back in 10 s",
      "fault: smbd restarted, a new session works",
      ...inhouseNames(workers.length),
    ],
    async run(f) {
      const out: Outcome[] = [];
      f.procs.stop(f.hub.nebula!, "SIGKILL", 2000);
      f.startNebula(f.hub);
      const back = await Promise.all(f.workerHosts.map((w) => f.reach(w, f.hubOverlayIp, HUB_RESTART_LIMIT_MS)));
      const worst = Math.max(...back.map((b) => b ?? Infinity));
      out.push([worst <= HUB_RESTART_LIMIT_MS, worst === Infinity ? `${back.filter((b) => b === undefined).length} worker(s) not back in 10 s` : `slowest worker back after ${worst} ms`]);

      f.stopSmbd();
      const up = await f.startSmbd();
      const w = f.workerHosts[0];
      const ls = up ? await smbclient(f, w, path.join(w.dir, "samba.auth"), "oomerfarm", "ls demo-check.bin") : undefined;
      out.push([ls?.status === 0 && /demo-check\.bin/.test(ls.stdout), !up ? "smbd did not listen again" : ls!.status === 0 ? `new session from ${w.name} lists the file` : lastLine(ls!)]);

      out.push(...(await runInhouse(f)));
      return out;
    },
  };

  // After the firewall matrix (which needs every worker), before the faults; it un-revokes.
  const revocation: Section = {
    title: "revocation",
    names: revocationNames(workers, boss),
    run: runRevocation,
  };

  return [overlay, samba, firewall, revocation, faults];
}
