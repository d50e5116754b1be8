// The files `npm run join` writes for one boss: Nebula's CA, certificate, key and config, and a
// Samba credentials file. Pure (joinFiles) apart from writeJoinFiles, so tests check the bytes.
import * as fs from "fs";
import * as path from "path";
import { renderNebulaConfig } from "../../nebula/config";
import { DesktopOs } from "./args";
import { BossCredentials, JoinOutputs } from "./outputs";

export interface JoinFile {
  name: string;
  content: string;
  mode: number;
}

/** Where the files go by default: one folder per farm and boss, so several farms can coexist. */
export function defaultJoinDir(home: string, farm: string, boss: string, os: DesktopOs): string {
  const p = os === "win32" ? path.win32 : path.posix;
  return p.join(home, ".oomerfarm", farm, boss);
}

/**
 * The tun device name per OS. macOS only accepts utunN ("utun" lets the kernel pick); Linux
 * names are at most 15 characters; a per-farm name lets one desktop join several farms.
 */
export function tunDeviceFor(os: DesktopOs, farm: string): string {
  const safe = farm.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (os === "darwin") return "utun";
  if (os === "win32") return `oomerfarm-${safe}`.slice(0, 30);
  return `of-${safe}`.slice(0, 15);
}

/** Samba's credentials-file format, read by mount.cifs (credentials=) and smbclient (-A). */
export function sambaCredentials(user: string, password: string): string {
  return `username=${user}\npassword=${password}\n`;
}

export function joinFiles(outputs: JoinOutputs, boss: BossCredentials, dir: string, os: DesktopOs): JoinFile[] {
  const config = renderNebulaConfig({
    role: "boss",
    pkiDir: dir,
    hubOverlayIp: outputs.hubOverlayIp,
    hubEndpoint: outputs.hubEndpoint,
    // A desktop sits behind NAT and may run something else on 42042: any free port will do,
    // the lighthouse learns the real one from the handshake.
    listenPort: 0,
    tunDev: tunDeviceFor(os, outputs.farm),
  });
  return [
    { name: "ca.crt", content: outputs.caCertificate, mode: 0o644 },
    { name: "host.crt", content: boss.certificate, mode: 0o644 },
    { name: "host.key", content: boss.key, mode: 0o600 },
    { name: "config.yml", content: config, mode: 0o644 },
    { name: "samba.credentials", content: sambaCredentials(outputs.sambaUser, outputs.sambaPassword), mode: 0o600 },
  ];
}

/** Writes the files into dir (0700), atomically, forcing each file's mode even if it existed. */
export function writeJoinFiles(dir: string, files: JoinFile[]): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  for (const f of files) {
    const dest = path.join(dir, f.name);
    const tmp = `${dest}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, f.content, { mode: f.mode });
    fs.chmodSync(tmp, f.mode); // the umask may have narrowed it; never widened beyond f.mode
    fs.renameSync(tmp, dest);
  }
}
