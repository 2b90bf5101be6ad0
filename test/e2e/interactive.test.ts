import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bin, cliEnv, scratchDir, TIME_SCALE } from './cli.js';

/**
 * The CLI with a person at the terminal: util-linux `script` gives it a real pseudo-terminal, so @inquirer/prompts
 * and listr2 behave as they do for a user; the test types the answers.
 */
class Terminal {
  private screen = '';
  private readonly child;
  readonly exited: Promise<number | null>;

  constructor(args: string[], cwd: string) {
    // A wide terminal, so that prompts are not wrapped across lines.
    const command = `stty cols 200 rows 50; exec ${[process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ')}`;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd,
      env: cliEnv({ CI: '', TERM: 'xterm', COLUMNS: '120', LINES: '40', AWS_REGION: '' }),
    });
    this.child.stdout.on('data', (d: Buffer) => (this.screen += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', resolve));
    open.add(this);
    void this.exited.then(() => open.delete(this));
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** What was shown, without terminal control sequences, white space folded. */
  get text(): string {
    // eslint-disable-next-line no-control-regex
    return this.screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\s+/g, ' ');
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} on the screen; last: ${this.text.slice(-600)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  type(keys: string): void {
    this.child.stdin.write(keys);
  }
}

/** Terminals still running: a failed test must not leave its CLI waiting at a prompt. */
const open = new Set<Terminal>();

const ENTER = '\r';
const CLEAR_LINE = '\u0015';

describe('a person at the terminal', () => {
  const dir = scratchDir('interactive');
  before(() => {
    // Fail with the reason, not with a spawn error in the middle of a test.
    const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(`these tests need util-linux's \`script\` (Debian: apt-get install bsdutils; .ci/run installs it): ${probe.error?.message ?? probe.stderr}`);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    for (const t of open) t.kill();
  });
  const sandboxArgs = ['--sandbox', '--time-scale', String(TIME_SCALE)];

  it('up asks for the stack name and region, shows the plan and cost, and does nothing when told no', async () => {
    const t = new Terminal(['up', ...sandboxArgs], dir);
    await t.waitFor(/Stack name/);
    t.type(`${CLEAR_LINE}Bad_Name${ENTER}`);
    await t.waitFor(/"Bad_Name" does not start with a lowercase letter/);
    t.type(`${CLEAR_LINE}rehearsal${ENTER}`);
    await t.waitFor(/AWS region/);
    t.type(ENTER);
    await t.waitFor(/Create stack "rehearsal" in the sandbox/);
    assert.match(t.text, /Stack "rehearsal" in us-east-1 \(zones [a-z0-9-]+, [a-z0-9-]+\): 28 to create/);
    assert.match(t.text, /about \$9\d\.\d\d\/month/);
    t.type(`n${ENTER}`);
    assert.equal(await t.exited, 0);
    assert.match(t.text, /Nothing was changed\./);
    assert.equal(existsSync(join(dir, '.three-tier', 'rehearsal.json')), false);
  });

  it('up creates the stack once confirmed, with a live task list', async () => {
    const t = new Terminal(['up', '--stack', 'rehearsal', '--region', 'us-east-1', ...sandboxArgs], dir);
    await t.waitFor(/Create stack "rehearsal" in the sandbox/);
    t.type(`y${ENTER}`);
    assert.equal(await t.exited, 0, t.text.slice(-1500));
    assert.match(t.text, /three-tier up: rehearsal/);
    assert.match(t.text, /ecs-service \(ecs-service\)/);
    assert.match(t.text, /Stack "rehearsal" is up/);
  });

  it('destroy deletes nothing unless the stack name is typed back, then everything', async () => {
    const wrong = new Terminal(['destroy', '--stack', 'rehearsal'], dir);
    await wrong.waitFor(/Type the stack name to confirm/);
    wrong.type(`rehersal${ENTER}`);
    assert.equal(await wrong.exited, 0);
    assert.match(wrong.text, /"rehersal" is not "rehearsal": nothing was deleted\./);
    assert.ok(existsSync(join(dir, '.three-tier', 'rehearsal.json')));

    const right = new Terminal(['destroy', '--stack', 'rehearsal'], dir);
    await right.waitFor(/Type the stack name to confirm/);
    right.type(`rehearsal${ENTER}`);
    assert.equal(await right.exited, 0, right.text.slice(-1500));
    assert.match(right.text, /Stack "rehearsal" is destroyed/);
    assert.equal(existsSync(join(dir, '.three-tier', 'rehearsal.json')), false);
  });
});
