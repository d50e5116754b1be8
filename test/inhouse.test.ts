// cloud-init/inhouse/worker.sh: the bash + python3 + openssl side of the keybundle, slot choice,
// the files it writes, and the "is this slot online already?" probe (fake and live Nebula).

import { spawnSync, SpawnSyncOptions } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FarmFacts } from "../cloud-init/hostFiles";
import { buildInhouseBundle } from "../cloud-init/inhouseBundle";
import { InhouseBundle, parseInhouseBundle, sealKeybundle } from "../lib/keybundle";
import { defaultCommon, fakeSlotFiles, file, haveTools, makeBundle, REPO, slotName } from "./fixtures/inhouse/bundle";
import { startLiveFarm } from "./fixtures/inhouse/live";
import { runOnPty } from "./fixtures/inhouse/pty";

const WORKER_SH = path.join(REPO, "cloud-init/inhouse/worker.sh");
const FAKE_NEBULA = path.join(REPO, "test/fixtures/inhouse/fake-nebula.sh");
const PASSWORD = "correct horse battery staple";
const TOOLS = haveTools("bash", "python3", "openssl", "unshare", "ip", "ping");
const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  if (process.env.CI === "true") throw new Error("test/inhouse.test.ts needs root (network namespaces)");
  // eslint-disable-next-line no-console
  console.log("skipping worker.sh tests: they need root for network namespaces");
}
const describeIf = TOOLS && isRoot ? describe : describe.skip;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inhouse-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function seal(bundle: InhouseBundle, name: string, scryptN = 2 ** 10): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, sealKeybundle(Buffer.from(JSON.stringify(bundle)), PASSWORD, { scryptN }));
  return f;
}

interface Run {
  status: number | null;
  stderr: string;
  stdout: string;
}

/** worker.sh in a fresh network namespace (`unshare -n`): no route anywhere, the fake probe tun. */
function worker(args: string[], opts: { env?: Record<string, string | undefined>; prefix?: string[]; input?: SpawnSyncOptions["stdio"] } = {}): Run {
  const prefix = opts.prefix ?? ["unshare", "-n"];
  const r = spawnSync(prefix[0], [...prefix.slice(1), "bash", WORKER_SH, ...args], {
    encoding: "utf8",
    stdio: opts.input ?? ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      OOMERFARM_BUNDLE_PASSWORD: PASSWORD,
      NEBULA_BIN: FAKE_NEBULA,
      FAKE_NEBULA_LOG: path.join(tmp, "fake-nebula.log"),
      ...opts.env,
    },
    timeout: 60000,
  });
  return { status: r.status, stderr: String(r.stderr), stdout: String(r.stdout) };
}

describeIf("worker.sh", () => {
  const bundle = makeBundle({ slots: [91, 92, 93] });
  let sealed: string;
  beforeAll(() => {
    sealed = seal(bundle, "b.okb");
  });

  test("passes shellcheck (and so does the fake nebula)", () => {
    if (!haveTools("shellcheck")) return;
    const r = spawnSync("shellcheck", [WORKER_SH, FAKE_NEBULA], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });

  test.each([
    ["worker0091", "91"],
    ["worker0001", "1"],
    ["worker0254.farm.example", "254"],
    ["worker1000", "1000"],
    ["worker0000", null],
    ["worker91", null],
    ["worker00911", null],
    ["laptop", null],
    ["", null],
  ])("slot_from_hostname %j -> %j", (name, slot) => {
    const r = spawnSync("bash", ["-c", 'source "$1" && slot_from_hostname "$2"', "bash", WORKER_SH, name], { encoding: "utf8" });
    if (slot === null) {
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe("");
    } else {
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${slot}\n`);
    }
  });

  test("opens a bundle sealed by lib/keybundle.ts and writes the slot's files byte for byte", () => {
    const root = path.join(tmp, "root-92");
    const r = worker(["--bundle", sealed, "--slot", "92", "--root", root]);
    expect(r.stderr).toMatch(/bundle holds slot\(s\) 91-93; using slot 92 \(worker0092, 10\.87\.99\.92\)/);
    expect(r.stderr).toMatch(/slot 92 \(worker0092, 10\.87\.99\.92\) is free/);
    expect(r.stderr).toMatch(/files of worker0092: 10 of 10 file\(s\) changed/);
    expect(r.status).toBe(0);

    const slot = bundle.slots.find((s) => s.slot === 92)!;
    for (const f of [...bundle.common, ...slot.files]) {
      const written = path.join(root, f.path);
      expect(fs.readFileSync(written).equals(Buffer.from(f.content, "base64"))).toBe(true);
      const secret = f.path.endsWith(".key") || f.path.includes("/secrets/");
      expect([f.path, fs.statSync(written).mode & 0o777]).toEqual([f.path, secret ? 0o600 : parseInt(f.permissions, 8)]);
    }
    expect(fs.statSync(path.join(root, "etc/oomerfarm/secrets")).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(root, "var/lib/oomerfarm/inhouse-slot"), "utf8")).toBe("92\n");
    // The probe identity is used from a private staging directory and never lands in the root.
    expect(fs.existsSync(path.join(root, "etc/oomerfarm/probe"))).toBe(false);

    // The fake nebula saw the probe config, rewritten to the staged probe files; the private
    // staging directory (in /dev/shm when it can) is gone afterwards.
    const log = fs.readFileSync(path.join(tmp, "fake-nebula.log"), "utf8").split("\n");
    expect(log[0]).toMatch(/^\/(dev\/shm|tmp)\/oomerfarm-inhouse\.\w+\/probe\/config\.yml$/);
    expect(fs.existsSync(path.dirname(path.dirname(log[0])))).toBe(false);
    expect(log[1]).toBe("stopped");
    const staged = path.join(tmp, "fake-nebula.log.probe-dir");
    const config = JSON.parse(fs.readFileSync(path.join(staged, "config.yml"), "utf8"));
    const stageDir = path.dirname(log[0]);
    expect(config.pki).toEqual({ ca: `${stageDir}/ca.crt`, cert: `${stageDir}/host.crt`, key: `${stageDir}/host.key` });
    expect(config.tun.dev).toBe("oomerprobe");
    for (const f of bundle.probe.files.filter((x) => !x.path.endsWith("config.yml"))) {
      expect(fs.readFileSync(path.join(staged, path.basename(f.path))).equals(Buffer.from(f.content, "base64"))).toBe(true);
    }
    fs.rmSync(staged, { recursive: true });

    // Idempotent: a second run changes nothing.
    const again = worker(["--bundle", sealed, "--slot", "92", "--root", root]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/files of worker0092: 0 of 10 file\(s\) changed/);
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });
  });

  test("--check-only with the default scrypt cost: exit 0, nothing written", () => {
    const slow = seal(bundle, "slow.okb", 2 ** 15);
    const root = path.join(tmp, "root-check");
    const r = worker(["--bundle", slow, "--slot", "93", "--root", root, "--check-only"]);
    expect(r.stderr).toMatch(/slot 93 \(worker0093, 10\.87\.99\.93\) is free/);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(root)).toEqual([]);
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });
  });

  test("without --root: the real paths, then it execs run-steps.sh worker (host kept clean by overlays)", () => {
    const ov = path.join(tmp, "overlay");
    const overlayRoot = path.join(REPO, "test/fixtures/inhouse/overlay-root.sh");
    const r = worker(["--bundle", sealed, "--slot", "93"], { prefix: ["unshare", "-m", "-n", "--propagation", "private", "bash", overlayRoot, ov] });
    expect(r.stderr).toMatch(/running \/usr\/local\/lib\/oomerfarm\/run-steps\.sh worker\n$/);
    expect(r.stdout).toBe("run-steps worker\n"); // the bundle's run-steps.sh, run with the role
    expect(r.status).toBe(0);
    const slot = bundle.slots.find((s) => s.slot === 93)!;
    const upper = (p: string) => path.join(ov, p.startsWith("/usr/local/") ? "usr_local-up" : p.startsWith("/var/") ? "var-up" : "etc-up", p.replace(/^\/(usr\/local|var|etc)\//, ""));
    for (const f of [...bundle.common, ...slot.files]) {
      expect(fs.readFileSync(upper(f.path)).equals(Buffer.from(f.content, "base64"))).toBe(true);
    }
    expect(fs.readFileSync(upper("/var/lib/oomerfarm/inhouse-slot"), "utf8")).toBe("93\n");
    expect(fs.existsSync("/etc/oomerfarm/host.env") && fs.readFileSync("/etc/oomerfarm/host.env", "utf8").includes("worker0093")).toBe(false);
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });
  });

  test("online check: a slot that answers is refused (3), an unreachable farm is not called free (4)", () => {
    const root = path.join(tmp, "root-online");
    const fakeLog = path.join(tmp, "fake-nebula.log");
    fs.rmSync(fakeLog, { force: true });
    const online = worker(["--bundle", sealed, "--slot", "91", "--root", root], { env: { FAKE_ONLINE_IP: "10.87.99.91" } });
    expect(online.stderr).toMatch(
      /worker\.sh: slot 91 \(worker0091, 10\.87\.99\.91\) is online already on another machine: pick another slot with --slot \(this bundle holds 91-93\)\n$/,
    );
    expect(online.status).toBe(3);
    expect(fs.existsSync(path.join(root, "etc"))).toBe(false); // nothing written for a taken slot
    expect(fs.readFileSync(fakeLog, "utf8")).toMatch(/stopped\n$/); // the probe was stopped
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });

    const unreachable = worker(["--bundle", sealed, "--slot", "91", "--root", root, "--check-only"], { env: { FAKE_HUB_IP: "none" } });
    expect(unreachable.stderr).toMatch(/cannot tell whether slot 91 is free: the hub 10\.87\.0\.1 did not answer through the probe tunnel/);
    expect(unreachable.status).toBe(4);
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });

    fs.rmSync(fakeLog, { force: true });
    const skipped = worker(["--bundle", sealed, "--slot", "91", "--root", root, "--no-online-check"], { env: { FAKE_HUB_IP: "none" } });
    expect(skipped.stderr).toMatch(/WARNING: --no-online-check: not asking the farm whether slot 91/);
    expect(skipped.status).toBe(0);
    expect(fs.existsSync(fakeLog)).toBe(false); // no probe started
    expect(fs.readFileSync(path.join(root, "var/lib/oomerfarm/inhouse-slot"), "utf8")).toBe("91\n");
  });

  test("a slot's file wins over a common file with the same path", () => {
    const perSlot = makeBundle({
      slots: [91, 92],
      slotFiles: (slot) => [...fakeSlotFiles(slot), file("/etc/oomerfarm/farm.env", `HOST_NAME='${slotName(slot)}'\n`)],
    });
    const root = path.join(tmp, "root-override");
    const r = worker(["--bundle", seal(perSlot, "override.okb"), "--slot", "91", "--root", root]);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(root, "etc/oomerfarm/farm.env"), "utf8")).toBe("HOST_NAME='worker0091'\n");
    expect(r.stderr).toMatch(/files of worker0091: 10 of 10 file\(s\) changed/); // 6 common - 1 + 5 own
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });
  });

  test("without NEBULA_BIN or nebula on PATH it uses the pinned release via fetch_verified", () => {
    // A PATH holding everything worker.sh needs except nebula (and curl: no network either).
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    const tools = ["bash", "env", "unshare", "openssl", "hostname", "mktemp", "rm", "mkdir", "mv", "cat", "ip", "ping", "sleep",
      "tail", "awk", "grep", "tar", "gzip", "sha256sum", "cut", "dirname", "date", "find", "head", "chmod", "cp", "basename"];
    for (const t of tools) {
      const where = spawnSync("bash", ["-c", `command -v ${t}`], { encoding: "utf8" }).stdout.trim();
      fs.symlinkSync(where, path.join(bin, t));
    }
    fs.symlinkSync(fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : spawnSync("bash", ["-c", "command -v python3"], { encoding: "utf8" }).stdout.trim(), path.join(bin, "python3"));

    // The "release": a tarball with nebula in a subdirectory, cached where the nebula step keeps it.
    const rel = path.join(tmp, "release");
    fs.mkdirSync(path.join(rel, "nebula-9.9.9"), { recursive: true });
    fs.copyFileSync(FAKE_NEBULA, path.join(rel, "nebula-9.9.9/nebula"));
    const tarball = path.join(tmp, "nebula.tar.gz");
    expect(spawnSync("tar", ["-czf", tarball, "-C", rel, "nebula-9.9.9"]).status).toBe(0);
    const sha = crypto.createHash("sha256").update(fs.readFileSync(tarball)).digest("hex");
    const root = path.join(tmp, "root-fetch");
    fs.mkdirSync(path.join(root, "var/cache/oomerfarm"), { recursive: true });
    fs.copyFileSync(tarball, path.join(root, "var/cache/oomerfarm/nebula-9.9.9-linux-amd64.tar.gz"));

    const pinned = (sha256: string) =>
      seal(makeBundle({ slots: [91], common: defaultCommon(`NEBULA_VERSION='9.9.9'\nNEBULA_URL='https://example.invalid/nebula-linux-amd64.tar.gz'\nNEBULA_SHA256='${sha256}'\n`) }), `pinned-${sha256.slice(0, 4)}.okb`);
    const env = { NEBULA_BIN: undefined, PATH: bin };
    const r = worker(["--bundle", pinned(sha), "--slot", "91", "--root", root, "--check-only"], { env });
    expect(r.stderr).toMatch(/reusing .*nebula-9\.9\.9-linux-amd64\.tar\.gz \(sha256 ok\)/);
    expect(r.stderr).toMatch(/slot 91 \(worker0091, 10\.87\.99\.91\) is free/);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(tmp, "fake-nebula.log"), "utf8")).toMatch(/config\.yml\nstopped\n$/);
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });

    // A cached file that does not match the pin is not run; the download (no curl here) fails.
    const bad = worker(["--bundle", pinned("0".repeat(64)), "--slot", "91", "--root", root, "--check-only"], { env });
    expect(bad.stderr).toMatch(/sha256 [0-9a-f]{64}, want 0{64}: downloading again/);
    expect(bad.stderr).toMatch(/worker\.sh: could not fetch the pinned nebula release\n$/);
    expect(bad.status).toBe(1);
  });

  test("the slot comes from a workerNNNN hostname, else from an earlier run, else a clear error", () => {
    const root = path.join(tmp, "root-host");
    const inUts = (hostname: string) => ["unshare", "-n", "-u", "bash", "-c", `hostname ${hostname} && exec "$@"`, "bash"];
    const r = worker(["--bundle", sealed, "--root", root, "--check-only"], { prefix: inUts("worker0093") });
    expect(r.stderr).toMatch(/slot 93 from the hostname worker0093/);
    expect(r.status).toBe(0);
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });

    const none = worker(["--bundle", sealed, "--root", root], { prefix: inUts("laptop") });
    expect(none.stderr).toBe("worker.sh: no slot: pass --slot N, or name this machine workerNNNN (hostname is 'laptop')\n");
    expect(none.status).toBe(2);

    fs.mkdirSync(path.join(root, "var/lib/oomerfarm"), { recursive: true });
    fs.writeFileSync(path.join(root, "var/lib/oomerfarm/inhouse-slot"), "91\n");
    const recorded = worker(["--bundle", sealed, "--root", root, "--check-only"], { prefix: inUts("laptop") });
    expect(recorded.stderr).toMatch(/slot 91 from an earlier run/);
    expect(recorded.status).toBe(0);
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });
  });

  test("a slot outside the bundle is refused with the range it holds", () => {
    const r = worker(["--bundle", sealed, "--slot", "50", "--root", path.join(tmp, "root-50")]);
    expect(r.stderr).toBe("worker.sh: slot 50 is not in this bundle; it holds slot(s) 91-93 of farm test\n");
    expect(r.status).toBe(2);
    expect(fs.existsSync(path.join(tmp, "root-50/etc"))).toBe(false);
  });

  test("wrong password, flipped bytes, truncation and foreign files: clear messages, exit 2", () => {
    const good = fs.readFileSync(sealed);
    const variant = (name: string, data: Buffer): string => {
      const f = path.join(tmp, name);
      fs.writeFileSync(f, data);
      return f;
    };
    const flip = (offset: number): Buffer => {
      const b = Buffer.from(good);
      b[offset] ^= 0x80;
      return b;
    };
    const cases: Array<[string, Record<string, string>, string]> = [
      [sealed, { OOMERFARM_BUNDLE_PASSWORD: PASSWORD + "x" }, "keybundle: wrong password or the file was modified"],
      [variant("salt.okb", flip(30)), {}, "keybundle: wrong password or the file was modified"],
      [variant("ct.okb", flip(200)), {}, "keybundle: wrong password or the file was modified"],
      [variant("tag.okb", flip(good.length - 1)), {}, "keybundle: wrong password or the file was modified"],
      [variant("magic.okb", flip(0)), {}, "keybundle: not an oomerfarm keybundle (the file does not start with OOMERFKB)"],
      [variant("short.okb", good.subarray(0, 50)), {}, "keybundle: the file is truncated (50 bytes, a keybundle has at least 100)"],
      [variant("cut.okb", good.subarray(0, good.length - 10)), {}, `keybundle: the file is truncated or was modified (${good.length - 10} bytes, its header says ${good.length})`],
      [variant("greedy.okb", flip(9)), {}, "keybundle: scrypt parameters out of range (N=2^138, r=8, p=1); the file was modified or is not an oomerfarm keybundle"],
    ];
    for (const [file, env, message] of cases) {
      const r = worker(["--bundle", file, "--slot", "92", "--root", path.join(tmp, "root-bad")], { env, prefix: ["env"] });
      expect([file, r.stderr]).toEqual([file, `worker.sh: ${message}\n`]);
      expect(r.status).toBe(2);
    }
    expect(fs.existsSync(path.join(tmp, "root-bad/etc"))).toBe(false);
  });

  test("on a terminal it asks for the password without echo", async () => {
    if (!haveTools("script")) return;
    const env = { ...process.env, OOMERFARM_BUNDLE_PASSWORD: undefined, NEBULA_BIN: FAKE_NEBULA, FAKE_NEBULA_LOG: path.join(tmp, "fake-nebula.log") };
    const args = ["unshare", "-n", "bash", WORKER_SH, "--bundle", sealed, "--slot", "91", "--root", path.join(tmp, "root-tty"), "--check-only"];
    const ok = await runOnPty(args, [[/Keybundle password: /, PASSWORD]], env);
    expect(ok.output).toMatch(/slot 91 \(worker0091, 10\.87\.99\.91\) is free/);
    expect(ok.output).not.toContain(PASSWORD);
    expect(ok.status).toBe(0);
    fs.rmSync(path.join(tmp, "fake-nebula.log.probe-dir"), { recursive: true, force: true });
    const wrong = await runOnPty(args, [[/Keybundle password: /, "not the password"]], env);
    expect(wrong.output).toMatch(/worker\.sh: keybundle: wrong password or the file was modified/);
    expect(wrong.status).toBe(2);
  });

  test("never waits for a password without a terminal; bad arguments are usage errors", () => {
    const started = Date.now();
    const r = worker(["--bundle", sealed, "--slot", "92", "--root", path.join(tmp, "root-np")], {
      env: { OOMERFARM_BUNDLE_PASSWORD: undefined },
      prefix: ["env"],
      input: ["pipe", "pipe", "pipe"],
    });
    expect(r.stderr).toMatch(/^worker\.sh: no password: set OOMERFARM_BUNDLE_PASSWORD/);
    expect(r.status).toBe(2);
    expect(Date.now() - started).toBeLessThan(10000);

    for (const [args, message] of [
      [[], /--bundle is required/],
      [["--bundle"], /--bundle needs a file/],
      [["--bundle", "/nonexistent.okb"], /cannot read the bundle file \/nonexistent\.okb/],
      [["--bundle", sealed, "--slot", "x1"], /--slot must be a number 1\.\.9999, got 'x1'/],
      [["--bundle", sealed, "--slot", "0"], /--slot must be a number/],
      [["--bundle", sealed, "--frobnicate"], /unknown argument: --frobnicate/],
    ] as Array<[string[], RegExp]>) {
      const u = worker(args, { prefix: ["env"] });
      expect(u.stderr).toMatch(message);
      expect(u.status).toBe(2);
    }
  });

  test("a real bundle and a real probe: refuses the slot that is online, accepts a free one", async () => {
    if (!haveTools("nebula", "nebula-cert")) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inhouse-live-"));
    const farm = await startLiveFarm(dir, 91, [91, 92]);
    try {
      // The bundle exactly as the stack output builds it (cloud-init/inhouseBundle.ts).
      const facts: FarmFacts = {
        farmName: "live",
        overlayPrefix: 16,
        overlayCidr: "10.87.0.0/16",
        hubOverlayIp: "10.87.0.1",
        hubPublicIp: farm.hubPublicIp,
        nebulaPort: farm.nebulaPort,
        renderers: ["blender"],
        nebulaCaPem: farm.caPem,
        tlsCaPem: "fake tls ca\n",
        sambaPassword: "fake samba password",
        deadlineClientPfxBase64: Buffer.from("fake pfx").toString("base64"),
        deadlineClientPfxPassphrase: "fake pfx passphrase",
      };
      const slots = [91, 92].map((slot) => ({ ...farm.identities[slotName(slot)], slot }));
      const live = parseInhouseBundle(JSON.stringify(buildInhouseBundle(facts, slots, farm.identities.probe)));
      const f = seal(live, "live.okb");
      const inBox = ["ip", "netns", "exec", farm.ns.box];
      const env = { NEBULA_BIN: undefined }; // the real nebula from PATH

      const online = worker(["--bundle", f, "--slot", "91", "--root", path.join(dir, "root"), "--check-only"], { prefix: inBox, env });
      expect(online.stderr).toMatch(
        /worker\.sh: slot 91 \(worker0091, 10\.87\.99\.91\) is online already on another machine: pick another slot with --slot \(this bundle holds 91-92\)/,
      );
      expect(online.status).toBe(3);

      const free = worker(["--bundle", f, "--slot", "92", "--root", path.join(dir, "root"), "--check-only"], { prefix: inBox, env });
      expect(free.stderr).toMatch(/slot 92 \(worker0092, 10\.87\.99\.92\) is free/);
      expect(free.status).toBe(0);

      // Re-running on the machine that is slot 91 is not a clash: it already carries the IP.
      const self = worker(["--bundle", f, "--slot", "91", "--root", path.join(dir, "root91"), "--check-only"], {
        prefix: ["ip", "netns", "exec", farm.ns.worker],
        env,
      });
      expect(self.stderr).toMatch(/this machine already carries 10\.87\.99\.91: it is worker0091, no online check needed/);
      expect(self.status).toBe(0);

      // The same bundle writes a complete worker 92: its own farm.env, key and Nebula config,
      // which real nebula accepts (`nebula -test` reads the config and the pki it names).
      const root = path.join(dir, "root92");
      const full = worker(["--bundle", f, "--slot", "92", "--root", root], { prefix: inBox, env });
      expect(full.status).toBe(0);
      expect(fs.readFileSync(path.join(root, "etc/oomerfarm/farm.env"), "utf8")).toMatch(/^HOST_NAME='worker0092'$/m);
      expect(fs.readFileSync(path.join(root, "etc/nebula/host.key"), "utf8")).toBe(farm.identities.worker0092.keyPem);
      expect(fs.statSync(path.join(root, "etc/nebula/host.key")).mode & 0o777).toBe(0o600);
      const config = fs.readFileSync(path.join(root, "etc/nebula/config.yml"), "utf8").split("/etc/nebula/").join(`${root}/etc/nebula/`);
      fs.writeFileSync(path.join(root, "test-config.yml"), config);
      const check = spawnSync("nebula", ["-test", "-config", path.join(root, "test-config.yml")], { encoding: "utf8" });
      expect(check.stderr + check.stdout).not.toMatch(/level=(error|fatal)/);
      expect(check.status).toBe(0);
      expect(fs.existsSync(path.join(root, "usr/local/lib/oomerfarm/run-steps.sh"))).toBe(true);
      // The probe is gone afterwards: no tun left in the box, and it does not hold the slot's IP.
      const links = spawnSync("ip", ["-n", farm.ns.box, "-o", "link"], { encoding: "utf8" }).stdout;
      expect(links).not.toMatch(/oomerprobe/);
    } finally {
      farm.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const left = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
    expect(left).not.toMatch(new RegExp(farm.ns.br));
  });
});
