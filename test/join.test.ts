// npm run join: the files it writes (bytes and modes), the per-OS instructions, unknown bosses,
// and that the written config is one real nebula accepts with the plan's real certificates.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DesktopOs, parseJoinArgs } from "../tools/join/args";
import { defaultJoinDir, joinFiles, tunDeviceFor } from "../tools/join/files";
import { joinInstructions } from "../tools/join/instructions";
import { findNebula } from "../tools/join/nebulaBinary";
import { BossError, parseJoinOutputs, pickBoss } from "../tools/join/outputs";
import { NEBULA, NEBULA_DESKTOP } from "../cloud-init/pins";

const REPO = path.resolve(__dirname, "..");
const TSX = path.join(REPO, "node_modules/.bin/tsx");
let tmp: string;
let planJson: string;
let plan: { outputs: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "join-test-"));
  // Two bosses, so picking and listing them is tested too.
  const r = spawnSync(TSX, [path.join(REPO, "tools/plan.ts"), "--out", path.join(tmp, "plan"), "--show-secrets", "--set", 'bosses=["anna","ben"]'], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`plan failed: ${r.stderr}`);
  planJson = path.join(tmp, "plan/plan.json");
  plan = JSON.parse(fs.readFileSync(planJson, "utf8"));
}, 60000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function join(args: string[], env: Record<string, string> = {}) {
  return spawnSync(TSX, [path.join(REPO, "tools/join.ts"), ...args], { encoding: "utf8", env: { ...process.env, ...env } });
}

describe("outputs", () => {
  test("reads a plan.json and the bare outputs map alike", () => {
    const a = parseJoinOutputs(plan);
    const b = parseJoinOutputs(plan.outputs);
    expect(a).toEqual(b);
    expect(Object.keys(a.bosses).sort()).toEqual(["anna", "ben"]);
    expect(a.hubEndpoint).toBe(plan.outputs.nebula.hubEndpoint);
    expect(a.sambaPassword).toBe(plan.outputs.sambaPassword);
  });

  test("hidden secrets are an error that says how to show them", () => {
    const hidden = JSON.parse(JSON.stringify(plan.outputs));
    hidden.sambaPassword = "[secret]";
    expect(() => parseJoinOutputs(hidden)).toThrow(/sambaPassword is hidden: use --show-secrets/);
  });

  test("picks a boss; unknown or ambiguous names list the known ones", () => {
    const o = parseJoinOutputs(plan);
    expect(pickBoss(o, "ben")[1].overlayIp).toBe(plan.outputs.bosses.ben.overlayIp);
    expect(() => pickBoss(o, "carl")).toThrow(BossError);
    expect(() => pickBoss(o, "carl")).toThrow('no boss named "carl" in farm dev; known bosses: anna, ben');
    expect(() => pickBoss(o, undefined)).toThrow("farm dev has 2 bosses: pick one with --boss (anna, ben)");
  });

  test("args: --os overrides the platform, bad values are usage errors", () => {
    expect(parseJoinArgs([], "darwin").os).toBe("darwin");
    expect(parseJoinArgs(["--os", "win32", "--start"], "linux")).toEqual({ os: "win32", start: true });
    expect(() => parseJoinArgs(["--os", "beos"])).toThrow(/expected linux, darwin or win32/);
    expect(() => parseJoinArgs(["--boss"])).toThrow(/--boss needs a value/);
  });
});

describe("files", () => {
  test("the boss's own certificate and key, the farm's CA and a config naming them", () => {
    const o = parseJoinOutputs(plan);
    const files = joinFiles(o, o.bosses.anna, "/home/anna/.oomerfarm/dev/anna", "linux");
    const by = Object.fromEntries(files.map((f) => [f.name, f]));
    expect(Object.keys(by).sort()).toEqual(["ca.crt", "config.yml", "host.crt", "host.key", "samba.credentials"]);
    expect(by["host.key"].content).toBe(fs.readFileSync(path.join(tmp, "plan/nebula/anna.key"), "utf8"));
    expect(by["host.crt"].content).toBe(fs.readFileSync(path.join(tmp, "plan/nebula/anna.crt"), "utf8"));
    expect(by["ca.crt"].content).toBe(fs.readFileSync(path.join(tmp, "plan/nebula/ca.crt"), "utf8"));
    expect(by["host.key"].mode).toBe(0o600);
    expect(by["samba.credentials"]).toEqual({ name: "samba.credentials", content: `username=oomerfarm\npassword=${o.sambaPassword}\n`, mode: 0o600 });
    expect(by["config.yml"].content).toContain("cert: /home/anna/.oomerfarm/dev/anna/host.crt");
    expect(by["config.yml"].content).toContain(`- ${o.hubEndpoint}`);
  });

  test("tun names fit each OS", () => {
    expect(tunDeviceFor("darwin", "dev")).toBe("utun");
    expect(tunDeviceFor("linux", "a-very-long-farm-name").length).toBeLessThanOrEqual(15);
    expect(defaultJoinDir("C:\\Users\\anna", "dev", "anna", "win32")).toBe("C:\\Users\\anna\\.oomerfarm\\dev\\anna");
  });

  test("npm run join writes 0600 keys into a 0700 folder and the config passes nebula -test", () => {
    const dir = path.join(tmp, "anna");
    const r = join(["--outputs", planJson, "--boss", "anna", "--dir", dir, "--os", "linux"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const mode = (f: string) => fs.statSync(path.join(dir, f)).mode & 0o777;
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect([mode("host.key"), mode("samba.credentials"), mode("host.crt"), mode("ca.crt"), mode("config.yml")]).toEqual([0o600, 0o600, 0o644, 0o644, 0o644]);
    // A second run over existing, loosened files puts the modes back.
    fs.chmodSync(path.join(dir, "host.key"), 0o644);
    expect(join(["--outputs", planJson, "--boss", "anna", "--dir", dir, "--os", "linux"]).status).toBe(0);
    expect(mode("host.key")).toBe(0o600);

    const nebula = findNebula("linux", process.env.PATH);
    if (nebula === undefined) {
      if (process.env.CI === "true") throw new Error("nebula is missing (required under CI=true)");
      console.log("skipping nebula -test: nebula is not installed"); // eslint-disable-line no-console
      return;
    }
    const t = spawnSync(nebula, ["-test", "-config", path.join(dir, "config.yml")], { encoding: "utf8" });
    expect(t.stderr + t.stdout).not.toMatch(/level=(error|fatal)/);
    expect(t.status).toBe(0);
    // The same check fails when the key is not the certificate's: the test can tell.
    fs.writeFileSync(path.join(dir, "host.key"), fs.readFileSync(path.join(tmp, "plan/nebula/ben.key")));
    expect(spawnSync(nebula, ["-test", "-config", path.join(dir, "config.yml")], { encoding: "utf8" }).status).not.toBe(0);
  });

  test("an unknown boss exits 2 and lists the known ones; nothing is written", () => {
    const dir = path.join(tmp, "nobody");
    const r = join(["--outputs", planJson, "--boss", "carl", "--dir", dir]);
    expect(r.stderr).toBe('join: no boss named "carl" in farm dev; known bosses: anna, ben\n');
    expect(r.status).toBe(2);
    expect(fs.existsSync(dir)).toBe(false);
  });

  test("no outputs file and no pulumi: a clear error, exit 1", () => {
    const r = join(["--boss", "anna", "--dir", path.join(tmp, "x")], { PATH: path.dirname(process.execPath) });
    expect(r.stderr).toMatch(/^join: could not run pulumi .*install the Pulumi CLI, or pass --outputs FILE\n$/);
    expect(r.status).toBe(1);
  });
});

describe("instructions", () => {
  const base = () => {
    const o = parseJoinOutputs(plan);
    return { farm: o.farm, boss: "anna", overlayIp: o.bosses.anna.overlayIp, hubOverlayIp: o.hubOverlayIp, shares: o.shares, sambaUser: o.sambaUser, sambaPassword: o.sambaPassword, uid: 1000, gid: 1001 };
  };
  const text = (os: DesktopOs, nebula: string | undefined, dir: string) => joinInstructions({ ...base(), os, nebula, dir });

  test("linux: sudo nebula, a cifs mount and an fstab line per share, the credentials", () => {
    const t = text("linux", "/usr/bin/nebula", "/home/anna/.oomerfarm/dev/anna");
    const b = base();
    expect(t).toContain("sudo /usr/bin/nebula -config /home/anna/.oomerfarm/dev/anna/config.yml");
    for (const share of b.shares.linux) {
      const name = share.split("/").pop();
      expect(t).toContain(`sudo mount -t cifs ${share} /mnt/${name} -o credentials=/home/anna/.oomerfarm/dev/anna/samba.credentials,uid=1000,gid=1001,vers=3.0`);
      expect(t).toMatch(new RegExp(`^     ${share} /mnt/${name} cifs credentials=\\S+,uid=1000,gid=1001,vers=3\\.0,_netdev,nofail,noauto,x-systemd\\.automount 0 0$`, "m"));
    }
    expect(t).toContain(`password: ${b.sambaPassword}`);
    expect(t).not.toMatch(/is not installed/);
  });

  test("macOS: sudo nebula and smb:// URLs for both shares", () => {
    const t = text("darwin", "/opt/homebrew/bin/nebula", "/Users/anna/.oomerfarm/dev/anna");
    expect(t).toContain("sudo /opt/homebrew/bin/nebula -config /Users/anna/.oomerfarm/dev/anna/config.yml");
    for (const s of base().shares.macos) {
      expect(t).toContain(`     ${s}\n`);
      expect(t).toContain(`open ${s.replace("smb://", "smb://oomerfarm@")}`);
    }
    expect(t).toContain(`user:     oomerfarm`);
  });

  test("Windows: an Administrator PowerShell line, the service, net use per share", () => {
    const t = text("win32", undefined, "C:\\Users\\anna\\.oomerfarm\\dev\\anna");
    expect(t).toContain("& 'C:\\Program Files\\nebula\\nebula.exe' -config 'C:\\Users\\anna\\.oomerfarm\\dev\\anna\\config.yml'");
    expect(t).toContain("-service install");
    const [a, b] = base().shares.windows;
    expect(t).toContain(`net use O: ${a} /user:oomerfarm '${base().sambaPassword}' /persistent:yes`);
    expect(t).toContain(`net use R: ${b} /user:oomerfarm`);
    // nebula missing: the pinned download and how to check it
    expect(t).toContain(NEBULA_DESKTOP.win32.url);
    expect(t).toContain(NEBULA_DESKTOP.win32.sha256.toUpperCase());
  });

  test("missing nebula: apt on Linux (and the pinned release), brew on macOS", () => {
    const l = text("linux", undefined, "/x");
    expect(l).toContain("sudo apt install nebula");
    expect(l).toContain(NEBULA.sha256);
    expect(l).toContain("sudo nebula -config /x/config.yml");
    const m = text("darwin", undefined, "/x");
    expect(m).toContain("brew install nebula");
    expect(m).toContain(NEBULA_DESKTOP.darwin.sha256);
  });

  test("findNebula looks on PATH first, then the usual places", () => {
    const seen = new Set(["/opt/x/nebula", "/usr/local/bin/nebula"]);
    expect(findNebula("linux", "/nowhere:/opt/x", (f) => seen.has(f))).toBe("/opt/x/nebula");
    expect(findNebula("linux", "/nowhere", (f) => seen.has(f))).toBe("/usr/local/bin/nebula");
    expect(findNebula("linux", "/nowhere", () => false)).toBeUndefined();
    expect(findNebula("win32", "C:\\bin", (f) => f === "C:\\bin\\nebula.exe")).toBe("C:\\bin\\nebula.exe");
  });

  test("the CLI prints the instructions of the --os it is given", () => {
    const r = join(["--outputs", planJson, "--boss", "ben", "--dir", path.join(tmp, "ben"), "--os", "darwin"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Farm dev: boss "ben" joins as 10\.87\.10\.2; the hub is 10\.87\.0\.1\./);
    expect(r.stdout).toContain("Finder > Go > Connect to Server");
  });
});
