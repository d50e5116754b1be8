// The private underlay: one network namespace per host, each with a veth into a bridge that
// lives in a namespace of its own (the "internet", 198.51.100.0/24). Nothing is touched in the
// root namespace. Names carry the demo's PID, so a later run can tell leftovers of a run that
// was killed hard (SIGKILL) from a run still going, and remove only the former.
import { pidAlive, stopPid } from "./procs";
import { must, run } from "./sh";

export const UNDERLAY_PREFIX = "198.51.100";
export const NS_PREFIX = "ofdemo";

export function nsList(): string[] {
  const r = run("ip", ["netns", "list"]);
  return r.stdout.split("\n").map((l) => l.split(" ")[0]).filter((n) => n !== "");
}

/** Stops every process inside ns (processes the demo started there) and deletes it. */
export function removeNs(ns: string): void {
  const pids = run("ip", ["netns", "pids", ns]).stdout.split("\n").map(Number).filter((p) => Number.isInteger(p) && p > 0);
  for (const pid of pids) stopPid(pid, "SIGTERM", 2500);
  run("ip", ["netns", "del", ns]);
}

/** Removes the namespaces of earlier demo runs whose process is gone; returns their names. */
export function removeStale(): string[] {
  const stale = nsList().filter((n) => {
    const m = new RegExp(`^${NS_PREFIX}(\\d+)-`).exec(n);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  });
  for (const n of stale) removeNs(n);
  return stale;
}

export class Underlay {
  readonly tag = `${NS_PREFIX}${process.pid}`;
  readonly bridgeNs = `${this.tag}-br`;
  private readonly made: string[] = [];
  private veths = 0;

  constructor() {
    this.add(this.bridgeNs);
    must("ip", ["-n", this.bridgeNs, "link", "add", "br0", "type", "bridge"]);
    must("ip", ["-n", this.bridgeNs, "link", "set", "br0", "up"]);
  }

  private add(ns: string): void {
    must("ip", ["netns", "add", ns]);
    this.made.push(ns);
    must("ip", ["-n", ns, "link", "set", "lo", "up"]);
  }

  /** A host namespace with eth0 at 198.51.100.<octet>/24; returns the namespace name. */
  host(name: string, octet: number): string {
    const ns = `${this.tag}-${name}`;
    this.add(ns);
    const veth = `v${this.veths++}`;
    must("ip", ["-n", this.bridgeNs, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    must("ip", ["-n", this.bridgeNs, "link", "set", veth, "master", "br0", "up"]);
    must("ip", ["-n", ns, "addr", "add", `${UNDERLAY_PREFIX}.${octet}/24`, "dev", "eth0"]);
    must("ip", ["-n", ns, "link", "set", "eth0", "up"]);
    return ns;
  }

  teardown(): void {
    for (const ns of this.made.splice(0).reverse()) removeNs(ns);
  }
}
