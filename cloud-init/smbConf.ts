// smb.conf for the hub: SMB3 only, bound to the overlay address, one user, two shares.

export interface SmbConfInput {
  overlayIp: string;
  overlayPrefix: number;
  repositoryDir: string;
  shareDir: string;
  user: string;
  /** Samba's private/state/lock/log directories; remapped by the farm-in-a-box harness */
  stateDir?: string;
}

export type IniSections = Record<string, Record<string, string>>;

export function renderIni(sections: IniSections): string {
  const out: string[] = [];
  for (const [name, options] of Object.entries(sections)) {
    out.push(`[${name}]`);
    for (const [k, v] of Object.entries(options)) out.push(`   ${k} = ${v}`);
    out.push("");
  }
  return out.join("\n");
}

export function smbConfSections(input: SmbConfInput): IniSections {
  const share = (path: string, comment: string) => ({
    comment,
    path,
    "valid users": input.user,
    "force user": input.user,
    "force group": input.user,
    "read only": "no",
    browseable: "yes",
    "create mask": "0664",
    "directory mask": "0775",
  });
  const global: Record<string, string> = {
    workgroup: "WORKGROUP",
    "server string": "oomerfarm hub",
    "server role": "standalone server",
    // An address with its prefix is the only form that binds to the Nebula tun (see field notes).
    interfaces: `${input.overlayIp}/${input.overlayPrefix}`,
    "bind interfaces only": "yes",
    "smb ports": "445",
    "server min protocol": "SMB3",
    "server smb encrypt": "desired",
    "map to guest": "never",
    "restrict anonymous": "2",
    "load printers": "no",
    printing: "bsd",
    "printcap name": "/dev/null",
    "disable spoolss": "yes",
    "disable netbios": "yes",
    "passdb backend": "tdbsam",
    "unix extensions": "no",
    "log level": "1",
  };
  if (input.stateDir) {
    for (const d of ["private dir", "state directory", "lock directory", "cache directory", "pid directory", "ncalrpc dir"]) {
      global[d] = `${input.stateDir}/${d.split(" ")[0]}`;
    }
    global["log file"] = `${input.stateDir}/log.%m`;
  }
  return {
    global,
    DeadlineRepository10: share(input.repositoryDir, "Deadline 10 repository"),
    oomerfarm: share(input.shareDir, "projects, renders and installers"),
  };
}

export function renderSmbConf(input: SmbConfInput): string {
  return `# Written by oomerfarm. Shares are reachable only over the Nebula overlay.\n${renderIni(smbConfSections(input))}`;
}
