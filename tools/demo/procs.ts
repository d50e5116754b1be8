// The processes the demo starts, tracked by PID so teardown stops exactly those (on success,
// failure and Ctrl-C). Stopping is synchronous: it also runs from signal and exit handlers.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
}

/** True while the PID exists and is not a zombie waiting to be reaped. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Sends signal to pid and waits (synchronously) up to waitMs for it to go; SIGKILL after that. */
export function stopPid(pid: number, signal: NodeJS.Signals = "SIGTERM", waitMs = 3000): void {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const until = Date.now() + waitMs;
  while (Date.now() < until && pidAlive(pid)) sleepSync(25);
  if (pidAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone meanwhile */
    }
  }
}

export class Procs {
  readonly started: Started[] = [];

  /** Starts cmd with stdout+stderr into logFile; detached puts it in its own session (smbd). */
  start(name: string, cmd: string, args: string[], logFile: string, detached = false): Started {
    const log = fs.openSync(logFile, "a");
    const child = spawn(cmd, args, { stdio: ["ignore", log, log], detached });
    fs.closeSync(log);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
    child.on("error", () => undefined);
    const s = { name, pid: child.pid, child };
    this.started.push(s);
    return s;
  }

  stop(s: Started, signal: NodeJS.Signals = "SIGTERM", waitMs = 3000): void {
    stopPid(s.pid, signal, waitMs);
    const i = this.started.indexOf(s);
    if (i >= 0) this.started.splice(i, 1);
  }

  stopAll(): void {
    for (const s of [...this.started].reverse()) this.stop(s, "SIGTERM", 2500);
  }
}
