// The table of named checks and the closing line `N passed, M failed`.

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export class Report {
  readonly results: CheckResult[] = [];
  constructor(private readonly out: (line: string) => void) {}

  /** Records and prints one check as a table row. */
  check(name: string, ok: boolean, detail = ""): boolean {
    this.results.push({ name, ok, detail });
    this.out(`${ok ? "PASS" : "FAIL"}  ${name.padEnd(68)} ${detail}`.trimEnd());
    return ok;
  }

  get passed(): number {
    return this.results.filter((r) => r.ok).length;
  }

  get failed(): number {
    return this.results.length - this.passed;
  }

  summary(): string {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}
