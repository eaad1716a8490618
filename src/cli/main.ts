/**
 * DreamLift command line: `npm run cli -- <subcommand> [options]`.
 * Subcommands are looked up in SUBCOMMANDS; each takes its own argv and
 * returns an exit code.
 */
import { dreamCommand } from './dream-command';
import { explainCommand } from './explain-command';
import { filmCommand } from './film-command';
import { visualizeCommand } from './visualize-command';

export type Subcommand = (argv: readonly string[]) => Promise<number>;

/** Name → handler. Add new subcommands here. */
export const SUBCOMMANDS: Record<string, Subcommand> = {
  explain: explainCommand,
  dream: dreamCommand,
  film: filmCommand,
  visualize: visualizeCommand,
};

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : SUBCOMMANDS[name];
  if (!command) {
    console.error(`usage: cli <${Object.keys(SUBCOMMANDS).join('|')}> [options]`);
    return 2;
  }
  return command(rest);
}

const isEntry = process.argv[1] !== undefined && /main\.[cm]?[jt]s$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      console.error(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      process.exitCode = 1;
    },
  );
}
