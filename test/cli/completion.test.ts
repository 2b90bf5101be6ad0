import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../cli/program.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'three-tier');

function run(args: string[], cwd = root) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
}

/** What the program accepts, walked the way the help shows it: every visible command and its options' long names. */
function accepted(): { commands: string[]; options: Map<string, string[]>; globals: string[] } {
  const program = buildProgram();
  const help = program.createHelp();
  const commands = help.visibleCommands(program);
  return {
    commands: commands.map((c) => c.name()),
    options: new Map(commands.map((c) => [c.name(), help.visibleOptions(c).flatMap((o) => (o.long ? [o.long] : []))])),
    globals: help.visibleOptions(program).flatMap((o) => (o.long ? [o.long] : [])),
  };
}

/**
 * Shell completion: scripts made from the commander program (so they name every command and option there is), and
 * stack names read at completion time from .three-tier/. bash's completion runs for real: the script sourced in
 * bash, COMP_WORDS set as bash sets it when the user presses Tab.
 */
describe('three-tier completion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'three-tier-completion-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '.three-tier'));
  for (const f of ['beta.json', 'alpha.json', 'alpha.sandbox.json', 'alpha.json.1f2e3d4c5b6a7980.tmp', 'beta.json.lock']) writeFileSync(join(dir, '.three-tier', f), '{}');
  const { commands, options, globals } = accepted();

  it('prints for bash a script that names every command and, for each, every option', () => {
    const r = run(['completion', 'bash']);
    assert.equal(r.status, 0, r.stderr);
    const top = /^ {4}""\) words="([^"]*)"/m.exec(r.stdout)?.[1]?.split(' ') ?? [];
    for (const c of commands) assert.ok(top.includes(c), `command ${c}`);
    for (const g of globals) assert.ok(top.includes(g), `global ${g}`);
    assert.ok(!top.includes('__stacks'), 'the hidden command is not offered');
    for (const [c, opts] of options) {
      const words = new RegExp(`^ {4}${c}\\) words="([^"]*)"`, 'm').exec(r.stdout)?.[1]?.split(' ') ?? [];
      for (const o of opts) assert.ok(words.includes(o), `${c} ${o}`);
    }
  });

  it('prints for zsh a script that names every command and, for each, every option, with its description', () => {
    const r = run(['completion', 'zsh']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^#compdef three-tier$/m);
    const top = /^ {4}''\) items=\((.*)\) ;;$/m.exec(r.stdout)?.[1] ?? '';
    for (const c of commands) assert.ok(top.includes(`'${c}:`), `command ${c}`);
    for (const [c, opts] of options) {
      const items = new RegExp(`^ {4}${c}\\) items=\\((.*)\\) ;;$`, 'm').exec(r.stdout)?.[1] ?? '';
      for (const o of opts) assert.ok(items.includes(`'${o}:`), `${c} ${o}`);
    }
    assert.match(r.stdout, /'up:create the stack, continue it where it stopped/);
  });

  it('prints for fish a script that names every command and, for each, every option', () => {
    const r = run(['completion', 'fish']);
    assert.equal(r.status, 0, r.stderr);
    for (const c of commands) assert.match(r.stdout, new RegExp(`^complete -c three-tier -n '_three_tier_command ""' -a ${c} -d `, 'm'), `command ${c}`);
    for (const [c, opts] of options) {
      for (const o of opts) assert.match(r.stdout, new RegExp(`^complete -c three-tier -n '_three_tier_command ${c}' -l ${o.slice(2)}\\b`, 'm'), `${c} ${o}`);
    }
    assert.match(r.stdout, /-l stack -x -a '\(_three_tier_stacks\)'/);
  });

  it('refuses a shell it does not know, naming the ones it does', () => {
    const r = run(['completion', 'powershell']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /value 'powershell' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish/);
  });

  it('lists the stacks of .three-tier/ for the scripts, from the file names, and is not in the help', () => {
    const r = run(['__stacks'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'alpha\nbeta\n');
    const empty = run(['__stacks'], tmpdir());
    assert.equal(empty.status, 0);
    assert.equal(run(['--help']).stdout.includes('__stacks'), false);
  });

  /** Press Tab in bash: the script sourced, COMP_WORDS as bash splits the line, the replies one a line. */
  function complete(words: string[]): string[] {
    const script = run(['completion', 'bash']).stdout;
    const file = join(dir, 'three-tier.bash');
    writeFileSync(file, script);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['-c', `source '${file}'; COMP_WORDS=('${bin}' ${quoted}); COMP_CWORD=${words.length}; _three_tier; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      // bin/three-tier runs `node` from the PATH.
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  }

  it('completes a stack name in bash from .three-tier/ at the moment of completing', () => {
    assert.deepEqual(complete(['destroy', '--stack', '']), ['alpha', 'beta']);
    assert.deepEqual(complete(['status', '--stack', 'b']), ['beta']);
    writeFileSync(join(dir, '.three-tier', 'gamma.json'), '{}');
    assert.deepEqual(complete(['up', '--stack', 'g']), ['gamma'], 'a stack made after the script was loaded');
  });

  it('completes commands, options and option values in bash', () => {
    assert.deepEqual(complete(['de']), ['deploy', 'destroy']);
    assert.deepEqual(complete(['up', '--ar']), ['--arch']);
    assert.deepEqual(complete(['up', '--arch', '']), ['X86_64', 'ARM64']);
    assert.deepEqual(complete(['up', '--region', 'eu-west-']), ['eu-west-1', 'eu-west-2', 'eu-west-3']);
    assert.deepEqual(complete(['--debug', 'destroy', '--skip']), ['--skip-final-snapshot']);
    assert.deepEqual(complete(['completion', '']), ['bash', 'zsh', 'fish', '--help', '-h', '--debug']);
    assert.deepEqual(complete(['up', '--image', '']), [], 'a value only the user knows');
  });
});
