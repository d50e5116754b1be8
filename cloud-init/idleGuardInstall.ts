// The idle guard (idle-guard/) is opt-in and too large for the hub's user data next to its
// certificates, so the stack installs it over SSH: one script that unpacks the guard, writes its
// config and, on Hetzner, the token (0600) and enables the timer. Pure: the same inputs give the same script.
import * as fs from "fs";
import * as path from "path";
import { packForTransport } from "./payload";
import { shellQuote } from "./farmEnv";

const GUARD_SRC = path.join(__dirname, "..", "idle-guard");
const GUARD_DEST = "/usr/local/lib/oomerfarm/idle-guard";
export const IDLE_GUARD_TOKEN_FILE = "/etc/oomerfarm/secrets/hcloud-idle-guard.token";

function guardFiles() {
  return fs.readdirSync(GUARD_SRC).filter((f) => /\.(py|md)$/.test(f) || /\.(service|timer)$/.test(f)).sort().map((f) => {
    const unit = /\.(service|timer)$/.test(f);
    return {
      path: unit ? `/etc/systemd/system/${f}` : `${GUARD_DEST}/${f}`,
      content: fs.readFileSync(path.join(GUARD_SRC, f), "utf8"),
      permissions: "0644",
    };
  });
}

/**
 * How the guard reaches the workers: on Hetzner with an API token (written 0600 next to the
 * config); on AWS with the hub's instance role (no secret on disk), in every region that holds
 * workers (the guard's AWS_REGION takes a comma-separated list).
 */
export type IdleGuardCloud = { cloud: "hcloud"; token: string } | { cloud: "aws"; regions: string[] };

export function idleGuardInstallScript(farmName: string, idleMinutes: number, target: IdleGuardCloud): string {
  const archive = packForTransport(guardFiles()).toString("base64");
  const common = [`FARM_NAME=${farmName}`, `IDLE_MINUTES=${idleMinutes}`];
  let env: string[];
  let secret: string[];
  let removal: string;
  if (target.cloud === "hcloud") {
    env = ["CLOUD=hetzner", ...common, `HCLOUD_TOKEN_FILE=${IDLE_GUARD_TOKEN_FILE}`];
    secret = [
      `printf '%s' ${shellQuote(target.token)} > ${IDLE_GUARD_TOKEN_FILE}`,
      `chmod 0600 ${IDLE_GUARD_TOKEN_FILE}`,
    ];
    removal = "deleted";
  } else {
    if (target.regions.length === 0) throw new Error("idle guard on AWS: at least one region is needed");
    env = ["CLOUD=aws", ...common, `AWS_REGION=${[...new Set(target.regions)].join(",")}`];
    // A token left by an earlier Hetzner set-up of this hub is no longer needed: remove it.
    secret = [`rm -f ${IDLE_GUARD_TOKEN_FILE}`];
    removal = "stopped (spot workers terminated)";
  }
  return [
    "set -eu",
    "umask 077",
    `printf '%s' ${shellQuote(archive)} | base64 -d | tar -xz -C / --no-same-owner`,
    `install -d -m 0700 /etc/oomerfarm/secrets`,
    ...secret,
    `printf '%s\\n' ${shellQuote(env.join("\n"))} > /etc/oomerfarm/idle-guard.env`,
    "chmod 0600 /etc/oomerfarm/idle-guard.env",
    "systemctl daemon-reload",
    "systemctl enable --now oomerfarm-idle-guard.timer",
    `echo "idle guard on: workers are ${removal} after ${idleMinutes} idle minutes"`,
  ].join("\n");
}

export const IDLE_GUARD_UNINSTALL = [
  "systemctl disable --now oomerfarm-idle-guard.timer 2>/dev/null || true",
  `rm -f /etc/oomerfarm/idle-guard.env ${IDLE_GUARD_TOKEN_FILE}`,
  "echo 'idle guard off'",
].join("\n");
