// Issue the farm's whole PKI from one seed and one issuance time: the CA, the hub, each boss,
// the probe and every worker slot of the batch. Pure: the same inputs give the same bytes.
import { AddressPlan, workerSlotName } from "./addressPlan";
import { caKeyToPem, certificateToPem, fingerprint, issueHostCertificate, makeCaCertificate, NebulaCertificate } from "./cert";
import { ROLE_GROUPS } from "./firewall";
import { deriveBytes, ed25519FromSeed } from "./keys";

export interface IssuedHostRecord {
  name: string;
  role: "hub" | "boss" | "worker" | "probe";
  /** 1-based worker slot, for workers */
  slot?: number;
  overlayIp: string;
  certPem: string;
  keyPem: string;
  fingerprint: string;
  notAfter: number;
}

export interface FarmPki {
  caCertPem: string;
  caKeyPem: string;
  caFingerprint: string;
  caNotAfter: number;
  hosts: IssuedHostRecord[];
}

export interface FarmPkiSpec {
  farmName: string;
  addresses: AddressPlan;
  bosses: string[];
  workerCapacity: number;
  /** unix seconds; the moment the batch was issued (kept in Pulumi state) */
  issuedAt: number;
  validityDays: number;
}

/** Clock skew allowance between the machine running Pulumi and the servers. */
const BACKDATE_SECONDS = 300;

export function issueFarmPki(seed: Buffer, spec: FarmPkiSpec): FarmPki {
  const notBefore = spec.issuedAt - BACKDATE_SECONDS;
  const notAfter = spec.issuedAt + spec.validityDays * 86400;
  const caKey = ed25519FromSeed(deriveBytes(seed, "nebula-ca"));
  const ca = makeCaCertificate({ name: `oomerfarm ${spec.farmName}`, notBefore, notAfter }, caKey);
  const prefix = spec.addresses.prefix;
  const hosts: IssuedHostRecord[] = [];
  const issue = (name: string, role: IssuedHostRecord["role"], ip: string, slot?: number) => {
    const issued = issueHostCertificate(
      { name, ip: `${ip}/${prefix}`, groups: ROLE_GROUPS[role], notBefore, notAfter },
      deriveBytes(seed, `nebula-host:${name}`),
      ca,
      caKey,
    );
    hosts.push({ name, role, slot, overlayIp: ip, certPem: issued.certPem, keyPem: issued.keyPem, fingerprint: fingerprint(issued.cert), notAfter: issued.cert.details.notAfter });
  };
  issue("hub", "hub", spec.addresses.hub);
  spec.bosses.forEach((b, i) => issue(b, "boss", spec.addresses.boss(i + 1)));
  issue("probe", "probe", spec.addresses.probe);
  for (let slot = 1; slot <= spec.workerCapacity; slot++) issue(workerSlotName(slot), "worker", spec.addresses.workerSlot(slot), slot);
  return { caCertPem: certificateToPem(ca), caKeyPem: caKeyToPem(caKey), caFingerprint: fingerprint(ca as NebulaCertificate), caNotAfter: notAfter, hosts };
}
