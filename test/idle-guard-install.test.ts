// The idle guard's install script (sent over SSH by the Hub when idleMinutes > 0).
import { spawnSync } from "child_process";
import { idleGuardInstallScript, IDLE_GUARD_TOKEN_FILE } from "../cloud-init/idleGuardInstall";
import { unpackPayload } from "../cloud-init/payload";
import { parseFarmConfig } from "../lib/config";

describe("idle guard install", () => {
  const script = idleGuardInstallScript("dev", 45, "tok'en$");

  test("is valid bash that writes the token 0600 and enables the timer", () => {
    expect(spawnSync("bash", ["-n"], { input: script }).status).toBe(0);
    expect(script).toContain(`printf '%s' 'tok'\\''en$' > ${IDLE_GUARD_TOKEN_FILE}`);
    expect(script).toContain(`chmod 0600 ${IDLE_GUARD_TOKEN_FILE}`);
    expect(script).toContain("systemctl enable --now oomerfarm-idle-guard.timer");
    expect(script).toContain("IDLE_MINUTES=45");
  });

  test("carries the guard's code and units, and nothing else", () => {
    const b64 = /printf '%s' '([A-Za-z0-9+/=]+)' \| base64 -d/.exec(script)![1];
    const paths = unpackPayload(Buffer.from(b64, "base64")).map((f) => f.path);
    expect(paths).toContain("/usr/local/lib/oomerfarm/idle-guard/guard.py");
    expect(paths).toContain("/etc/systemd/system/oomerfarm-idle-guard.timer");
    expect(paths.some((p) => p.includes("/tests/"))).toBe(false);
  });

  test("config: the guard needs a token and an open SSH, and Hetzner", () => {
    const cfg = (over: Record<string, string>) => () => parseFarmConfig((k) => over[k], "dev");
    expect(cfg({ idleMinutes: "30" })).toThrow("config idleGuardToken=: required when idleMinutes > 0");
    expect(cfg({ idleMinutes: "30", idleGuardToken: "t", sshAllowedCidrs: "[]" })).toThrow("sshAllowedCidrs must not be empty");
    expect(cfg({ idleMinutes: "30", idleGuardToken: "t", cloud: "aws" })).toThrow("Hetzner farms only");
    expect(parseFarmConfig((k) => ({ idleMinutes: "30", idleGuardToken: "t" } as Record<string, string>)[k], "dev").idleMinutes).toBe(30);
  });
});
