import { Command } from 'commander';
import { commands } from './commands/index.js';
import { packageVersion } from './version.js';

/**
 * The commander program: the global options and every command (declared in cli/commands/index.ts, their modules
 * imported only when they run). Built by main.ts to run it, and walked by `three-tier completion` and the tests,
 * so the completion scripts always name what the program accepts.
 */
export function buildProgram(): Command {
  const program = new Command('three-tier')
    .description('Create, resume and tear down a production-shaped 3-tier AWS stack with direct AWS SDK v3 calls.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'show stack traces for errors')
    .showHelpAfterError('(run three-tier --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  for (const declare of commands) declare(program);
  return program;
}
