// /etc/mongod.conf: the overlay address and loopback only, TLS required, authorization on.
import { stringify } from "yaml";

export interface MongodConfInput {
  overlayIp: string;
  port: number;
  dbPath: string;
  logPath: string;
  serverPemPath: string;
  caPath: string;
}

export function renderMongodConf(input: MongodConfInput): string {
  return stringify({
    storage: { dbPath: input.dbPath },
    systemLog: { destination: "file", path: input.logPath, logAppend: true },
    net: {
      // Loopback lets the boot step create the first user (localhost exception).
      bindIp: `127.0.0.1,${input.overlayIp}`,
      port: input.port,
      tls: {
        mode: "requireTLS",
        certificateKeyFile: input.serverPemPath,
        CAFile: input.caPath,
        // Deadline presents its client certificate; the boot step's shell may not.
        allowConnectionsWithoutCertificates: true,
        disabledProtocols: "TLS1_0,TLS1_1",
      },
    },
    security: { authorization: "enabled" },
    processManagement: { fork: false },
  });
}
