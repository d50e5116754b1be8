// The text `npm run join` prints: how to start Nebula and mount both shares on the boss's OS,
// with the Samba credentials. Pure, so each OS's text is tested on any machine.
import * as path from "path";
import { DesktopOs } from "./args";
import { installHint, WINDOWS_NEBULA } from "./nebulaBinary";

export interface InstructionsInput {
  os: DesktopOs;
  farm: string;
  boss: string;
  overlayIp: string;
  hubOverlayIp: string;
  dir: string;
  shares: { windows: string[]; macos: string[]; linux: string[] };
  sambaUser: string;
  sambaPassword: string;
  /** the nebula binary found on this machine; undefined prints how to install it */
  nebula: string | undefined;
  /** the desktop user's ids, for the cifs mount's file ownership (Linux) */
  uid?: number;
  gid?: number;
}

/** POSIX shell quoting: only what needs it gets single quotes. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** PowerShell quoting: single quotes, embedded ones doubled. */
export function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The share's name: the last part of //hub/name, \\hub\name or smb://hub/name. */
export function shareName(share: string): string {
  return share.split(/[\\/]/).filter((p) => p !== "").pop() ?? share;
}

const DRIVE_LETTERS = ["O", "R", "P", "Q", "S", "T"];

export function joinInstructions(i: InstructionsInput): string {
  const out: string[] = [];
  out.push(`Farm ${i.farm}: boss "${i.boss}" joins as ${i.overlayIp}; the hub is ${i.hubOverlayIp}.`);
  out.push(`Files in ${i.dir} (host.key and samba.credentials are readable by you only).`, "");

  const p = i.os === "win32" ? path.win32 : path.posix;
  const config = p.join(i.dir, "config.yml");
  out.push("1. Start Nebula");
  if (i.nebula === undefined) for (const line of installHint(i.os)) out.push(`   ${line}`);
  if (i.os === "win32") {
    const exe = i.nebula ?? WINDOWS_NEBULA;
    out.push("   In PowerShell opened with \"Run as administrator\":");
    out.push(`     & ${psQuote(exe)} -config ${psQuote(config)}`);
    out.push("   Or as a Windows service that starts at boot (same Administrator PowerShell):");
    out.push(`     & ${psQuote(exe)} -service install -config ${psQuote(config)}`);
    out.push(`     & ${psQuote(exe)} -service start`);
    out.push(`   Check: ping ${i.hubOverlayIp}`);
  } else {
    const exe = i.nebula ?? "nebula";
    out.push("   It needs root for its network device; leave it running in a terminal:");
    out.push(`     sudo ${shQuote(exe)} -config ${shQuote(config)}`);
    out.push("   or start it in the background with: npm run join -- --start");
    out.push(`   Check: ping ${i.hubOverlayIp}`);
  }
  out.push("");

  out.push("2. Mount the shares");
  if (i.os === "darwin") {
    out.push("   Finder > Go > Connect to Server (Cmd-K), one at a time:");
    for (const s of i.shares.macos) out.push(`     ${s}`);
    out.push("   or from Terminal (Finder asks for the password once; tick \"Remember in my keychain\"):");
    for (const s of i.shares.macos) out.push(`     open ${shQuote(s.replace(/^smb:\/\//, `smb://${i.sambaUser}@`))}`);
  } else if (i.os === "win32") {
    out.push("   In a normal (not administrator) PowerShell or cmd, so Explorer sees the drives:");
    i.shares.windows.forEach((s, n) => {
      out.push(`     net use ${DRIVE_LETTERS[n % DRIVE_LETTERS.length]}: ${s} /user:${i.sambaUser} ${psQuote(i.sambaPassword)} /persistent:yes`);
    });
  } else {
    const creds = p.join(i.dir, "samba.credentials");
    const opts = `credentials=${creds},uid=${i.uid ?? 1000},gid=${i.gid ?? 1000},vers=3.0`;
    out.push("   Needs cifs-utils (Debian/Ubuntu: sudo apt install cifs-utils). Now:");
    for (const s of i.shares.linux) {
      const mnt = `/mnt/${shareName(s)}`;
      out.push(`     sudo mkdir -p ${mnt} && sudo mount -t cifs ${s} ${mnt} -o ${shQuote(opts)}`);
    }
    out.push("   At every boot (mounted on first use, once Nebula is up), add to /etc/fstab:");
    for (const s of i.shares.linux) {
      out.push(`     ${s} /mnt/${shareName(s)} cifs ${opts.replace(/ /g, "\\040")},_netdev,nofail,noauto,x-systemd.automount 0 0`);
    }
  }
  out.push("");
  out.push("3. Samba credentials");
  out.push(`   user:     ${i.sambaUser}`);
  out.push(`   password: ${i.sambaPassword}`);
  if (i.os !== "win32") out.push(`   (also in ${p.join(i.dir, "samba.credentials")})`);
  return `${out.join("\n")}\n`;
}
