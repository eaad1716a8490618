/**
 * A tiny `--name value` / `--flag` command-line parser shared by the CLI
 * subcommands.
 */

/** Thrown for a bad command line; the message says what to fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
}

/**
 * Parses `argv` (without the subcommand word). `valueNames` take one value
 * each, `flagNames` take none; anything else is a UsageError.
 */
export function parseArgs(
  argv: readonly string[], valueNames: readonly string[], flagNames: readonly string[], usage: string,
): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"\n${usage}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (flagNames.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value\n${usage}`);
      flags.add(name);
    } else if (valueNames.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value\n${usage}`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}\n${usage}`);
    }
  }
  return { values, flags };
}

/** A required option's value. */
export function required(args: ParsedArgs, name: string, usage: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw new UsageError(`--${name} is required\n${usage}`);
  return v;
}

/** An optional non-negative integer option. */
export function optionalIndex(args: ParsedArgs, name: string): number | undefined {
  const v = args.values.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${v}"`);
  return n;
}
