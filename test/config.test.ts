// Stack settings (lib/config.ts): defaults, accepted forms, and a table of bad values, each with the
// exact one-line message the user sees (key, value, what is allowed).
import { AWS_REGIONS, ConfigError, parseFarmConfig, SETTINGS } from "../lib/config";
import { knownServerTypes } from "../lib/pricing";

function parse(values: Record<string, string>, stack = "dev") {
  return parseFarmConfig((k) => values[k], stack, Object.keys(values));
}

function errorOf(values: Record<string, string>): ConfigError {
  try {
    parse(values);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(values)}`);
}

const KNOWN = SETTINGS.map((s) => s.key).join(", ");

describe("defaults and accepted forms", () => {
  test("an empty stack is a valid one-worker Hetzner farm", () => {
    const c = parse({});
    expect(c).toMatchObject({
      cloud: "hcloud", location: "fsn1", hubServerType: "cx22", image: "alma-8", workerCapacity: 100, inhouseSlots: 10,
      vpnCidr: "10.87.0.0/16", nebulaPort: 42042, bosses: ["boss"], sshAllowedCidrs: ["0.0.0.0/0", "::/0"], keepData: true,
      dataVolumeGb: 50, waitForReady: true, renderers: ["bella"], idleMinutes: 0, revoked: [], pkiGeneration: 1, certValidityDays: 730,
      inhouseRange: { first: 91, last: 100 },
    });
    expect(c.pools).toEqual([{ name: "workers", cloud: "hcloud", location: "fsn1", serverType: "cpx51", count: 1, firstSlot: 1, slots: 90, spot: false, spotMaxPrice: undefined, spotMaxPriceKey: "workerSpotMaxPrice" }]);
    expect(c.addresses.hub).toBe("10.87.0.1");
  });

  test("aws defaults: its own region and instance types, spot workers", () => {
    const c = parse({ cloud: "aws" });
    expect(c).toMatchObject({ location: "eu-central-1", hubServerType: "t3.medium" });
    expect(c.pools[0]).toMatchObject({ cloud: "aws", serverType: "c6a.8xlarge", spot: true });
  });

  test("lists arrive as Pulumi passes YAML sequences (a JSON string), or comma-separated", () => {
    expect(parse({ bosses: '["alice","bob-2"]' }).bosses).toEqual(["alice", "bob-2"]);
    expect(parse({ bosses: "alice, bob" }).bosses).toEqual(["alice", "bob"]);
    expect(parse({ sshAllowedCidrs: "[]" }).sshAllowedCidrs).toEqual([]);
    expect(parse({ sshAllowedCidrs: '["203.0.113.4/32","2001:db8::/64"]' }).sshAllowedCidrs).toEqual(["203.0.113.4/32", "2001:db8::/64"]);
    expect(parse({ renderers: "bella,blender,bella" }).renderers).toEqual(["bella", "blender"]);
  });

  test("workerCount 0 is a hub-only farm; capacity and in-house slots shape the cloud range", () => {
    expect(parse({ workerCount: "0" }).pools[0].count).toBe(0);
    const c = parse({ workerCapacity: "1000", workerCount: "990" });
    expect(c.pools[0]).toMatchObject({ count: 990, slots: 990 });
    expect(c.inhouseRange).toEqual({ first: 991, last: 1000 });
    expect(parse({ workerCapacity: "1" }).inhouseSlots).toBe(0);
  });

  test("the long form: pools reserve slots in list order", () => {
    const c = parse({ workerPools: JSON.stringify([{ name: "fast", count: 2, slots: 5, serverType: "ccx33" }, { name: "cheap", cloud: "aws", count: 1, slots: 3 }]) });
    expect(c.pools.map((p) => [p.name, p.cloud, p.firstSlot, p.slots, p.count, p.serverType])).toEqual([
      ["fast", "hcloud", 1, 5, 2, "ccx33"],
      ["cheap", "aws", 6, 3, 1, "c6a.8xlarge"],
    ]);
    expect(c.inhouseRange).toEqual({ first: 9, last: 100 });
  });

  test("outside the EU the default hub is a type sold there", () => {
    expect(parse({ location: "ash" }).hubServerType).toBe("cpx21");
    expect(parse({ location: "nbg1" }).hubServerType).toBe("cx22");
  });

  test("a smaller overlay moves the address plan with it", () => {
    expect(parse({ vpnCidr: "192.168.50.0/24" }).addresses.workerSlot(1)).toBe("192.168.50.100");
  });
});

describe("bad values: one line naming the key, the value and what is allowed", () => {
  const hetznerType = (location: string) => `not a Hetzner server type offered in ${location}; known: ${knownServerTypes("hetzner", location).join(", ")}`;
  const whole = (min: number, max: number) => `must be a whole number from ${min} to ${max}`;
  const cases: Array<[Record<string, string>, string]> = [
    [{ cloud: "gcp" }, "config cloud=gcp: allowed: hcloud, aws"],
    [{ location: "mars" }, "config location=mars: unknown Hetzner location; allowed: fsn1, nbg1, hel1, ash, hil, sin"],
    [{ cloud: "aws", location: "fsn1" }, `config location=fsn1: unknown AWS region; allowed: ${AWS_REGIONS.join(", ")}`],
    [{ hubServerType: "big" }, `config hubServerType=big: ${hetznerType("fsn1")}`],
    [{ workerServerType: "c6a.8xlarge" }, `config workerServerType=c6a.8xlarge: ${hetznerType("fsn1")}`],
    // cx and cax types are sold in the EU only.
    [{ location: "ash", hubServerType: "cx22" }, `config hubServerType=cx22: ${hetznerType("ash")}`],
    [{ cloud: "aws", hubServerType: "cx22" }, "config hubServerType=cx22: not an EC2 instance type (e.g. c6a.8xlarge)"],
    [{ image: "debian-12" }, "config image=debian-12: allowed: alma-8, alma-9, rocky-8, rocky-9, ubuntu-22.04, ubuntu-24.04"],
    [{ vpnCidr: "10.87.0.1/16" }, "config vpnCidr=10.87.0.1/16: not a network address (did you mean 10.87.0.0/16?); use an IPv4 network such as 10.87.0.0/16"],
    [{ vpnCidr: "fd00::/64" }, "config vpnCidr=fd00::/64: not a valid IPv4 address; use an IPv4 network such as 10.87.0.0/16"],
    [{ vpnCidr: "10.87.0.0" }, "config vpnCidr=10.87.0.0: not in a.b.c.d/n form; use an IPv4 network such as 10.87.0.0/16"],
    [{ vpnCidr: "10.87.0.0/25" }, "config vpnCidr=10.87.0.0/25: prefix must be /8 to /24"],
    [{ vpnCidr: "10.0.0.0/7" }, "config vpnCidr=10.0.0.0/7: prefix must be /8 to /24"],
    [{ nebulaPort: "0" }, `config nebulaPort=0: ${whole(1, 65535)}`],
    [{ nebulaPort: "70000" }, `config nebulaPort=70000: ${whole(1, 65535)}`],
    [{ nebulaPort: "udp" }, `config nebulaPort=udp: ${whole(1, 65535)}`],
    [{ workerCapacity: "0" }, `config workerCapacity=0: ${whole(1, 9999)}`],
    [{ workerCapacity: "10000" }, `config workerCapacity=10000: ${whole(1, 9999)}`],
    [{ vpnCidr: "10.87.0.0/24", workerCapacity: "200" }, "config workerCapacity=200: 10.87.0.0/24 holds at most 155 worker slots, not 200; use a larger vpnCidr or a smaller workerCapacity"],
    [{ workerCount: "-1" }, `config workerCount=-1: ${whole(0, 9999)}`],
    [{ workerCount: "2.5" }, `config workerCount=2.5: ${whole(0, 9999)}`],
    [{ workerCount: "95" }, "config workerCount=95: exceeds the 90 cloud slots (workerCapacity 100 minus inhouseSlots 10); raise workerCapacity (issues more certificates, existing ones stay) or lower inhouseSlots"],
    [{ workerCapacity: "20", inhouseSlots: "21" }, `config inhouseSlots=21: ${whole(0, 20)}`],
    [{ bosses: "[]" }, "config bosses=[]: at least one boss (desktop) is needed to use the farm"],
    [{ bosses: "Alice" }, "config bosses=Alice: names are lower-case letters, digits and '-', starting with a letter, at most 31 characters"],
    [{ bosses: "hub" }, "config bosses=hub: hub, probe and workerNNNN are reserved names"],
    [{ bosses: "worker0001" }, "config bosses=worker0001: hub, probe and workerNNNN are reserved names"],
    [{ bosses: "ann,ann" }, "config bosses=ann,ann: names must be unique"],
    [{ bosses: '["ann",1]' }, 'config bosses=["ann",1]: must be a list of strings'],
    [{ bosses: "[ann" }, "config bosses=[ann: must be a list (YAML sequence, JSON array or comma-separated)"],
    [{ sshAllowedCidrs: "203.0.113.4" }, "config sshAllowedCidrs=203.0.113.4: not a CIDR (not in a.b.c.d/n form); use e.g. 203.0.113.4/32 or 2001:db8::/64"],
    [{ sshAllowedCidrs: "0.0.0.0/0,300.1.1.1/32" }, "config sshAllowedCidrs=300.1.1.1/32: not a CIDR (not a valid IPv4 address); use e.g. 203.0.113.4/32 or 2001:db8::/64"],
    [{ sshAllowedCidrs: "2001:db8::1::/64" }, "config sshAllowedCidrs=2001:db8::1::/64: not a CIDR (not a valid IPv4 address); use e.g. 203.0.113.4/32 or 2001:db8::/64"],
    [{ renderers: "maya" }, "config renderers=maya: allowed: bella, blender"],
    [{ keepData: "yes" }, "config keepData=yes: must be true or false"],
    [{ waitForReady: "1" }, "config waitForReady=1: must be true or false"],
    [{ dataVolumeGb: "5" }, `config dataVolumeGb=5: ${whole(10, 10240)}`],
    [{ idleMinutes: "-5" }, `config idleMinutes=-5: ${whole(0, 10080)}`],
    [{ idleMinutes: "30", idleGuardToken: "t", workerPools: '[{"name":"fast","slots":2},{"name":"gpu","cloud":"aws","slots":2}]' }, "config idleMinutes=30: the idle guard runs on the hub (hcloud) and removes workers through hcloud only, but pool gpu is on aws; set 0 on farms whose workers span clouds"],
    [{ idleMinutes: "30", cloud: "aws", workerPools: '[{"name":"a","cloud":"hcloud","location":"fsn1","slots":2},{"name":"b","cloud":"hcloud","location":"fsn1","slots":2}]' }, "config idleMinutes=30: the idle guard runs on the hub (aws) and removes workers through aws only, but pools a, b are on hcloud; set 0 on farms whose workers span clouds"],
    [{ idleMinutes: "30" }, "config idleGuardToken=: required when idleMinutes > 0: pulumi config set --secret idleGuardToken <Hetzner API token>"],
    [{ revoked: "worker0200" }, "config revoked=worker0200: not a certificate of this farm; known: hub, boss, worker0001-100"],
    [{ pkiGeneration: "0" }, `config pkiGeneration=0: ${whole(1, 1000000)}`],
    [{ certValidityDays: "10" }, `config certValidityDays=10: ${whole(30, 3650)}`],
    [{ awsVpcId: "vpc-0123456789abcdef0" }, "config awsSubnetId=: awsVpcId and awsSubnetId go together: set both or neither"],
    [{ awsVpcId: "my-vpc", awsSubnetId: "subnet-01234567" }, "config awsVpcId=my-vpc: must look like vpc-0123456789abcdef0"],
    [{ cloud: "aws", workerSpotMaxPrice: "cheap" }, "config workerSpotMaxPrice=cheap: must be a positive price in USD per hour, e.g. 0.45"],
    [{ workerPools: "[]" }, "config workerPools=[]: must be a non-empty list of pools"],
    [{ workerPools: '[{"name":"a","count":3,"slots":2}]' }, "config workerPools[0].count=3: exceeds the pool's 2 reserved slots; raise slots"],
    [{ workerPools: '[{"name":"a","slots":200}]' }, "config workerPools[0].slots=200: pools reserve slots 1-200 but workerCapacity is 100; raise workerCapacity"],
    [{ workerPools: '[{"name":"a","slots":2,"spot":true}]' }, "config workerPools[0].spot=true: spot instances exist only on aws"],
    [{ workerPools: '[{"name":"a","slots":2,"size":3}]' }, "config workerPools[0].size=3: unknown pool setting; allowed: name, cloud, location, serverType, count, slots, spot, spotMaxPrice"],
    [{ workerPools: '[{"name":"a","slots":2}]', workerCount: "2" }, "config workerCount=2: short-form setting cannot be combined with workerPools; move it into a pool"],
    [{ workercount: "2" }, `config workercount=2: unknown setting (did you mean workerCount?); known: ${KNOWN}`],
    [{ region: "fsn1" }, `config region=fsn1: unknown setting; known: ${KNOWN}`],
  ];

  test.each(cases)("%j", (values, message) => {
    const e = errorOf(values);
    expect(e.message).toBe(message);
    expect(e.name).toBe("ConfigError");
    expect(e.message).not.toContain("\n");
  });

  test("every documented key is a known key (present in the stack, it is not 'unknown')", () => {
    const keys = SETTINGS.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(["cloud", "location", "hubServerType", "workerServerType", "workerCount", "workerCapacity", "image", "vpnCidr", "nebulaPort", "bosses", "sshAllowedCidrs"]));
    expect(() => parseFarmConfig(() => undefined, "dev", keys)).not.toThrow();
  });
});
