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

/** Free text, checked when Enter is pressed: an empty or refused answer is said and asked again. */
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

/** A value the prompt offers (a known region, an existing stack), with what to say about it. */
export interface Offered {
  value: string;
  description?: string;
}

export interface ValueQuestion {
  /** Taken on Enter when nothing is typed; listed first. */
  default?: string;
  /** Offered as the user types (those containing what was typed). */
  offered?: readonly Offered[];
  /** What is wrong with a typed value that is not offered ("does not start with a lowercase letter"), if anything. */
  problem: (value: string) => string | undefined;
  /** Shown while nothing is typed and there is nothing to offer: what to type. */
  hint: string;
}

/** One line of the list under the prompt, in @inquirer/search's shape. */
export interface ValueLine {
  value: string;
  name: string;
  short?: string;
  description?: string;
  /** A line that cannot be picked: why. */
  disabled?: string;
}

const DEFAULT_NOTE = 'the default: press Enter';

/**
 * What the prompt lists for what has been typed so far: the typed value when it is valid (or offered), what is
 * wrong with it when it is not and nothing offered matches, and the offered values that contain it. Enter takes the
 * first line that can be picked; a line that cannot be picked (a problem, the hint) makes Enter do nothing, so the
 * user types on: the value is checked as it is typed, and asked for again until it is valid.
 */
export function valueLines(typed: string, q: ValueQuestion): ValueLine[] {
  const t = typed.trim();
  const offered = q.offered ?? [];
  const line = (value: string, description?: string): ValueLine => ({ value, name: value, short: value, ...(description ? { description } : {}) });
  const describe = (o: Offered): ValueLine => line(o.value, o.value === q.default ? [o.description, DEFAULT_NOTE].filter(Boolean).join('; ') : o.description);
  if (t === '') {
    const first = q.default === undefined ? [] : [describe(offered.find((o) => o.value === q.default) ?? { value: q.default })];
    const rest = offered.filter((o) => o.value !== q.default).map(describe);
    // A line that cannot be picked needs a non-empty reason (an empty one would make it selectable).
    return first.length + rest.length > 0 ? [...first, ...rest] : [{ value: '', name: q.hint, disabled: ' ' }];
  }
  const matches = offered.filter((o) => o.value.includes(t));
  const exact = matches.find((o) => o.value === t);
  const others = matches.filter((o) => o !== exact).map(describe);
  if (exact) return [describe(exact), ...others];
  const problem = q.problem(t);
  if (problem === undefined) return [line(t), ...others];
  // A partial search (eu-) shows what it matches; only a value that matches nothing is refused.
  return others.length > 0 ? others : [{ value: '', name: `"${t}"`, disabled: problem }];
}

/** A value typed or picked, checked as it is typed (see valueLines). */
export async function askValue(message: string, q: ValueQuestion): Promise<string> {
  const { search } = await import('@inquirer/prompts');
  return search<string>({ message, source: (term) => valueLines(term ?? '', q), pageSize: 10 }, output).catch(asInterrupt);
}
