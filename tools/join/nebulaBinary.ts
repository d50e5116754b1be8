// Finding the desktop's nebula binary, and telling the user how to install it when it is missing.
import * as fs from "fs";
import * as path from "path";
import { NEBULA, NEBULA_DESKTOP } from "../../cloud-init/pins";
import { DesktopOs } from "./args";

export const WINDOWS_NEBULA = "C:\\Program Files\\nebula\\nebula.exe";

/** Places nebula lands when installed the usual way, beyond PATH (sudo and GUI PATHs differ). */
const USUAL: Record<DesktopOs, string[]> = {
  linux: ["/usr/bin/nebula", "/usr/local/bin/nebula", "/usr/sbin/nebula"],
  darwin: ["/opt/homebrew/bin/nebula", "/usr/local/bin/nebula"],
  win32: [WINDOWS_NEBULA],
};

/** The nebula binary on PATH or in a usual place, else undefined. */
export function findNebula(os: DesktopOs, pathEnv: string | undefined, exists: (f: string) => boolean = isFile): string | undefined {
  const sep = os === "win32" ? ";" : ":";
  const exe = os === "win32" ? "nebula.exe" : "nebula";
  const join = os === "win32" ? path.win32.join : path.posix.join;
  const candidates = (pathEnv ?? "").split(sep).filter((d) => d !== "").map((d) => join(d, exe));
  return [...candidates, ...USUAL[os]].find(exists);
}

function isFile(f: string): boolean {
  try {
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}

/** How to install nebula on that OS, with the pinned release and its checksum. */
export function installHint(os: DesktopOs): string[] {
  switch (os) {
    case "linux":
      return [
        "nebula is not installed. Debian/Ubuntu:  sudo apt install nebula",
        `Other Linux: download ${NEBULA.url}`,
        `  check it: sha256sum nebula-linux-amd64.tar.gz  (must print ${NEBULA.sha256})`,
        "  then: sudo tar -xzf nebula-linux-amd64.tar.gz -C /usr/local/bin nebula",
      ];
    case "darwin":
      return [
        "nebula is not installed. With Homebrew:  brew install nebula",
        `Or download ${NEBULA_DESKTOP.darwin.url}`,
        `  check it: shasum -a 256 nebula-darwin.zip  (must print ${NEBULA_DESKTOP.darwin.sha256})`,
        "  then: unzip nebula-darwin.zip nebula && sudo install -m 0755 nebula /usr/local/bin/nebula",
      ];
    case "win32":
      return [
        `nebula is not installed. Download ${NEBULA_DESKTOP.win32.url}`,
        `  check it in PowerShell: (Get-FileHash nebula-windows-amd64.zip).Hash  (must be ${NEBULA_DESKTOP.win32.sha256.toUpperCase()})`,
        `  then unzip all of it (nebula.exe and the wintun driver folder) into ${path.win32.dirname(WINDOWS_NEBULA)}`,
      ];
  }
}
