// Cost estimates: figures worked out by hand from the published list prices in lib/pricing.ts.
import { estimateCost, knownServerTypes, onDemandHourly, HETZNER_PRICES, AWS_PRICES, FarmShape } from "../lib/pricing";

describe("price lookups", () => {
  test("Hetzner EU locations sell cx/cpx/cax/ccx; US and Singapore only cpx/ccx", () => {
    const fsn = knownServerTypes("hetzner", "fsn1");
    for (const t of ["cx22", "cx32", "cx42", "cx52", "cpx11", "cpx51", "cax11", "cax41", "ccx13", "ccx63"]) expect(fsn).toContain(t);
    const ash = knownServerTypes("hetzner", "ash");
    expect(ash).toContain("cpx31");
    expect(ash).toContain("ccx63");
    expect(ash).not.toContain("cx22");
    expect(ash).not.toContain("cax11");
    expect(knownServerTypes("hetzner", "sin")).not.toContain("cax21");
    expect(knownServerTypes("hetzner", "mars1")).toEqual([]);
  });

  test("Hetzner prices differ between the EU and the US for the same type", () => {
    expect(onDemandHourly("hetzner", "nbg1", "cpx31")).toBe(0.0218);
    expect(onDemandHourly("hetzner", "hil", "cpx31")).toBeGreaterThan(0.0218);
    expect(onDemandHourly("hetzner", "ash", "cx22")).toBeUndefined();
    expect(onDemandHourly("hetzner", "fsn1", "cx99")).toBeUndefined();
  });

  test("AWS sizes scale linearly from the .large price, per region", () => {
    expect(onDemandHourly("aws", "us-east-1", "c7i.large")).toBe(0.08925);
    expect(onDemandHourly("aws", "us-east-1", "c7i.4xlarge")).toBe(0.714);
    expect(onDemandHourly("aws", "us-east-1", "c7a.48xlarge")).toBeCloseTo(9.85344, 6);
    expect(onDemandHourly("aws", "us-east-1", "t3.micro")).toBe(0.0104);
    expect(onDemandHourly("aws", "eu-central-1", "m6i.xlarge")).toBe(0.23);
    expect(onDemandHourly("aws", "eu-central-1", "m6i.xlarge")).toBeGreaterThan(onDemandHourly("aws", "us-east-1", "m6i.xlarge")!);
    // Sizes a family does not have, unknown families and unknown regions give undefined.
    expect(onDemandHourly("aws", "us-east-1", "c6i.48xlarge")).toBeUndefined();
    expect(onDemandHourly("aws", "us-east-1", "t3.4xlarge")).toBeUndefined();
    expect(onDemandHourly("aws", "us-east-1", "p5.48xlarge")).toBeUndefined();
    expect(onDemandHourly("aws", "ap-south-1", "c7i.large")).toBeUndefined();
    const types = knownServerTypes("aws", "eu-west-1");
    expect(types).toContain("r6i.32xlarge");
    expect(types).toContain("c6a.48xlarge");
    expect(types.every((t) => onDemandHourly("aws", "eu-west-1", t) !== undefined)).toBe(true);
  });

  test("every Hetzner table entry has a cap below 730 hours of its hourly price (else the cap is meaningless)", () => {
    for (const zone of Object.values(HETZNER_PRICES.servers)) {
      for (const [type, p] of Object.entries(zone)) {
        expect([type, p.monthlyCap! <= p.hourly * 730]).toEqual([type, true]);
        // and hourly billing reaches the cap after roughly 3 to 4 weeks, as Hetzner's prices do
        expect([type, p.monthlyCap! / p.hourly > 500]).toEqual([type, true]);
      }
    }
  });

  test("tables carry a source URL and a date", () => {
    expect(HETZNER_PRICES.source).toMatch(/^https:\/\/www\.hetzner\.com\//);
    expect(AWS_PRICES.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
    expect(HETZNER_PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(AWS_PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("estimateCost", () => {
  test("small Hetzner farm: cx22 hub with 100 GB + 3 x cpx31 in fsn1", () => {
    const shape: FarmShape = {
      hub: { cloud: "hetzner", location: "fsn1", serverType: "cx22", volumeGb: 100 },
      pools: [{ name: "render", cloud: "hetzner", location: "fsn1", serverType: "cpx31", count: 3 }],
    };
    const e = estimateCost(shape);
    // By hand:
    //  hub cx22: 0.006 €/h; month min(0.006*730 = 4.38, 3.79) = 3.79
    //  hub IPv4: 0.0008 €/h; month min(0.584, 0.50) = 0.50
    //  volume 100 GB * 0.044 = 4.40 €/month; 4.40/730 = 0.0060274 €/h
    //  3 x cpx31: 0.0654 €/h; month 3 * min(15.914, 13.60) = 40.80
    //  3 x IPv4: 0.0024 €/h; month 1.50
    //  total: 0.0806274 €/h; 3.79 + 0.50 + 4.40 + 40.80 + 1.50 = 50.99 €/month
    expect(e.totals.USD).toBeUndefined();
    expect(e.totals.EUR!.perMonth).toBeCloseTo(50.99, 6);
    expect(e.totals.EUR!.perHour).toBeCloseTo(0.0806274, 6);
    const hub = e.breakdown.find((b) => b.item.startsWith("hub: cx22"))!;
    expect(hub.perMonth).toBeCloseTo(3.79, 6);
    const workers = e.breakdown.find((b) => b.item.includes("3 x cpx31"))!;
    expect(workers.perHour).toBeCloseTo(0.0654, 6);
    expect(workers.perMonth).toBeCloseTo(40.8, 6);
    expect(workers.currency).toBe("EUR");
    expect(e.breakdown.find((b) => b.item.includes("volume 100 GB"))!.perMonth).toBeCloseTo(4.4, 6);
    expect(e.complete).toBe(true);
    expect(e.source.hetzner).toContain(HETZNER_PRICES.source);
    expect(e.asOf).toEqual({ hetzner: HETZNER_PRICES.asOf });
    expect(e.notes.join(" ")).toMatch(/powered-off server is billed/);
  });

  test("AWS farm with a spot pool: on-demand used as the upper bound and said so", () => {
    const e = estimateCost({
      hub: { cloud: "aws", location: "us-east-1", serverType: "t3.large", volumeGb: 200 },
      pools: [{ name: "big", cloud: "aws", location: "us-east-1", serverType: "c7i.4xlarge", count: 4, spot: true }],
    });
    // t3.large 0.0832 $/h (60.736/month), IPv4 0.005 $/h (3.65), gp3 200*0.08 = 16 $/month,
    // 4 x c7i.4xlarge 4*0.714 = 2.856 $/h (2084.88), 4 x IPv4 0.02 $/h (14.60)
    expect(e.totals.EUR).toBeUndefined();
    expect(e.totals.USD!.perHour).toBeCloseTo(0.0832 + 0.005 + 16 / 730 + 2.856 + 0.02, 6);
    expect(e.totals.USD!.perMonth).toBeCloseTo(2179.866, 6);
    const spot = e.breakdown.find((b) => b.item.includes("c7i.4xlarge"))!;
    expect(spot.upperBound).toBe(true);
    expect(spot.item).toMatch(/upper bound/);
    expect(e.notes.join(" ")).toMatch(/spot.*upper bound/i);
  });

  test("mixed clouds keep one total per currency", () => {
    const e = estimateCost({
      hub: { cloud: "hetzner", location: "hel1", serverType: "cax21", volumeGb: 0 },
      pools: [
        { name: "eu", cloud: "hetzner", location: "hel1", serverType: "ccx33", count: 2 },
        { name: "us", cloud: "aws", location: "us-west-2", serverType: "c6a.8xlarge", count: 1 },
      ],
    });
    expect(e.totals.EUR!.perMonth).toBeCloseTo(6.49 + 0.5 + 2 * 48.49 + 2 * 0.5, 6);
    expect(e.totals.USD!.perHour).toBeCloseTo(0.0765 * 16 + 0.005, 6);
    expect(e.breakdown.some((b) => b.item.includes("volume"))).toBe(false);
    expect(e.notes.join(" ")).toMatch(/per currency/);
  });

  test("an unknown type is reported, left out of the totals, and marks the estimate incomplete", () => {
    const e = estimateCost({
      hub: { cloud: "hetzner", location: "fsn1", serverType: "cx22", volumeGb: 0 },
      pools: [{ name: "odd", cloud: "hetzner", location: "ash", serverType: "cax41", count: 2 }],
    });
    expect(e.complete).toBe(false);
    expect(e.notes.join(" ")).toMatch(/No price known for hetzner cax41 in ash/);
    // hub 3.79 + hub IPv4 0.50 + the two workers' IPv4 1.00, and nothing for the unknown servers
    expect(e.totals.EUR!.perMonth).toBeCloseTo(5.29, 6);
  });

  test("zero-count pools add nothing", () => {
    const a = estimateCost({ hub: { cloud: "aws", location: "eu-west-1", serverType: "t3a.medium", volumeGb: 50 }, pools: [] });
    const b = estimateCost({
      hub: { cloud: "aws", location: "eu-west-1", serverType: "t3a.medium", volumeGb: 50 },
      pools: [{ name: "none", cloud: "aws", location: "eu-west-1", serverType: "c7a.large", count: 0 }],
    });
    expect(b.totals).toEqual(a.totals);
    expect(a.totals.USD!.perMonth).toBeCloseTo((0.0408 + 0.005) * 730 + 50 * 0.088, 6);
  });
});
