import type { Command, Option } from 'commander';
import { CACHE_NODE_TYPES, DB_CLASSES } from '../../src/config.js';
import { KNOWN_REGIONS } from '../../src/regions.js';

/**
 * `three-tier completion bash|zsh|fish`: a completion script made from the commander program itself (its visible
 * commands, their options, the choices commander knows), so it never names an option that is gone nor misses a new
 * one. Stack names are read when completing: the script runs `three-tier __stacks` (cli/stack-files.ts), which
 * lists the manifests of `.three-tier/` in the current directory and loads nothing else (no SDK, no manifest parsing).
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The hidden command the scripts call for stack names. */
export const STACKS_COMMAND = '__stacks';

/** What the word after an option is: stack names, regions, files, fixed choices, or free text. */
type Values = { kind: 'stacks' } | { kind: 'regions' } | { kind: 'files' } | { kind: 'choices'; choices: readonly string[] } | { kind: 'text' };

interface OptionModel {
  /** Every spelling: `--yes`, `-y`. */
  names: string[];
  description: string;
  /** Undefined for a flag that takes no value. */
  values?: Values;
}

interface CommandModel {
  name: string;
  description: string;
  options: OptionModel[];
  /** Choices of its positional argument (`completion <shell>`, `help [command]`). */
  args: readonly string[];
}

interface ProgramModel {
  name: string;
  commands: CommandModel[];
  globals: OptionModel[];
}

function valuesOf(o: Option): Values | undefined {
  if (!o.required && !o.optional) return undefined;
  if (o.argChoices) return { kind: 'choices', choices: o.argChoices };
  if (o.long === '--stack') return { kind: 'stacks' };
  if (o.long === '--region') return { kind: 'regions' };
  // Checked by the config rather than by commander, and offered here all the same.
  if (o.long === '--db-class') return { kind: 'choices', choices: DB_CLASSES };
  if (o.long === '--cache-node-type') return { kind: 'choices', choices: CACHE_NODE_TYPES };
  if (/<(path|file)>/.test(o.flags)) return { kind: 'files' };
  return { kind: 'text' };
}

function optionModel(o: Option): OptionModel {
  const names = [o.long, o.short].filter((n): n is string => n !== undefined);
  const values = valuesOf(o);
  return { names, description: o.description, ...(values ? { values } : {}) };
}

/** The program as the help shows it: hidden commands and options left out. */
export function programModel(program: Command): ProgramModel {
  const help = program.createHelp();
  const visible = help.visibleCommands(program);
  const names = visible.map((c) => c.name());
  return {
    name: program.name(),
    globals: help.visibleOptions(program).map(optionModel),
    commands: visible.map((c) => ({
      name: c.name(),
      description: c.description(),
      // A global option is accepted after the command too (`up --debug`); help and version are the command's own.
      options: [...help.visibleOptions(c), ...(c.name() === 'help' ? [] : help.visibleGlobalOptions(c).filter((o) => o.long !== '--version' && o.long !== '--help'))].map(optionModel),
      args: c.name() === 'help' ? names.filter((n) => n !== 'help') : c.registeredArguments.flatMap((a) => a.argChoices ?? []),
    })),
  };
}

export function completionScript(shell: Shell, program: Command): string {
  const model = programModel(program);
  switch (shell) {
    case 'bash':
      return bashScript(model);
    case 'zsh':
      return zshScript(model);
    case 'fish':
      return fishScript(model);
  }
}

const header = (shell: Shell, m: ProgramModel): string =>
  `# ${shell} completion for ${m.name}, made by \`${m.name} completion ${shell}\` from the commands it has.\n# How to install it: the README, "Shell completion".\n`;

/** The function name in the scripts: `_three_tier`. */
const fn = (m: ProgramModel): string => `_${m.name.replace(/[^A-Za-z0-9]/g, '_')}`;

/** Shell lines (bash and zsh alike) that set `cmd` to the command on the line: the first word that is not an option. */
function findCommand(words: string, first: number, current: string): string {
  return `  # The command is the first word that is not an option (the global options take no value).
  for (( i = ${first}; i < ${current}; i++ )); do
    case "\${${words}[i]}" in
      -*) ;;
      *) cmd="\${${words}[i]}"; break ;;
    esac
  done`;
}

/**
 * The "word after this option" cases: each distinct completion once, with the `command:--option` patterns that
 * lead to it (`up:--stack|status:--stack|destroy:--stack|...`), in the order they first appear.
 */
function valueCases(m: ProgramModel, action: (v: Values, option: OptionModel) => string): { patterns: string[]; action: string }[] {
  const cases = new Map<string, string[]>();
  for (const c of m.commands) {
    for (const o of c.options) {
      if (!o.values) continue;
      const a = action(o.values, o);
      cases.set(a, [...(cases.get(a) ?? []), ...o.names.map((n) => `${c.name}:${n}`)]);
    }
  }
  return [...cases].map(([a, patterns]) => ({ patterns, action: a }));
}

function bashScript(m: ProgramModel): string {
  const f = fn(m);
  const words = (list: readonly string[]): string => list.join(' ');
  const cases = valueCases(m, (v) =>
    v.kind === 'stacks'
      ? `COMPREPLY=( $(compgen -W "$("\${COMP_WORDS[0]}" ${STACKS_COMMAND} 2>/dev/null)" -- "$cur") )`
      : v.kind === 'regions'
        ? 'COMPREPLY=( $(compgen -W "$regions" -- "$cur") )'
        : v.kind === 'files'
          ? 'compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -f -- "$cur") )'
          : v.kind === 'choices'
            ? `COMPREPLY=( $(compgen -W "${words(v.choices)}" -- "$cur") )`
            : 'COMPREPLY=()',
  ).map((c) => `    ${c.patterns.join('|')})\n      ${c.action}; return 0 ;;`);
  const commandCases = m.commands.map((c) => `    ${c.name}) words="${words([...c.args, ...c.options.flatMap((o) => o.names)])}" ;;`);
  const top = [...m.commands.map((c) => c.name), ...m.globals.flatMap((o) => o.names)];
  return `${header('bash', m)}${f}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" words="" i
  local regions="${words(KNOWN_REGIONS)}"
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
${findCommand('COMP_WORDS', 1, 'COMP_CWORD')}
  case "$cmd:$prev" in
${cases.join('\n')}
  esac
  case "$cmd" in
    "") words="${words(top)}" ;;
${commandCases.join('\n')}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F ${f} ${m.name}
`;
}

/** A single-quoted zsh string. */
function zshQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A word with its description for zsh's _describe: colons in the word escaped. */
function zshItem(word: string, description: string): string {
  return zshQuote(`${word.replace(/:/g, '\\:')}:${description}`);
}

function zshScript(m: ProgramModel): string {
  const f = fn(m);
  const cases = valueCases(m, (v, o) =>
    v.kind === 'stacks'
      ? `local -a stacks; stacks=(\${(f)"$(\${words[1]} ${STACKS_COMMAND} 2>/dev/null)"}); compadd -a stacks`
      : v.kind === 'regions'
        ? 'compadd -a regions'
        : v.kind === 'files'
          ? '_files'
          : v.kind === 'choices'
            ? `compadd -- ${v.choices.join(' ')}`
            : `_message ${zshQuote(`${o.names[0] ?? ''}: ${o.description}`)}`,
  ).map((c) => `    ${c.patterns.join('|')})\n      ${c.action}; return ;;`);
  const items = (list: { word: string; description: string }[]): string => list.map((i) => zshItem(i.word, i.description)).join(' ');
  const optionItems = (options: OptionModel[]) => options.flatMap((o) => o.names.map((n) => ({ word: n, description: o.description })));
  const commandCases = m.commands.map((c) => {
    const args = c.args.map((a) => ({ word: a, description: m.commands.find((x) => x.name === a)?.description ?? `${a}` }));
    return `    ${c.name}) items=(${items([...args, ...optionItems(c.options)])}) ;;`;
  });
  const top = [...m.commands.map((c) => ({ word: c.name, description: c.description })), ...optionItems(m.globals)];
  return `#compdef ${m.name}
${header('zsh', m)}${f}() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd= i
  local -a items regions
  regions=(${KNOWN_REGIONS.join(' ')})
${findCommand('words', 2, 'CURRENT')}
  case "$cmd:$prev" in
${cases.join('\n')}
  esac
  case $cmd in
    '') items=(${items(top)}) ;;
${commandCases.join('\n')}
  esac
  _describe -t values '${m.name}' items
}
# Loaded from a folder of $fpath, the file is the function's body: run it. Sourced, register it.
if [[ $funcstack[1] == _${f.slice(1).replace(/_/g, '[-_]')} ]]; then
  ${f} "$@"
else
  compdef ${f} ${m.name}
fi
`;
}

/** A single-quoted fish string. */
function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishScript(m: ProgramModel): string {
  const f = fn(m);
  const lines: string[] = [];
  const c = m.name;
  lines.push(`complete -c ${c} -f`);
  for (const cmd of m.commands) lines.push(`complete -c ${c} -n '${f}_command ""' -a ${cmd.name} -d ${fishQuote(cmd.description)}`);
  const option = (o: OptionModel, condition: string): string => {
    const spellings = o.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
    const v = o.values;
    const value =
      v === undefined
        ? ''
        : v.kind === 'stacks'
          ? ` -x -a '(${f}_stacks)'`
          : v.kind === 'regions'
            ? ` -x -a '(${f}_regions)'`
            : v.kind === 'files'
              ? ' -r -F'
              : v.kind === 'choices'
                ? ` -x -a ${fishQuote(v.choices.join(' '))}`
                : ' -x';
    return `complete -c ${c} -n '${condition}' ${spellings}${value} -d ${fishQuote(o.description)}`;
  };
  for (const o of m.globals) lines.push(option(o, `${f}_command ""`));
  for (const cmd of m.commands) {
    for (const a of cmd.args) lines.push(`complete -c ${c} -n '${f}_command ${cmd.name}' -a ${a}`);
    for (const o of cmd.options) lines.push(option(o, `${f}_command ${cmd.name}`));
  }
  return `${header('fish', m)}# Whether the command on the line is $argv[1] ("" for none yet): the first word that is not an option.
function ${f}_command
    set -l words (commandline -opc)
    set -e words[1]
    for w in $words
        switch $w
            case '-*'
            case '*'
                test "$w" = "$argv[1]"
                return
        end
    end
    test -z "$argv[1]"
end

function ${f}_regions
    printf '%s\\n' ${KNOWN_REGIONS.join(' ')}
end

# The stacks of .three-tier/ in the current directory, asked of the command itself when completing.
function ${f}_stacks
    set -l words (commandline -opc)
    $words[1] ${STACKS_COMMAND} 2>/dev/null
end

${lines.join('\n')}
`;
}
