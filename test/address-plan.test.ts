// The address plan (nebula/addressPlan.ts): where the hub, bosses and worker slots sit in vpnCidr,
// and where it refuses. Edges: the last slot of a /16, a /24 too small, a host address given as
// the network, prefixes outside /8-/24.
import { addressPlan, AddressPlanError, slotFromWorkerName, workerSlotName } from "../nebula/addressPlan";
import { parseIpv4 } from "../nebula/ipv4";

const inside = (ip: string, cidr: string): boolean => {
  const [net, prefix] = cidr.split("/");
  const mask = Number(prefix) === 0 ? 0 : (0xffffffff << (32 - Number(prefix))) >>> 0;
  return ((parseIpv4(ip)! & mask) >>> 0) === parseIpv4(net);
};

describe("a /16 (the default 10.87.0.0/16): the original's layout", () => {
  const plan = addressPlan("10.87.0.0/16", 39878, 3);

  test("hub .0.1, probe .0.250, bosses .10.x, workers .99.1 upward", () => {
    expect(plan.hub).toBe("10.87.0.1");
    expect(plan.probe).toBe("10.87.0.250");
    expect(plan.boss(1)).toBe("10.87.10.1");
    expect(plan.boss(3)).toBe("10.87.10.3");
    expect(plan.workerSlot(1)).toBe("10.87.99.1");
    expect(plan.workerSlot(254)).toBe("10.87.99.254");
    expect(plan.workerSlot(255)).toBe("10.87.100.1");
    expect(plan.prefix).toBe(16);
  });

  test("the last slot is 10.87.255.254, slot 39878", () => {
    expect(plan.maxWorkerSlots).toBe(39878);
    expect(plan.workerSlot(39878)).toBe("10.87.255.254");
  });

  test("one more than 39878 slots is refused, naming the limit", () => {
    expect(() => addressPlan("10.87.0.0/16", 39879, 1)).toThrow(AddressPlanError);
    expect(() => addressPlan("10.87.0.0/16", 39879, 1)).toThrow("10.87.0.0/16 holds at most 39878 worker slots, not 39879");
  });

  test("every slot is a distinct host address inside the network, never .0 or .255, never the hub's or a boss's", () => {
    const seen = new Set<string>([plan.hub, plan.probe, plan.boss(1), plan.boss(2), plan.boss(3)]);
    for (let slot = 1; slot <= plan.maxWorkerSlots; slot++) {
      const ip = plan.workerSlot(slot);
      const last = Number(ip.split(".")[3]);
      if (last === 0 || last === 255 || seen.has(ip) || !inside(ip, "10.87.0.0/16")) throw new Error(`slot ${slot} -> ${ip}`);
      seen.add(ip);
    }
    expect(seen.size).toBe(39878 + 5);
  });

  test("a slot outside the capacity, slot 0 and a fraction are refused", () => {
    const small = addressPlan("10.87.0.0/16", 10, 1);
    expect(() => small.workerSlot(11)).toThrow("worker slot 11 out of range 1-10");
    expect(() => small.workerSlot(0)).toThrow(AddressPlanError);
    expect(() => small.workerSlot(1.5)).toThrow(AddressPlanError);
    expect(() => small.boss(0)).toThrow("boss index 0 out of range 1-254");
    expect(() => small.boss(255)).toThrow(AddressPlanError);
  });

  test("a slot keeps its address whatever the capacity (raising workerCapacity moves nobody)", () => {
    const a = addressPlan("10.87.0.0/16", 10, 1);
    const b = addressPlan("10.87.0.0/16", 1000, 1);
    for (let s = 1; s <= 10; s++) expect(b.workerSlot(s)).toBe(a.workerSlot(s));
    expect(b.hub).toBe(a.hub);
    expect(b.boss(1)).toBe(a.boss(1));
  });
});

describe("a /24: the compact layout", () => {
  test("hub .1, probe .9, bosses from .10, workers .100 to .254 (155 slots)", () => {
    const p = addressPlan("192.168.50.0/24", 155, 40);
    expect(p.hub).toBe("192.168.50.1");
    expect(p.probe).toBe("192.168.50.9");
    expect(p.boss(1)).toBe("192.168.50.10");
    expect(p.boss(40)).toBe("192.168.50.49");
    expect(p.workerSlot(1)).toBe("192.168.50.100");
    expect(p.workerSlot(155)).toBe("192.168.50.254");
    expect(p.maxWorkerSlots).toBe(155);
    expect(p.maxBosses).toBe(40);
  });

  test("is too small for 156 or 1000 workers (100 fit)", () => {
    expect(() => addressPlan("192.168.50.0/24", 100, 1)).not.toThrow();
    expect(() => addressPlan("192.168.50.0/24", 156, 1)).toThrow("192.168.50.0/24 holds at most 155 worker slots, not 156");
    expect(() => addressPlan("192.168.50.0/24", 1000, 1)).toThrow("192.168.50.0/24 holds at most 155 worker slots, not 1000");
  });

  test("holds at most 40 bosses", () => {
    expect(() => addressPlan("192.168.50.0/24", 10, 41)).toThrow("192.168.50.0/24 holds at most 40 bosses, not 41");
  });

  test("a /20 uses the compact layout over the whole range", () => {
    const p = addressPlan("172.16.16.0/20", 3995, 1);
    expect(p.hub).toBe("172.16.16.1");
    expect(p.workerSlot(1)).toBe("172.16.16.100");
    expect(p.workerSlot(3995)).toBe("172.16.31.254");
    expect(() => addressPlan("172.16.16.0/20", 3996, 1)).toThrow(AddressPlanError);
  });
});

describe("bad networks", () => {
  test.each([
    ["10.87.0.1/16", "10.87.0.1/16 is not a network address (did you mean 10.87.0.0/16?)"],
    ["10.87.5.0/16", "10.87.5.0/16 is not a network address (did you mean 10.87.0.0/16?)"],
    ["192.168.50.128/24", "192.168.50.128/24 is not a network address (did you mean 192.168.50.0/24?)"],
    ["10.87.0.0", "10.87.0.0 is not in a.b.c.d/n form"],
    ["10.87.0.256/24", "10.87.0.256/24 is not a valid IPv4 address"],
    ["10.087.0.0/16", "10.087.0.0/16 is not a valid IPv4 address"],
    ["10.87.0.0/33", "10.87.0.0/33 is prefix length above 32"],
    ["10.0.0.0/7", "10.0.0.0/7: prefix /7 is outside /8 to /24"],
    ["10.87.0.0/25", "10.87.0.0/25: prefix /25 is outside /8 to /24"],
  ])("%s", (cidr, message) => {
    expect(() => addressPlan(cidr, 1, 1)).toThrow(AddressPlanError);
    expect(() => addressPlan(cidr, 1, 1)).toThrow(message);
  });

  test("the prefix limits themselves are accepted: /8 and /24", () => {
    const wide = addressPlan("10.0.0.0/8", 100000, 1);
    expect(wide.hub).toBe("10.0.0.1");
    expect(wide.workerSlot(100000)).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(inside(wide.workerSlot(100000), "10.0.0.0/8")).toBe(true);
    expect(addressPlan("10.87.0.0/24", 1, 1).workerSlot(1)).toBe("10.87.0.100");
  });
});

test("slot names: worker0001 for slot 1, four digits, more past 9999, and back", () => {
  expect(workerSlotName(1)).toBe("worker0001");
  expect(workerSlotName(39878)).toBe("worker39878");
  expect(slotFromWorkerName("worker0042")).toBe(42);
  expect(slotFromWorkerName("worker39878")).toBe(39878);
  expect(slotFromWorkerName("worker42")).toBeUndefined();
  expect(slotFromWorkerName("hub")).toBeUndefined();
  for (const s of [1, 9, 10, 999, 9999, 10000]) expect(slotFromWorkerName(workerSlotName(s))).toBe(s);
});
