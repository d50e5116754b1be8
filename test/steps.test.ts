// The bash boot steps, their systemd units, mongo-bootstrap.py and bootFiles().
import { spawnSync, SpawnSyncReturns } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { bootFiles, RUN_STEPS, stepNames } from "../cloud-init/bootFiles";
import { packForTransport, stripForTransport } from "../cloud-init/payload";

const ROOT = join(__dirname, "..");
const STEPS = join(ROOT, "cloud-init", "steps");
const UNITS = join(ROOT, "cloud-init", "units");
const OS_FIXTURES = join(__dirname, "fixtures", "os-release");
const LIB = join(STEPS, "lib.sh");

function have(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

/** A missing tool fails under CI=true and skips (with the reason printed) elsewhere. */
function needTool(tool: string): boolean {
  if (have(tool)) return true;
  if (process.env.CI === "true") throw new Error(`${tool} is required under CI but not installed`);
  console.warn(`skipping: ${tool} not installed`);
  return false;
}

function bash(script: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, ...env } });
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "oomerfarm-steps-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const shellScripts = readdirSync(STEPS).filter((f) => f.endsWith(".sh"));

describe("shellcheck", () => {
  test("every step script passes at default severity", () => {
    if (!needTool("shellcheck")) return;
    expect(shellScripts.length).toBeGreaterThan(10);
    const r = spawnSync("shellcheck", ["-x", ...shellScripts], { cwd: STEPS, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("each step is strict and sources lib.sh", () => {
    for (const f of shellScripts.filter((f) => /^\d\d-/.test(f))) {
      const text = readFileSync(join(STEPS, f), "utf8");
      expect(text).toMatch(/^#!\/usr\/bin\/env bash\n/);
      expect(text).toContain("set -euo pipefail");
      expect(text).toContain('source "${OOMERFARM_LIB:-/usr/local/lib/oomerfarm/lib.sh}"');
    }
  });
});

describe("detect_os", () => {
  const detect = (fixture: string) =>
    bash(`source "${LIB}"; detect_os; echo "$OS_FAMILY $OS_MAJOR $PKG $OS_ID"`, {
      OS_RELEASE_FILE: join(OS_FIXTURES, fixture),
      OOMERFARM_LOG_DIR: join(tmp, "log-os"),
    });

  test.each([
    ["alma-8", "el 8 dnf almalinux"],
    ["alma-9", "el 9 dnf almalinux"],
    ["rocky-8", "el 8 dnf rocky"],
    ["rocky-9", "el 9 dnf rocky"],
    ["ubuntu-22.04", "ubuntu 22 apt ubuntu"],
    ["ubuntu-24.04", "ubuntu 24 apt ubuntu"],
  ])("%s is supported", (fixture, want) => {
    const r = detect(fixture);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(want);
  });

  test("Debian 12 fails with a message naming the OS and what is supported", () => {
    const r = detect("debian-12");
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("unsupported OS: Debian GNU/Linux 12 (bookworm)");
    expect(r.stderr).toContain("supported: AlmaLinux 8/9, Rocky Linux 8/9, Ubuntu 22.04/24.04");
  });

  test("a non-LTS Ubuntu and a missing file fail", () => {
    const f = join(tmp, "ubuntu-23.10");
    writeFileSync(f, 'ID=ubuntu\nVERSION_ID="23.10"\nPRETTY_NAME="Ubuntu 23.10"\n');
    expect(bash(`source "${LIB}"; detect_os`, { OS_RELEASE_FILE: f }).status).not.toBe(0);
    const r = bash(`source "${LIB}"; detect_os`, { OS_RELEASE_FILE: join(tmp, "nope") });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("cannot read");
  });

  test("os-release variables do not leak into the caller", () => {
    const r = bash(`source "${LIB}"; detect_os; echo "[\${NAME:-}][\${VERSION:-}]"`, {
      OS_RELEASE_FILE: join(OS_FIXTURES, "rocky-9"),
      NAME: "",
      VERSION: "",
    });
    expect(r.stdout.trim()).toBe("[][]");
  });
});

describe("lib.sh helpers", () => {
  test("fetch_verified downloads, reuses a matching file, and refuses a wrong checksum", () => {
    if (!needTool("curl")) return;
    const src = join(tmp, "artifact.bin");
    writeFileSync(src, "pinned artifact\n");
    const sha = bash(`sha256sum "${src}" | cut -d' ' -f1`).stdout.trim();
    const dest = join(tmp, "cache", "artifact.bin");
    const env = { OOMERFARM_LOG_DIR: join(tmp, "log-fetch") };
    const fetch = (url: string, want: string) => bash(`source "${LIB}"; fetch_verified "${url}" "${want}" "${dest}"`, env);

    let r = fetch(`file://${src}`, sha.toUpperCase());
    expect(r.status).toBe(0);
    expect(readFileSync(dest, "utf8")).toBe("pinned artifact\n");
    // Reused without touching the URL (which no longer exists).
    r = fetch(`file://${join(tmp, "gone.bin")}`, sha);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("reusing");
    // A wrong pin fails and leaves neither a new file nor a .part behind.
    rmSync(dest);
    r = fetch(`file://${src}`, "0".repeat(64));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("sha256 mismatch");
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(join(tmp, "cache"))).toEqual([]);
    // An empty pin is refused outright.
    expect(fetch(`file://${src}`, "").status).not.toBe(0);
    expect(readFileSync(join(tmp, "log-fetch", "boot.log"), "utf8")).toMatch(/oomerfarm: step run: fetched /);
  });

  test("fstab_set replaces the entry for a mount point, keeps the rest, and is idempotent", () => {
    const fstab = join(tmp, "fstab");
    writeFileSync(fstab, "# comment /mnt/oomerfarm\nUUID=1 / xfs defaults 0 0\n//old/share /mnt/oomerfarm cifs x 0 0\n");
    const env = { OOMERFARM_FSTAB: fstab, OOMERFARM_LOG_DIR: join(tmp, "log-fstab") };
    const line = "//10.87.0.1/oomerfarm /mnt/oomerfarm cifs vers=3.1.1,_netdev,x-systemd.automount 0 0";
    expect(bash(`source "${LIB}"; fstab_set /mnt/oomerfarm "${line}"`, env).status).toBe(0);
    const once = readFileSync(fstab, "utf8");
    expect(once).toBe(`# comment /mnt/oomerfarm\nUUID=1 / xfs defaults 0 0\n${line}\n`);
    const r = bash(`source "${LIB}"; fstab_set /mnt/oomerfarm "${line}"`, env);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(""); // nothing changed, nothing logged
    expect(readFileSync(fstab, "utf8")).toBe(once);
  });

  test("require_vars names every missing key", () => {
    const r = bash(`source "${LIB}"; A=1; B=; require_vars A B C`, { OOMERFARM_LOG_DIR: join(tmp, "log-req") });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("farm.env lacks: B C");
  });
});

describe("run-steps.sh", () => {
  function fakeSteps(name: string, steps: Record<string, string>, list: string[]) {
    const dir = join(tmp, name);
    const stepsDir = join(dir, "steps");
    mkdirSync(stepsDir, { recursive: true });
    for (const [step, body] of Object.entries(steps)) {
      writeFileSync(join(stepsDir, `${step}.sh`), `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
    }
    writeFileSync(join(stepsDir, "worker.steps"), `# comment\n\n${list.join("\n")}\n`);
    const env = {
      OOMERFARM_STEPS_DIR: stepsDir,
      OOMERFARM_STATE_DIR: join(dir, "state"),
      OOMERFARM_LOG_DIR: join(dir, "log"),
      TRACE: join(dir, "trace"),
    };
    const run = () => spawnSync("bash", [join(STEPS, "run-steps.sh"), "worker"], { encoding: "utf8", env: { ...process.env, ...env } });
    return { env, run, state: env.OOMERFARM_STATE_DIR, stepsDir };
  }

  test("a failing step stops the run, is recorded, and a fixed re-run clears it and marks ready", () => {
    const f = fakeSteps("fail-then-fix", {
      "10-one": 'echo one >>"$TRACE"',
      "20-two": 'echo two >>"$TRACE"; [[ -e "$TRACE.fixed" ]] || { echo broken >&2; exit 3; }',
      "30-three": 'echo three >>"$TRACE"; read -r x || true; echo "stdin:${x:-}" >>"$TRACE"',
    }, ["10-one", "20-two", "30-three"]);

    let r = f.run();
    expect(r.status).toBe(1);
    expect(readFileSync(join(f.state, "failed-step"), "utf8")).toBe("20-two\n");
    expect(existsSync(join(f.state, "ready"))).toBe(false);
    expect(readFileSync(f.env.TRACE, "utf8")).toBe("one\ntwo\n"); // 30-three never ran
    expect(r.stderr).toContain("oomerfarm: step 20-two: FAILED (exit 3)");
    expect(r.stderr).toContain("oomerfarm: step 10-one: ok");
    const log = readFileSync(join(f.env.OOMERFARM_LOG_DIR, "boot.log"), "utf8");
    expect(log).toMatch(/^\S+Z oomerfarm: step 20-two: FAILED/m);

    writeFileSync(`${f.env.TRACE}.fixed`, "");
    r = f.run();
    expect(r.status).toBe(0);
    expect(existsSync(join(f.state, "failed-step"))).toBe(false);
    expect(readFileSync(join(f.state, "ready"), "utf8")).toMatch(/^role=worker\nready_at=\d{4}-\d\d-\d\dT/);
    // Steps get no stdin, so none can eat the step list.
    expect(readFileSync(f.env.TRACE, "utf8")).toBe("one\ntwo\none\ntwo\nthree\nstdin:\n");

    // Re-running a ready host runs everything again and stays ready.
    expect(f.run().status).toBe(0);
    expect(existsSync(join(f.state, "ready"))).toBe(true);
  });

  test("a failing re-run withdraws the readiness marker", () => {
    const f = fakeSteps("ready-then-fail", { "10-x": '[[ ! -e "$TRACE.break" ]]' }, ["10-x"]);
    expect(f.run().status).toBe(0);
    expect(existsSync(join(f.state, "ready"))).toBe(true);
    writeFileSync(`${f.env.TRACE}.break`, "");
    expect(f.run().status).toBe(1);
    expect(existsSync(join(f.state, "ready"))).toBe(false);
    expect(readFileSync(join(f.state, "failed-step"), "utf8")).toBe("10-x\n");
  });

  test("a listed step without a script fails the run; a bad role is a usage error", () => {
    const f = fakeSteps("missing", { "10-a": "true" }, ["10-a", "20-missing"]);
    expect(f.run().status).toBe(1);
    expect(readFileSync(join(f.state, "failed-step"), "utf8")).toBe("20-missing\n");
    const r = spawnSync("bash", [join(STEPS, "run-steps.sh"), "boss"], { encoding: "utf8", env: { ...process.env, ...f.env } });
    expect(r.status).toBe(2);
  });

  test("the real step lists name existing, numbered, ordered scripts", () => {
    for (const role of ["hub", "worker"] as const) {
      const names = stepNames(role);
      expect(names[0]).toBe("10-nebula");
      expect(names[names.length - 1]).toBe("90-ready");
      expect([...names].sort()).toEqual(names);
      for (const n of names) expect(existsSync(join(STEPS, `${n}.sh`))).toBe(true);
    }
  });
});

// ------------------------------------------------------------------ units

type Unit = Record<string, Record<string, string[]>>;
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const m = /^\[(\w+)\]$/.exec(line);
    if (m) {
      section = m[1];
      unit[section] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    const key = line.slice(0, eq);
    (unit[section][key] ??= []).push(...line.slice(eq + 1).split(/\s+/).filter(Boolean));
  }
  return unit;
}
const unit = (name: string) => parseUnit(readFileSync(join(UNITS, name), "utf8"));

describe("systemd units", () => {
  test("deadline-worker.service needs nebula and both share automounts, after the renderers", () => {
    const u = unit("deadline-worker.service").Unit;
    for (const dep of ["nebula.service", "mnt-DeadlineRepository10.automount", "mnt-oomerfarm.automount"]) {
      expect(u.Requires).toContain(dep);
      expect(u.After).toContain(dep);
    }
    expect(u.After).toContain("oomerfarm-renderers.service");
    expect(u.Wants).toContain("oomerfarm-renderers.service");
    const s = unit("deadline-worker.service").Service;
    expect(s.User).toEqual(["oomerfarm"]);
    expect(s.ExecStart.join(" ")).toBe("/opt/Thinkbox/Deadline10/bin/deadlineworker -nogui -name ${HOST_NAME}");
    expect(s.EnvironmentFile).toEqual(["/etc/oomerfarm/farm.env"]);
  });

  test("automount unit names match the default mount points", () => {
    for (const [path, name] of [["/mnt/DeadlineRepository10", "mnt-DeadlineRepository10.automount"], ["/mnt/oomerfarm", "mnt-oomerfarm.automount"]]) {
      if (!have("systemd-escape")) break;
      expect(spawnSync("systemd-escape", ["--path", "--suffix=automount", path], { encoding: "utf8" }).stdout.trim()).toBe(name);
    }
  });

  test("mongod, smbd and the renderer install come after nebula; nebula restarts always", () => {
    for (const [name, section] of [["mongod.service", "Unit"], ["smb-after-nebula.conf", "Unit"], ["oomerfarm-renderers.service", "Unit"]]) {
      const u = unit(name)[section];
      expect(u.After).toContain("nebula.service");
      expect(u.Requires).toContain("nebula.service");
    }
    const n = unit("nebula.service").Service;
    expect(n.Restart).toEqual(["always"]);
    expect(n.ExecStartPost.join(" ")).toContain("/usr/local/lib/oomerfarm/overlay-wait.sh");
    expect(unit("mongod.service").Service.User).toEqual(["mongod"]);
  });

  test("systemd-analyze verify accepts every unit", () => {
    if (!needTool("systemd-analyze")) return;
    // A unit directory as a host would have it, plus stand-ins for units that come from
    // packages (smb.service) or from fstab (the automounts).
    const dir = join(tmp, "units");
    mkdirSync(join(dir, "smb.service.d"), { recursive: true });
    for (const f of readdirSync(UNITS).filter((f) => f.endsWith(".service"))) writeFileSync(join(dir, f), readFileSync(join(UNITS, f)));
    writeFileSync(join(dir, "smb.service.d", "oomerfarm.conf"), readFileSync(join(UNITS, "smb-after-nebula.conf")));
    writeFileSync(join(dir, "smb.service"), "[Unit]\nDescription=stand-in\n[Service]\nExecStart=/bin/true\n");
    for (const m of ["mnt-oomerfarm", "mnt-DeadlineRepository10"]) {
      writeFileSync(join(dir, `${m}.automount`), `[Unit]\nDescription=stand-in\n[Automount]\nWhere=/${m.replace(/-/g, "/")}\n`);
      writeFileSync(join(dir, `${m}.mount`), `[Unit]\nDescription=stand-in\n[Mount]\nWhat=//10.87.0.1/x\nWhere=/${m.replace(/-/g, "/")}\nType=cifs\n`);
    }
    const names = [...readdirSync(UNITS).filter((f) => f.endsWith(".service")), "smb.service"];
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", ...names.map((n) => join(dir, n))], {
      encoding: "utf8",
      env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:`, SYSTEMD_LOG_COLOR: "0" },
    });
    // Binaries the steps install on the host are absent here; anything else is a finding.
    const hostOnly = ["/usr/local/bin/nebula", "/usr/local/bin/mongod", "/opt/Thinkbox/Deadline10/bin/deadlineworker", "/usr/local/lib/oomerfarm/blocklist-sync.sh"];
    const findings = (r.stdout + r.stderr)
      .split("\n")
      .filter((l) => l.trim() !== "")
      .filter((l) => !hostOnly.some((b) => l.includes(`Command ${b} is not executable`)));
    expect(findings).toEqual([]);
  });
});

// ------------------------------------------------------------------ python

describe("mongo-bootstrap.py", () => {
  const pythons = ["python3", `${process.env.HOME}/.pyenv/versions/3.6.15/bin/python3`, "/usr/libexec/platform-python"];
  test("its unit tests pass (BSON, OP_MSG, SCRAM, end-to-end against a fake mongod)", () => {
    if (!needTool("python3")) return;
    let ran = 0;
    for (const py of pythons.filter((p) => p === "python3" || existsSync(p))) {
      const r = spawnSync(py, ["-m", "unittest", "-v", "test_mongo_bootstrap"], {
        cwd: STEPS,
        encoding: "utf8",
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYENV_VERSION: "" },
        timeout: 120000,
      });
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/Ran (\d+) tests/);
      expect(Number(/Ran (\d+) tests/.exec(out)![1])).toBeGreaterThanOrEqual(15);
      expect(out).not.toContain("skipped");
      expect(r.status).toBe(0);
      ran++;
    }
    expect(ran).toBeGreaterThan(0);
    expect(existsSync(join(STEPS, "__pycache__"))).toBe(false);
  });

  test("uses nothing newer than Python 3.6 allows (no dataclasses, walrus, or annotations import)", () => {
    const src = readFileSync(join(STEPS, "mongo-bootstrap.py"), "utf8");
    expect(src).not.toMatch(/:=|import dataclasses|from __future__ import annotations|\bmatch \w+:/);
  });
});

// ------------------------------------------------------------------ bootFiles

describe("bootFiles", () => {
  const paths = (role: "hub" | "worker") => bootFiles(role).map((f) => f.path);
  const hubOnly = [
    "/usr/local/lib/oomerfarm/mongo-bootstrap.py",
    "/etc/systemd/system/mongod.service",
    "/etc/systemd/system/smb.service.d/oomerfarm.conf",
    "/etc/systemd/system/smbd.service.d/oomerfarm.conf",
    "/usr/local/lib/oomerfarm/steps/50-mongodb.sh",
    "/usr/local/lib/oomerfarm/steps/40-samba.sh",
  ];
  const workerOnly = [
    "/etc/systemd/system/deadline-worker.service",
    "/etc/systemd/system/oomerfarm-renderers.service",
    "/usr/local/lib/oomerfarm/steps/35-mounts.sh",
    "/usr/local/lib/oomerfarm/steps/55-deadline-client.sh",
  ];

  test("the worker gets no hub-only file and the hub no worker-only file", () => {
    const w = paths("worker");
    const h = paths("hub");
    for (const p of hubOnly) {
      expect(h).toContain(p);
      expect(w).not.toContain(p);
    }
    for (const p of workerOnly) {
      expect(w).toContain(p);
      expect(h).not.toContain(p);
    }
    expect(w.some((p) => /mongo|smb/.test(p))).toBe(false);
    expect(h.some((p) => /deadline-worker|35-mounts/.test(p))).toBe(false);
  });

  test("every listed step, the runner and its libraries are shipped with the right modes", () => {
    for (const role of ["hub", "worker"] as const) {
      const files = bootFiles(role);
      const byPath = new Map(files.map((f) => [f.path, f]));
      expect(new Set(byPath.keys()).size).toBe(files.length);
      expect(byPath.get(RUN_STEPS)?.permissions).toBe("0755");
      expect(byPath.get(RUN_STEPS)?.content).toBe(readFileSync(join(STEPS, "run-steps.sh"), "utf8"));
      for (const p of ["/usr/local/lib/oomerfarm/lib.sh", "/usr/local/lib/oomerfarm/overlay-wait.sh", "/etc/systemd/system/nebula.service"]) {
        expect(byPath.has(p)).toBe(true);
      }
      for (const step of stepNames(role)) {
        expect(byPath.get(`/usr/local/lib/oomerfarm/steps/${step}.sh`)?.permissions).toBe("0755");
      }
      expect(byPath.get(`/usr/local/lib/oomerfarm/steps/${role}.steps`)?.content).toContain("10-nebula");
      for (const f of files.filter((f) => f.path.startsWith("/etc/systemd/"))) expect(f.permissions).toBe("0644");
      expect(files.some((f) => f.path.includes("test_"))).toBe(false);
    }
  });

  test("the copies that travel (stripForTransport) still parse and pass shellcheck", () => {
    const dir = join(tmp, "shipped");
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    for (const f of [...bootFiles("hub"), ...bootFiles("worker")]) {
      const name = f.path.split("/").pop()!;
      if (!/\.(sh|py)$/.test(name) || written.includes(name)) continue;
      const sent = stripForTransport(f.path, f.content);
      writeFileSync(join(dir, name), sent);
      written.push(name);
      expect(sent.split("\n").filter((l) => /^\s*#/.test(l) && !l.startsWith("#!") && !l.includes("shellcheck"))).toEqual([]);
    }
    for (const name of written.filter((n) => n.endsWith(".sh"))) {
      const r = spawnSync("bash", ["-n", join(dir, name)], { encoding: "utf8" });
      expect(r.stderr).toBe("");
    }
    if (have("shellcheck")) {
      const r = spawnSync("shellcheck", ["-x", ...written.filter((n) => n.endsWith(".sh"))], { cwd: dir, encoding: "utf8" });
      expect(r.stdout + r.stderr).toBe("");
    }
    if (have("python3")) {
      const r = spawnSync("python3", ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", join(dir, "mongo-bootstrap.py")], { encoding: "utf8" });
      expect(r.status).toBe(0);
    }
  });

  test("what runs on a host also runs from the repository layout the files land in", () => {
    // Lay the worker's files out under a temp root and run its runner with fake steps
    // swapped in: proves run-steps.sh finds lib.sh beside itself as on a host.
    const root = join(tmp, "hostroot");
    for (const f of bootFiles("worker")) {
      const dest = join(root, f.path);
      mkdirSync(join(dest, ".."), { recursive: true });
      writeFileSync(dest, f.content);
      chmodSync(dest, parseInt(f.permissions, 8));
    }
    const lib = join(root, "usr/local/lib/oomerfarm");
    const fake = join(tmp, "hostroot-steps");
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, "worker.steps"), "10-check\n");
    writeFileSync(join(fake, "10-check.sh"), 'source "$OOMERFARM_LIB"; log "lib at $OOMERFARM_LIB"\n');
    const r = spawnSync(join(lib, "run-steps.sh"), ["worker"], {
      encoding: "utf8",
      env: { ...process.env, OOMERFARM_STEPS_DIR: fake, OOMERFARM_STATE_DIR: join(tmp, "hs"), OOMERFARM_LOG_DIR: join(tmp, "hl") },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`oomerfarm: step 10-check: lib at ${join(lib, "lib.sh")}`);
  });

  test("the boot files stay small as they travel (user data is at most 32 KiB with certificates)", () => {
    // hub.test.ts asserts the whole user data; this guards the code's share of it.
    for (const [role, budget] of [["hub", 20000], ["worker", 13000]] as const) {
      const size = packForTransport(bootFiles(role)).toString("base64").length;
      expect(size).toBeLessThan(budget);
    }
  });
});
