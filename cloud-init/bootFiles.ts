// The bash steps and systemd units a host boots with, as write_files entries for the
// user-data renderer. Contents are read from cloud-init/steps and cloud-init/units (once).
import { readFileSync } from "fs";
import { join } from "path";

export interface BootFile {
  path: string;
  content: string;
  permissions: string;
}

export type Role = "hub" | "worker";

/** What cloud-init's runcmd runs: `${RUN_STEPS} hub|worker`. */
export const RUN_STEPS = "/usr/local/lib/oomerfarm/run-steps.sh";

const LIB = "/usr/local/lib/oomerfarm";
const SYSTEMD = "/etc/systemd/system";
const STEPS_SRC = join(__dirname, "steps");
const UNITS_SRC = join(__dirname, "units");

const cache = new Map<string, string>();
function source(path: string): string {
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(path, "utf8");
    cache.set(path, text);
  }
  return text;
}

/** Step names a role runs, in order, from steps/ROLE.steps (comments and blanks skipped). */
export function stepNames(role: Role): string[] {
  return source(join(STEPS_SRC, `${role}.steps`))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

// Files every host gets besides its steps.
const COMMON_SCRIPTS = ["run-steps.sh", "lib.sh", "overlay-wait.sh", "blocklist-sync.sh"];
const HUB_SCRIPTS = ["mongo-bootstrap.py"];
const COMMON_UNITS = ["nebula.service", "oomerfarm-blocklist.service", "oomerfarm-blocklist.timer"];
const HUB_UNITS = ["mongod.service"];
const WORKER_UNITS = ["deadline-worker.service", "oomerfarm-renderers.service"];
// smbd's unit is smb.service on EL and smbd.service on Ubuntu: the drop-in goes to both
// (a drop-in for a unit that does not exist is ignored).
const SMB_DROPIN_TARGETS = ["smb.service.d", "smbd.service.d"];

export function bootFiles(role: Role): BootFile[] {
  const files: BootFile[] = [];
  const script = (name: string, dest: string) =>
    files.push({ path: dest, content: source(join(STEPS_SRC, name)), permissions: "0755" });
  const unit = (name: string, dest: string) =>
    files.push({ path: dest, content: source(join(UNITS_SRC, name)), permissions: "0644" });

  for (const name of [...COMMON_SCRIPTS, ...(role === "hub" ? HUB_SCRIPTS : [])]) {
    script(name, `${LIB}/${name}`);
  }
  files.push({
    path: `${LIB}/steps/${role}.steps`,
    content: source(join(STEPS_SRC, `${role}.steps`)),
    permissions: "0644",
  });
  for (const step of stepNames(role)) script(`${step}.sh`, `${LIB}/steps/${step}.sh`);

  for (const name of [...COMMON_UNITS, ...(role === "hub" ? HUB_UNITS : WORKER_UNITS)]) {
    unit(name, `${SYSTEMD}/${name}`);
  }
  if (role === "hub") {
    for (const dir of SMB_DROPIN_TARGETS) unit("smb-after-nebula.conf", `${SYSTEMD}/${dir}/oomerfarm.conf`);
  }
  return files;
}
