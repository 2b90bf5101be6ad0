import { ThreeTierError } from '../src/errors.js';

/**
 * Prompts run only when a person is at the terminal, and always before any progress rendering starts (STYLE.md 9).
 * @inquirer/prompts is imported lazily: commands run with flags never load it.
 */
export function isInteractive(opts: { yes?: boolean | undefined; json?: boolean | undefined }): boolean {
  return !opts.yes && !opts.json && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY) && !process.env['CI'];
}

function asInterrupt(err: unknown): never {
  if (err instanceof Error && err.name === 'ExitPromptError') {
    throw new ThreeTierError('INTERRUPTED', 'cancelled at the prompt; nothing was changed', { kind: 'interrupted' });
  }
  throw err;
}

const output = { output: process.stderr };

export async function askText(message: string, options: { default?: string; validate?: (v: string) => string | true } = {}): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  return input({ message, ...(options.default === undefined ? {} : { default: options.default }), ...(options.validate ? { validate: options.validate } : {}) }, output).catch(asInterrupt);
}

export async function askChoice<T extends string>(message: string, choices: { name: string; value: T; description?: string }[]): Promise<T> {
  const { select } = await import('@inquirer/prompts');
  return select<T>({ message, choices }, output).catch(asInterrupt);
}

export async function askConfirm(message: string, defaultValue = false): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message, default: defaultValue }, output).catch(asInterrupt);
}
