// /etc/oomerfarm/farm.env: the values the bash steps read, as shell-safe KEY='value' lines.

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function renderEnvFile(values: Record<string, string | number>): string {
  const lines = ["# Written by oomerfarm (Pulumi); read by /usr/local/lib/oomerfarm/steps."];
  for (const key of Object.keys(values).sort()) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`farm.env: bad key ${key}`);
    lines.push(`${key}=${shellQuote(String(values[key]))}`);
  }
  return `${lines.join("\n")}\n`;
}
