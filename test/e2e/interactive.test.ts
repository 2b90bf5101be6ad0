import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../sandbox/helpers.js';
import { bin, cliEnv, scratchDir, TIME_SCALE } from './cli.js';

/**
 * The CLI with a person at the terminal: util-linux `script` gives it a real pseudo-terminal, so @inquirer/prompts
 * and listr2 behave as they do for a user; the test types the answers.
 */
class Terminal {
  private screen = '';
  private readonly child;
  readonly exited: Promise<number | null>;

  constructor(args: string[], cwd: string, env: Record<string, string> = {}) {
    // A wide terminal, so that prompts are not wrapped across lines.
    const command = `stty cols 200 rows 50; exec ${[process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ')}`;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd,
      env: cliEnv({ CI: '', TERM: 'xterm', COLUMNS: '120', LINES: '40', AWS_REGION: '', ...env }),
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

  it('up checks the stack name and the region as they are typed, asks again, shows the plan and cost, and does nothing when told no', async () => {
    const t = new Terminal(['up', ...sandboxArgs], dir, { AWS_REGION: 'eu-central-1' });
    await t.waitFor(/Stack name/);
    // Pasted text arrives with its Enter in one read: type, see the verdict, then press Enter.
    t.type('Bad_Name');
    await t.waitFor(/"Bad_Name" does not start with a lowercase letter; use lowercase letters/);
    t.type(ENTER);
    t.type(`${CLEAR_LINE}rehearsal`);
    await t.waitFor(/[❯>] rehearsal/);
    t.type(ENTER);
    // The known regions, searchable, AWS_REGION's first and taken on Enter.
    await t.waitFor(/AWS region \(type to search\)/);
    await t.waitFor(/[❯>] eu-central-1 .*the default: press Enter/);
    t.type('us-east-9');
    await t.waitFor(/"us-east-9" is not a region AWS offers \(as of [0-9-]+\); did you mean us-east-1/);
    t.type(ENTER);
    t.type(`${CLEAR_LINE}af-south-1`);
    await t.waitFor(/opt-in region: it must be enabled for your account first/);
    t.type(`${CLEAR_LINE}eu-west-`);
    await t.waitFor(/eu-west-3/);
    t.type('1');
    await t.waitFor(/[❯>] eu-west-1/);
    t.type(ENTER);
    await t.waitFor(/Create stack "rehearsal" in the sandbox/);
    assert.match(t.text, /Stack "rehearsal" in eu-west-1 \(zones [a-z0-9-]+, [a-z0-9-]+\): 31 to create/);
    assert.match(t.text, /about \$\d+\.\d\d\/month/);
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
    // Every row names its AWS id, also those that finished before the list drew them.
    assert.match(t.text, /vpc \(vpc\) vpc-[0-9a-f]+ ready/);
    assert.match(t.text, /nat-eip \(elastic-ip\) eipalloc-[0-9a-f]+ ready/);
    assert.match(t.text, /ecr-repository \(ecr-repository\) rehearsal-api ready/);
    assert.match(t.text, /log-group \(log-group\) \/three-tier\/rehearsal\/api ready/);
    assert.match(t.text, /ecs-cluster \(ecs-cluster\) rehearsal ready/);
  });

  it('a rerun that changes one setting shows every other row verified, by id, timed by its own work', async () => {
    const t = new Terminal(['up', '--stack', 'rehearsal', '--tasks', '2', ...sandboxArgs], dir);
    await t.waitFor(/Change stack "rehearsal" in the sandbox/);
    t.type(`y${ENTER}`);
    assert.equal(await t.exited, 0, t.text.slice(-1500));
    assert.match(t.text, /vpc \(vpc\) vpc-[0-9a-f]+ unchanged - available \(\d+\.\ds\)/);
    assert.match(t.text, /ecs-cluster \(ecs-cluster\) rehearsal unchanged - ACTIVE \(\d+\.\ds\)/);
    assert.match(t.text, /ecs-service \(ecs-service\) rehearsal-api ready/);
    // Rows carry only their own time: no timer that runs from the start of the list.
    assert.doesNotMatch(t.text, /\(vpc\)[^\n]*\[\d+\.\ds\]/);
    assert.doesNotMatch(t.text, /unchanged - [A-Za-z ]+\(\d+\.\ds\) \[/);
  });

  it('pause shows what it stops and what is still billed, and asks before it changes anything', async () => {
    const t = new Terminal(['pause', '--stack', 'rehearsal'], dir);
    await t.waitFor(/Pause stack "rehearsal" \(about \$\d+\.\d\d\/month while paused\)\?/);
    assert.match(t.text, /Pause stack "rehearsal" in us-east-1: 5 to stop or delete/);
    t.type(`y${ENTER}`);
    assert.equal(await t.exited, 0, t.text.slice(-1500));
    assert.match(t.text, /Stack "rehearsal" is paused \(since/);
    assert.match(t.text, /Still billed while it is paused/);
  });

  it('up on a paused stack offers to resume it, and resumes it when told yes', async () => {
    const t = new Terminal(['up', '--stack', 'rehearsal'], dir);
    await t.waitFor(/stack "rehearsal" is paused \(since [^)]*\)\. Resume it now\?/);
    t.type(ENTER);
    assert.equal(await t.exited, 0, t.text.slice(-1500));
    assert.match(t.text, /three-tier resume: rehearsal/);
    assert.match(t.text, /Stack "rehearsal" is resumed/);
  });

  it('destroy with no stack here asks for a name and a region to look for, each checked as it is typed', async () => {
    const empty = scratchDir('interactive-empty');
    const sb = await sandbox({ world: { timeScale: TIME_SCALE } });
    try {
      // No manifest, no AWS_REGION, no profile (HOME has no ~/.aws): nothing says where to look.
      const t = new Terminal(['destroy', '--endpoint-url', sb.endpoint], empty, { HOME: empty });
      await t.waitFor(/Stack to destroy \(there is none in .*: it is looked for by its tags\)/);
      t.type('ghost-');
      await t.waitFor(/"ghost-" ends with a hyphen/);
      t.type(ENTER);
      t.type(`${CLEAR_LINE}ghost`);
      await t.waitFor(/[❯>] ghost/);
      t.type(ENTER);
      await t.waitFor(/AWS region \(type to search\)/);
      t.type('eu-west-1');
      await t.waitFor(/[❯>] eu-west-1/);
      t.type(ENTER);
      assert.equal(await t.exited, 2, t.text.slice(-1500));
      assert.match(t.text, /there is no stack named "ghost" in eu-west-1/);
    } finally {
      await sb.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('destroy offers the stacks here, asks again on an empty answer, and deletes nothing unless the name is typed back, then everything', async () => {
    // A second manifest in .three-tier/, so there is a choice (only its name is read here: it is never destroyed).
    const recorded = JSON.parse(readFileSync(join(dir, '.three-tier', 'rehearsal.json'), 'utf8')) as { stack: string; config: { stack: string } };
    writeFileSync(join(dir, '.three-tier', 'spare.json'), JSON.stringify({ ...recorded, stack: 'spare', config: { ...recorded.config, stack: 'spare' } }), { mode: 0o600 });
    const wrong = new Terminal(['destroy'], dir);
    await wrong.waitFor(/Which stack\?/);
    await wrong.waitFor(/spare \(sandbox\)/);
    assert.match(wrong.text, /rehearsal \(sandbox\)/);
    wrong.type(ENTER);
    await wrong.waitFor(/Type the stack name to confirm/);
    wrong.type(ENTER);
    await wrong.waitFor(/type "rehearsal" to delete it, or press Ctrl-C to keep it/);
    wrong.type(`rehersal${ENTER}`);
    assert.equal(await wrong.exited, 0);
    assert.match(wrong.text, /"rehersal" is not "rehearsal": nothing was deleted\./);
    assert.ok(existsSync(join(dir, '.three-tier', 'rehearsal.json')));
    rmSync(join(dir, '.three-tier', 'spare.json'));

    const right = new Terminal(['destroy', '--stack', 'rehearsal'], dir);
    await right.waitFor(/Type the stack name to confirm/);
    right.type(`rehearsal${ENTER}`);
    assert.equal(await right.exited, 0, right.text.slice(-1500));
    assert.match(right.text, /Stack "rehearsal" is destroyed/);
    assert.equal(existsSync(join(dir, '.three-tier', 'rehearsal.json')), false);
  });
});
