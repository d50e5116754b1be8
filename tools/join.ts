// `npm run join`: puts this desktop (a "boss") on the farm's Nebula network. Writes the boss's
// certificate, key, Nebula config and Samba credentials into ~/.oomerfarm/<farm>/<boss>/ and
// prints how to start Nebula and mount the shares on this OS. See tools/join/*.ts.
import * as os from "os";
import { parseJoinArgs, UsageError } from "./join/args";
import { defaultJoinDir, joinFiles, writeJoinFiles } from "./join/files";
import { joinInstructions } from "./join/instructions";
import { findNebula } from "./join/nebulaBinary";
import { BossError, loadOutputs, OutputsError, parseJoinOutputs, pickBoss } from "./join/outputs";
import { startNebula } from "./join/start";

async function main(): Promise<number> {
  const opts = parseJoinArgs(process.argv.slice(2));
  const outputs = parseJoinOutputs(loadOutputs(opts.outputs, opts.stack));
  const [bossName, boss] = pickBoss(outputs, opts.boss);
  const dir = opts.dir ?? defaultJoinDir(os.homedir(), outputs.farm, bossName, opts.os);
  writeJoinFiles(dir, joinFiles(outputs, boss, dir, opts.os));
  // Only this machine's binary can be found; --os for another OS prints that OS's default path.
  const nebula = opts.os === process.platform || (opts.os === "linux" && process.platform !== "win32" && process.platform !== "darwin")
    ? findNebula(opts.os, process.env.PATH)
    : undefined;
  process.stdout.write(joinInstructions({
    os: opts.os,
    farm: outputs.farm,
    boss: bossName,
    overlayIp: boss.overlayIp,
    hubOverlayIp: outputs.hubOverlayIp,
    dir,
    shares: outputs.shares,
    sambaUser: outputs.sambaUser,
    sambaPassword: outputs.sambaPassword,
    nebula,
    uid: process.getuid?.(),
    gid: process.getgid?.(),
  }));
  if (!opts.start) return 0;
  if (nebula === undefined) {
    process.stderr.write("--start: no nebula binary on this machine (install it as shown above)\n");
    return 1;
  }
  const r = await startNebula(opts.os, nebula, dir, outputs.hubOverlayIp);
  process.stdout.write(`\n${r.message}\n`);
  return r.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof BossError) {
      process.stderr.write(`join: ${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof OutputsError) {
      process.stderr.write(`join: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  },
);
