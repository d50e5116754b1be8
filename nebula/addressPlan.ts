// Where every farm host sits inside the overlay network, in the spirit of the original:
// hub .0.1 (more lighthouses .0.2-.0.9), bosses (people) .10.x, worker slots .99.1 upward,
// skipping .0 and .255 so every worker address also looks like a host address to a human.
import { formatIpv4, parseCidr } from "./ipv4";

export interface AddressPlan {
  cidr: string;
  prefix: number;
  hub: string;
  /** the in-house online check's identity */
  probe: string;
  maxBosses: number;
  maxWorkerSlots: number;
  boss(index: number): string;
  /** slot is 1-based: slot 1 = worker0001 */
  workerSlot(slot: number): string;
}

export const MIN_PREFIX = 8;
export const MAX_PREFIX = 24;

export class AddressPlanError extends Error {}

/**
 * Two layouts: networks of /16 or larger use the original's third-octet layout;
 * smaller ones (/17 to /24) a compact one (hub .1, bosses .10-.49, workers .100 upward).
 */
export function addressPlan(cidr: string, workerCapacity: number, bossCount: number): AddressPlan {
  const parsed = parseCidr(cidr);
  if (typeof parsed === "string") throw new AddressPlanError(`${cidr} is ${parsed}`);
  const { network, prefix } = parsed;
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    throw new AddressPlanError(`${cidr}: prefix /${prefix} is outside /${MIN_PREFIX} to /${MAX_PREFIX}`);
  }
  const size = 2 ** (32 - prefix);
  const lastHostOffset = size - 2; // size - 1 is the broadcast address
  const wide = prefix <= 16;

  const bossOffset = (i: number) => (wide ? 10 * 256 + i : 9 + i);
  const maxBosses = wide ? 254 : 40;
  const workerOffset = wide
    ? (slot: number) => 99 * 256 + Math.floor((slot - 1) / 254) * 256 + ((slot - 1) % 254) + 1
    : (slot: number) => 99 + slot;
  // A wide network is a whole number of /24 blocks: blocks 99 and up hold 254 workers each.
  const maxWorkerSlots = wide ? (size / 256 - 99) * 254 : lastHostOffset - 99;

  if (workerCapacity > maxWorkerSlots) {
    throw new AddressPlanError(`${cidr} holds at most ${maxWorkerSlots} worker slots, not ${workerCapacity}`);
  }
  if (bossCount > maxBosses) {
    throw new AddressPlanError(`${cidr} holds at most ${maxBosses} bosses, not ${bossCount}`);
  }
  const at = (offset: number) => `${formatIpv4((network + offset) >>> 0)}`;
  return {
    cidr,
    prefix,
    hub: at(1),
    probe: at(wide ? 250 : 9),
    maxBosses,
    maxWorkerSlots,
    boss(index: number) {
      if (!Number.isInteger(index) || index < 1 || index > maxBosses) throw new AddressPlanError(`boss index ${index} out of range 1-${maxBosses}`);
      return at(bossOffset(index));
    },
    workerSlot(slot: number) {
      if (!Number.isInteger(slot) || slot < 1 || slot > workerCapacity) {
        throw new AddressPlanError(`worker slot ${slot} out of range 1-${workerCapacity}`);
      }
      return at(workerOffset(slot));
    },
  };
}

/** worker0001 for slot 1; four digits as the original's hostnames, more past 9999. */
export function workerSlotName(slot: number): string {
  return `worker${String(slot).padStart(4, "0")}`;
}

export function slotFromWorkerName(name: string): number | undefined {
  const m = /^worker(\d{4,})$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
