import { CommanderError } from 'commander';
import { isThreeTierError } from '../src/errors.js';
import { ExitCode, exitCodeFor, resultExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';

/** The CLI's entry: runs the program (cli/program.ts) and holds the one top-level catch of the CLI. */

function debugWanted(argv: readonly string[]): boolean {
  return argv.includes('--debug') || process.env['THREE_TIER_DEBUG'] === '1';
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return resultExitCode();
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed what it had to say (help, version, or the usage error).
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    if (isThreeTierError(err)) {
      const exitCode = exitCodeFor(err.kind);
      if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message, hints: err.hints, exitCode } })}\n`);
      process.stderr.write(`Error [${err.code}]: ${err.message}\n`);
      for (const hint of err.hints) process.stderr.write(`  Try: ${hint}\n`);
      if (debugWanted(argv) && err.stack) process.stderr.write(`${err.stack}\n`);
      return exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'UNEXPECTED', message, hints: [], exitCode: ExitCode.failure } })}\n`);
    process.stderr.write(`Error: ${message}\n`);
    if (debugWanted(argv) && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('  (run again with --debug for the stack trace)\n');
    return ExitCode.failure;
  }
}

process.exitCode = await main(process.argv);
