// The live farm in a box: hub, workers and the boss each in a network namespace on the private
// underlay, running real nebula with the plan's configs and real smbd on the hub. start() builds
// it, teardown() removes every namespace, process and temporary file it made.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BootFile } from "../../cloud-init/cloudConfig";
import { fileText, hostBootFiles, inhouseSlotsFor, installFiles, Plan, REPO, runPlan } from "./artifacts";
import { pidAlive, Procs, Started, stopPid } from "./procs";
import { remapNebulaConfig, remapSmbConf, SAMBA_STATE_SUBDIRS, smbSharePaths } from "./remap";
import { inNs, must, run, runAsync, RunResult, waitUntil } from "./sh";
import { Underlay, UNDERLAY_PREFIX } from "./netns";

export const HUB_OCTET = 1;
export const BOSS_OCTET = 5;
export const BOX_OCTET = 6;
/** the in-house machine that runs the bundle's first slot */
export const INHOUSE_OCTET = 7;
export const WORKER_OCTET_BASE = 10;
/** Temporary roots are named after the demo's PID, so a later run can remove a killed run's. */
export const TMP_PREFIX = "oomerfarm-demo-";

/** Removes temporary roots of earlier runs whose process is gone (killed with SIGKILL). */
export function removeStaleTmp(): string[] {
  const gone = fs.readdirSync(os.tmpdir()).filter((n) => {
    const m = new RegExp(`^${TMP_PREFIX}(\\d+)-`).exec(n);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  });
  for (const n of gone) fs.rmSync(path.join(os.tmpdir(), n), { recursive: true, force: true });
  return gone;
}

export function workerName(slot: number): string {
  return `worker${String(slot).padStart(4, "0")}`;
}

export interface Host {
  name: string;
  role: "hub" | "worker" | "boss";
  ns: string;
  underlayIp: string;
  overlayIp: string;
  /** where its files live under the demo's temporary root */
  dir: string;
  nebula?: Started;
}

export class Farm {
  readonly tmp: string;
  readonly procs = new Procs();
  underlay?: Underlay;
  plan?: Plan;
  hosts: Host[] = [];
  /** the in-house box worker.sh checks slots from */
  boxNs = "";
  /** the in-house worker started from the bundle's files (not one of `hosts`: no cloud server) */
  inhouseHost?: Host;
  farmName = "";
  bossName = "";
  hubOverlayIp = "";
  nebulaPort = 42042;
  sambaUser = "";
  /** the hub's generated files, decoded */
  hubFiles: BootFile[] = [];
  workerFiles = new Map<string, BootFile[]>();
  smbConf = "";
  smbd?: Started;
  joinRun?: Promise<RunResult>;
  /** first nebula start to every host reaching the hub (overlay section) */
  joinedMs?: number;
  private tornDown = false;

  constructor(readonly workers: number, readonly say: (line: string) => void) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${TMP_PREFIX}${process.pid}-`));
    // smbd works as the share's owner (uid 3000) below this directory: it must be traversable.
    fs.chmodSync(this.tmp, 0o755);
  }

  get hub(): Host {
    return this.hosts.find((h) => h.role === "hub")!;
  }
  get boss(): Host {
    return this.hosts.find((h) => h.role === "boss")!;
  }
  get workerHosts(): Host[] {
    return this.hosts.filter((h) => h.role === "worker");
  }
  get hubEndpoint(): string {
    return `${UNDERLAY_PREFIX}.${HUB_OCTET}:${this.nebulaPort}`;
  }

  /** Plan, files, namespaces. No process runs yet. */
  async prepare(): Promise<void> {
    this.plan = await runPlan(path.join(this.tmp, "plan"), this.workers);
    const o = this.plan.outputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    this.farmName = String(o.farm);
    this.hubOverlayIp = String(o.nebula.hubOverlayIp);
    this.nebulaPort = Number(o.nebula.port);
    this.sambaUser = String(o.sambaUser);
    this.bossName = Object.keys(o.bosses)[0];
    this.say(`plan: ${this.workers} worker(s), boss ${this.bossName}, fresh keys (${this.plan.ms} ms)`);

    this.underlay = new Underlay();
    const add = (name: string, role: Host["role"], octet: number, overlayIp: string): Host => {
      const h: Host = { name, role, ns: this.underlay!.host(name, octet), underlayIp: `${UNDERLAY_PREFIX}.${octet}`, overlayIp, dir: path.join(this.tmp, "hosts", name) };
      this.hosts.push(h);
      return h;
    };
    this.hubFiles = hostBootFiles(this.plan.dir, "hub");
    add("hub", "hub", HUB_OCTET, this.hubOverlayIp);
    installFiles(this.hubDir(), this.hubFiles);
    for (let i = 1; i <= this.workers; i++) {
      const name = workerName(i);
      const files = hostBootFiles(this.plan.dir, name);
      this.workerFiles.set(name, files);
      const ip = /^OVERLAY_IP='([^']+)'/m.exec(fileText(files, "/etc/oomerfarm/farm.env"))?.[1] ?? "";
      const h = add(name, "worker", WORKER_OCTET_BASE + i, ip);
      installFiles(h.dir, files);
    }
    add(this.bossName, "boss", BOSS_OCTET, String(o.bosses[this.bossName].overlayIp));
    this.boxNs = this.underlay.host("inhouse", BOX_OCTET);
    const slot = workerName(inhouseSlotsFor(this.workers).online);
    this.inhouseHost = { name: slot, role: "worker", ns: this.underlay.host(slot, INHOUSE_OCTET), underlayIp: `${UNDERLAY_PREFIX}.${INHOUSE_OCTET}`, overlayIp: "", dir: path.join(this.tmp, "hosts", slot) };
    this.say(`underlay: ${this.hosts.length + 2} namespaces on a bridge in ${this.underlay.bridgeNs} (${UNDERLAY_PREFIX}.0/24)`);
  }

  hubDir(): string {
    return path.join(this.tmp, "hosts", "hub");
  }

  /** The hub's SHARE_DIR (farm.env) under the demo's root: what smbd serves as the oomerfarm share. */
  hubShareDir(): string {
    const dir = /^SHARE_DIR='([^']+)'/m.exec(fileText(this.hubFiles, "/etc/oomerfarm/farm.env"))?.[1];
    if (!dir) throw new Error("the hub's farm.env lacks SHARE_DIR");
    return path.join(this.hubDir(), dir);
  }

  /** The config file nebula runs with on h (the boss's is written by `join`). */
  nebulaConfigPath(h: Host): string {
    return h.role === "boss" ? path.join(h.dir, "config.yml") : path.join(h.dir, "etc/nebula/demo-config.yml");
  }

  /** The PID of h's nebula: started here, or by `join --start` for the boss (nebula.pid). */
  nebulaPid(h: Host): number | undefined {
    if (h.nebula) return h.nebula.pid;
    const file = path.join(h.dir, "nebula.pid");
    const pid = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8").trim()) : NaN;
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** The host's generated Nebula config with paths, tun name and hub endpoint remapped. */
  private nebulaConfigFor(h: Host, generated: string): string {
    const text = remapNebulaConfig(generated, {
      pkiDir: path.join(h.dir, "etc/nebula"),
      tunDev: `of-${h.name}`.slice(0, 15),
      hubEndpoint: this.hubEndpoint,
    });
    const file = this.nebulaConfigPath(h);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  /** nebula in h's namespace with its generated config (the plan's, or `generated` if given). */
  startNebula(h: Host, generated?: string): Started {
    const files = h.role === "hub" ? this.hubFiles : this.workerFiles.get(h.name);
    const config = this.nebulaConfigFor(h, generated ?? fileText(files ?? [], "/etc/nebula/config.yml"));
    const [cmd, args] = inNs(h.ns, "nebula", ["-config", config]);
    h.nebula = this.procs.start(`nebula ${h.name}`, cmd, args, path.join(h.dir, "nebula.log"));
    return h.nebula;
  }

  /**
   * The boss joins with the real `npm run join -- --start`, fed the plan's outputs with the hub's
   * public address replaced by its underlay address (what `pulumi stack output` would say).
   */
  startBossJoin(): Promise<RunResult> {
    const o = JSON.parse(JSON.stringify(this.plan!.outputs)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    o.nebula.hubEndpoint = this.hubEndpoint;
    o.hubPublicIp = `${UNDERLAY_PREFIX}.${HUB_OCTET}`;
    const file = path.join(this.tmp, "boss-outputs.json");
    fs.writeFileSync(file, JSON.stringify(o), { mode: 0o600 });
    const tsx = path.join(REPO, "node_modules/.bin/tsx");
    const [cmd, args] = inNs(this.boss.ns, tsx, [path.join(REPO, "tools/join.ts"), "--outputs", file, "--boss", this.bossName, "--dir", this.boss.dir, "--os", "linux", "--start"]);
    this.joinRun = runAsync(cmd, args, { timeoutMs: 60000 });
    return this.joinRun;
  }

  ping(from: Host | string, ip: string, waitS = 1): Promise<boolean> {
    const ns = typeof from === "string" ? from : from.ns;
    const [cmd, args] = inNs(ns, "ping", ["-c", "1", "-W", String(waitS), ip]);
    return runAsync(cmd, args, { timeoutMs: (waitS + 2) * 1000 }).then((r) => r.status === 0);
  }

  /** Waits until h answers... from `from`; returns ms or undefined. */
  reach(from: Host, ip: string, ms: number): Promise<number | undefined> {
    return waitUntil(() => this.ping(from, ip), ms, 50);
  }

  listening(h: Host, ip: string, port: number): boolean {
    const r = run("ip", ["netns", "exec", h.ns, "ss", "-Hltn", `src ${ip}`, `sport = :${port}`]);
    return r.stdout.trim() !== "";
  }

  /** The oomerfarm Unix account smbd maps the Samba user to (uid from farm.env), made if missing. */
  ensureUnixUser(): void {
    const uid = /SAMBA_UID='(\d+)'/.exec(fileText(this.hubFiles, "/etc/oomerfarm/farm.env"))?.[1] ?? "3000";
    if (run("getent", ["passwd", this.sambaUser]).status === 0) return;
    if (run("getent", ["group", this.sambaUser]).status !== 0) {
      const gidFree = run("getent", ["group", uid]).status !== 0;
      must("groupadd", ["--system", ...(gidFree ? ["-g", uid] : []), this.sambaUser]);
    }
    const uidFree = run("getent", ["passwd", uid]).status !== 0;
    must("useradd", ["--system", "-M", ...(uidFree ? ["-u", uid] : []), "-g", this.sambaUser, "-s", "/usr/sbin/nologin", this.sambaUser]);
    this.say(`added the Unix account ${this.sambaUser}${uidFree ? ` (uid ${uid})` : ""} for smbd; it stays for later runs`);
  }

  /** The generated smb.conf under the temporary root, a private passdb with the generated password. */
  prepareSamba(): void {
    this.ensureUnixUser();
    const original = fileText(this.hubFiles, "/etc/samba/smb.conf");
    const state = path.join(this.hubDir(), "samba-state");
    for (const d of SAMBA_STATE_SUBDIRS) fs.mkdirSync(path.join(state, d), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.join(state, "private"), 0o700);
    this.smbConf = path.join(this.hubDir(), "etc/samba/demo-smb.conf");
    fs.writeFileSync(this.smbConf, remapSmbConf(original, this.hubDir(), state));
    for (const p of Object.values(smbSharePaths(original))) {
      const dir = path.join(this.hubDir(), p);
      fs.mkdirSync(dir, { recursive: true, mode: 0o775 });
      must("chown", [`${this.sambaUser}:${this.sambaUser}`, dir]);
    }
    const password = fileText(this.hubFiles, "/etc/oomerfarm/secrets/samba.password").trim();
    must("smbpasswd", ["-c", this.smbConf, "-s", "-a", this.sambaUser], { input: `${password}\n${password}\n` });
  }

  /** smbd in its own session (it signals its process group on exit) inside the hub namespace. */
  async startSmbd(): Promise<boolean> {
    const [cmd, args] = inNs(this.hub.ns, "smbd", ["-F", "--no-process-group", "-s", this.smbConf]);
    this.smbd = this.procs.start("smbd", cmd, args, path.join(this.hubDir(), "smbd.stdout.log"), true);
    return (await waitUntil(() => this.listening(this.hub, this.hubOverlayIp, 445), 10000, 100)) !== undefined;
  }

  stopSmbd(): void {
    if (this.smbd) this.procs.stop(this.smbd, "SIGTERM", 5000);
    this.smbd = undefined;
  }

  /** Everything, in reverse: processes by PID, namespaces (and anything left in them), files. */
  teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    this.procs.stopAll();
    // The boss's nebula was started by `join --start` (detached): its PID is in nebula.pid.
    const bossHost = this.hosts.find((h) => h.role === "boss");
    const pid = bossHost ? this.nebulaPid(bossHost) : undefined;
    if (pid !== undefined) stopPid(pid, "SIGTERM", 2500);
    this.underlay?.teardown();
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
