// `npm run join -- --start`: starts Nebula in the background (Linux and macOS, through sudo
// unless already root), records its PID next to the config and waits for the hub to answer.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DesktopOs } from "./args";

export interface StartResult {
  ok: boolean;
  pid?: number;
  message: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // a root process we may not signal
  }
}

function pingOnce(os: DesktopOs, ip: string): boolean {
  const args = os === "darwin" ? ["-c", "1", "-t", "1", ip] : ["-c", "1", "-W", "1", ip];
  return spawnSync("ping", args, { stdio: "ignore", timeout: 3000 }).status === 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startNebula(os: DesktopOs, nebula: string, dir: string, hubOverlayIp: string, waitSeconds = 10): Promise<StartResult> {
  if (os === "win32") {
    return { ok: false, message: "--start does not work on Windows: run the Administrator PowerShell command above (or install the service)" };
  }
  const pidFile = path.join(dir, "nebula.pid");
  const logFile = path.join(dir, "nebula.log");
  const config = path.join(dir, "config.yml");
  const previous = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, "utf8").trim() : NaN);
  if (Number.isInteger(previous) && previous > 0 && alive(previous)) {
    return { ok: true, pid: previous, message: `nebula already runs for this farm (pid ${previous}, log ${logFile})` };
  }

  const root = process.getuid?.() === 0;
  if (!root) {
    // Ask for the sudo password in the foreground once; the background start then needs none.
    const v = spawnSync("sudo", ["-v"], { stdio: "inherit" });
    if (v.status !== 0) return { ok: false, message: "sudo failed: start nebula yourself with the command above" };
  }
  const cmd = root ? nebula : "sudo";
  const args = root ? ["-config", config] : ["-n", nebula, "-config", config];
  const log = fs.openSync(logFile, "a", 0o600);
  const child = spawn(cmd, args, { detached: true, stdio: ["ignore", log, log] });
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) return { ok: false, message: `could not start ${cmd}` };
  child.unref();
  fs.writeFileSync(pidFile, `${pid}\n`, { mode: 0o644 });

  const deadline = Date.now() + waitSeconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || !alive(pid)) {
      const tail = fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-5).join("\n");
      return { ok: false, message: `nebula exited at start; the end of ${logFile}:\n${tail}` };
    }
    if (pingOnce(os, hubOverlayIp)) {
      return { ok: true, pid, message: `nebula runs (pid ${pid}, log ${logFile}) and the hub ${hubOverlayIp} answers. Stop it with: ${root ? "" : "sudo "}kill ${pid}` };
    }
    await sleep(250);
  }
  return { ok: true, pid, message: `nebula runs (pid ${pid}, log ${logFile}) but the hub ${hubOverlayIp} did not answer within ${waitSeconds} s: is the farm up? (pulumi up)` };
}
