// Can the farm in a box run here? Root and network namespaces are needed (else: skip, with the
// reason); missing tools are installed from Debian/Ubuntu packages when possible, saying so.
import * as fs from "fs";
import * as path from "path";
import { REPO } from "./artifacts";
import { run } from "./sh";

/** Tool -> the Debian package that has it. */
export const TOOLS: Record<string, string> = {
  nebula: "nebula",
  smbd: "samba",
  smbpasswd: "samba",
  smbclient: "smbclient",
  nc: "netcat-openbsd",
  ping: "iputils-ping",
  openssl: "openssl",
  python3: "python3",
  ip: "iproute2",
  ss: "iproute2",
};
/** What `npm run setup` installs (tools/setup.sh); the demo falls back to this list. */
export const DEBIAN_PACKAGES = ["nebula", "samba", "smbclient", "cloud-init", "shellcheck", "openssl", "iputils-ping", "netcat-openbsd"];

export type Preflight = { ok: true } | { ok: false; skip: boolean; reason: string };

function onPath(tool: string): boolean {
  return (process.env.PATH ?? "").split(":").some((d) => d !== "" && fs.existsSync(path.join(d, tool)));
}

export function missingTools(): string[] {
  const missing = Object.keys(TOOLS).filter((t) => !onPath(t));
  // The demo's nc flags are OpenBSD netcat's; traditional netcat differs.
  if (!missing.includes("nc") && !/OpenBSD|-N\s/.test(run("nc", ["-h"]).stderr + run("nc", ["-h"]).stdout)) missing.push("nc");
  return missing;
}

export function isDebianLike(osRelease = "/etc/os-release"): boolean {
  try {
    const text = fs.readFileSync(osRelease, "utf8");
    return /^ID(_LIKE)?=.*\b(debian|ubuntu)\b/m.test(text);
  } catch {
    return false;
  }
}

export function environment(): Preflight {
  if (process.platform !== "linux") return { ok: false, skip: true, reason: `the farm in a box needs Linux network namespaces (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, skip: true, reason: "the farm in a box needs root for network namespaces: sudo npm run demo" };
  if (!fs.existsSync("/dev/net/tun")) return { ok: false, skip: true, reason: "no /dev/net/tun: nebula cannot make its network device here" };
  const probe = `ofdemo${process.pid}-check`;
  const r = run("ip", ["netns", "add", probe]);
  if (r.status !== 0) return { ok: false, skip: true, reason: `network namespaces are not available (ip netns add: ${r.stderr.trim() || `exit ${r.status}`})` };
  run("ip", ["netns", "del", probe]);
  return { ok: true };
}

/** Installs what is missing on Debian/Ubuntu (as root); returns what is still missing. */
export function installMissing(say: (line: string) => void): string[] {
  let missing = missingTools();
  if (missing.length === 0) return [];
  const packages = [...new Set(missing.map((t) => TOOLS[t]))];
  if (!isDebianLike()) {
    say(`missing tools: ${missing.join(", ")}; install them with your package manager (Debian names: ${packages.join(" ")})`);
    return missing;
  }
  const setup = path.join(REPO, "tools/setup.sh");
  if (fs.existsSync(setup)) {
    say(`missing tools: ${missing.join(", ")}; installing Debian packages with npm run setup (tools/setup.sh)`);
    run("bash", [setup], { timeoutMs: 600000 });
  }
  missing = missingTools();
  if (missing.length > 0) {
    const all = [...new Set([...DEBIAN_PACKAGES, ...missing.map((t) => TOOLS[t])])];
    say(`installing Debian packages: apt-get install -y --no-install-recommends ${all.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    let r = run("apt-get", ["install", "-y", "--no-install-recommends", ...all], { env, timeoutMs: 600000 });
    if (r.status !== 0) {
      run("apt-get", ["update"], { env, timeoutMs: 600000 });
      r = run("apt-get", ["install", "-y", "--no-install-recommends", ...all], { env, timeoutMs: 600000 });
    }
    if (r.status !== 0) say(`apt-get failed: ${r.stderr.trim().split("\n").pop()}`);
  }
  return missingTools();
}
