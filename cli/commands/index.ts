import { Argument, Option, type Command } from 'commander';
import { numberIn } from './options.js';
import { addCommonOptions } from './common.js';
import type { SandboxOptions } from './sandbox.js';

/**
 * Every command, declared in one place. A declaration only describes the command's options; its module is imported
 * when the command runs (`await import(...)`), so `three-tier --help` loads nothing it does not show.
 */
export type CommandDeclaration = (program: Command) => void;

const sandbox: CommandDeclaration = (program) => {
  program
    .command('sandbox')
    .description('run the local AWS simulator (loopback only) that three-tier can rehearse against, and print its endpoint')
    .addOption(new Option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)').argParser(numberIn(0, 65535, true)).default(4566))
    .addOption(new Option('--time-scale <x>', 'multiply simulated AWS durations (1 = real time, 0.01 = a 5-minute RDS create in 3 s)').argParser(numberIn(0, 100)).default(1))
    .option('--state <file>', 'persist the simulated cloud to this file, so separate processes share it')
    .option('--region <name>', 'the region the simulator answers for', 'us-east-1')
    .addOption(new Option('--throttle-rate <r>', 'share of calls answered with throttling errors (0..1)').argParser(numberIn(0, 1)))
    .addOption(new Option('--error-rate <r>', 'share of calls answered with 5xx errors (0..1)').argParser(numberIn(0, 1)))
    .addOption(new Option('--consistency-window <ms>', 'wall ms during which a fresh resource answers NotFound').argParser(numberIn(0, 3_600_000, true)))
    .addOption(new Option('--eni-linger <ms>', 'wall ms that load balancer, RDS and ElastiCache network interfaces linger after their owner is deleted').argParser(numberIn(0, 3_600_000, true)))
    .addOption(new Option('--seed <n>', 'seed of the fault generator (same seed, same faults)').argParser(numberIn(0, 2 ** 32 - 1, true)))
    .addOption(new Option('--latency <ms>', 'wall ms added to every AWS call (calls still overlap), e.g. 50 to feel like a real region').argParser(numberIn(0, 60_000, true)))
    .option('--data-plane-postgres <url>', 'run tasks of the bundled api/ as local processes against this PostgreSQL (postgres://user@127.0.0.1:5432/db; also THREE_TIER_DATA_PLANE_POSTGRES)')
    .option('--data-plane-redis <url>', 'and this Redis (redis://127.0.0.1:6379; also THREE_TIER_DATA_PLANE_REDIS); load balancers then answer on local ports')
    .option('--json', 'print the endpoint as JSON')
    .action(async (opts: SandboxOptions) => {
      const { runSandbox } = await import('./sandbox.js');
      await runSandbox(opts);
    });
};

const up: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('up')
      .description('create the stack, continue it where it stopped, or change its settings; print its URL')
      .option('--image <uri>', 'deploy this existing image instead of building api/ with Docker (kept for later runs)')
      .option('--vpc-cidr <cidr>', "the VPC's address block, /16 to /23 in a private range (default 10.0.0.0/16; fixed once created)")
      .addOption(new Option('--arch <arch>', 'CPU architecture of the tasks (default X86_64)').choices(['X86_64', 'ARM64']))
      .addOption(new Option('--tasks <n>', 'number of API tasks, 1 to 10 (default 1)').argParser(numberIn(1, 10, true)))
      .addOption(new Option('--cpu <units>', "each task's CPU units: 256, 512, 1024, 2048 or 4096 (default 256)").argParser(numberIn(256, 4096, true)))
      .addOption(new Option('--memory <mib>', "each task's memory in MiB, as Fargate allows it for the CPU (default 512)").argParser(numberIn(512, 30720, true)))
      .option('--db-class <class>', 'RDS instance class (default db.t4g.micro)')
      .option('--cache-node-type <type>', 'ElastiCache node type (default cache.t4g.micro)')
      .option('--from-snapshot <id>', 'create the database from this DB snapshot (e.g. the one destroy kept)')
      .option('--no-verify', "skip the end-of-up check of the three tiers through the stack's URL (three-tier verify)"),
  ).action(async (opts: Record<string, unknown>) => {
    const { runUp } = await import('./up.js');
    await runUp(opts);
  });
};

const destroy: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('destroy')
      .description('delete every resource of the stack (reverse order, waits out lingering interfaces), sweep by tag, remove the manifest; the database is kept as a final snapshot')
      .option('--skip-final-snapshot', 'delete the database for good, without a final snapshot'),
  ).action(async (opts: Record<string, unknown>) => {
    const { runDestroy } = await import('./destroy.js');
    await runDestroy(opts);
  });
};

const pause: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('pause')
      .description('stop paying for what idles, keeping every byte of data: scale the service to 0, delete the NAT gateway and its address, stop the database')
      .option('--deep', 'also delete the load balancer and the cache (after a snapshot of it), for the biggest saving; the URL changes on resume'),
  ).action(async (opts: Record<string, unknown>) => {
    const { runPause } = await import('./pause.js');
    await runPause(opts);
  });
};

const resume: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('resume')
      .description('bring a paused stack back: recreate what pause removed, start the database, scale the service back, wait for healthy targets; print the URL'),
  ).action(async (opts: Record<string, unknown>) => {
    const { runResume } = await import('./resume.js');
    await runResume(opts);
  });
};

const deploy: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('deploy')
      .description('ship a new API image: build and push api/ (or --image), a new task definition revision, a rolling deployment watched until it completes; a hopeless rollout is rolled back at once')
      .option('--image <uri>', 'deploy this existing image instead of building api/ (it becomes the stack image)')
      .option('--force', 'start a fresh deployment of the current revision (also clears a tripped circuit breaker)')
      .option('--no-verify', "skip the end-of-deploy check of the three tiers through the stack's URL (three-tier verify)"),
  ).action(async (opts: Record<string, unknown>) => {
    const { runDeploy } = await import('./deploy.js');
    await runDeploy(opts);
  });
};

const logs: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('logs')
      .description("the API's log lines across the service's tasks, newest last, with each task's id (read-only)")
      .option('--follow', 'keep printing new lines until Ctrl-C')
      .option('--since <when>', 'from this long ago (30s, 10m, 2h, 1d) or this ISO time (default 10m)')
      .option('--task <id>', "only this task's lines (its id, or the start of it)"),
  ).action(async (opts: Record<string, unknown>) => {
    const { runLogs } = await import('./logs.js');
    await runLogs(opts);
  });
};

const cost: CommandDeclaration = (program) => {
  program
    .command('cost')
    .description('what a stack costs per resource, per hour and per month, what is billed now, and what pause would save (no AWS call)')
    .option('--stack <name>', 'a recorded stack (its manifest), or the name of a planned one')
    .option('--manifest <path>', 'the manifest of a recorded stack (default: .three-tier/<stack>.json in the current directory)')
    .option('--region <region>', 'a planned stack\'s region (default: AWS_REGION, then your AWS profile\'s region)')
    .addOption(new Option('--arch <arch>', 'a planned stack\'s CPU architecture').choices(['X86_64', 'ARM64']))
    .addOption(new Option('--tasks <n>', 'a planned stack\'s number of API tasks (default 1)').argParser(numberIn(1, 10, true)))
    .option('--json', 'print the estimate as JSON')
    .action(async (opts: Record<string, unknown>) => {
      const { runCost } = await import('./cost.js');
      await runCost(opts);
    });
};


const status: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('status')
      .description('the live state of the stack: every resource, the service and its targets, drift, leaks, cost (read-only; exit 3 when not healthy)')
      .option('--watch', 'refresh until Ctrl-C (in place on a terminal)')
      .addOption(new Option('--interval <s>', 'seconds between refreshes with --watch').argParser(numberIn(1, 3600)).default(5)),
  ).action(async (opts: Record<string, unknown>) => {
    const { runStatus } = await import('./status.js');
    await runStatus(opts);
  });
};

const verify: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('verify')
      .description("prove the three tiers through the stack's URL: /health, a read from the database then the cache, a write that invalidates (exit 3 naming the tier that fails)")
      .option('--url <url>', "verify this URL instead of a stack's (writes without an API key)"),
  ).action(async (opts: Record<string, unknown>) => {
    const { runVerify } = await import('./verify.js');
    await runVerify(opts);
  });
};

const apiKey: CommandDeclaration = (program) => {
  addCommonOptions(
    program
      .command('api-key')
      .description("print the stack's API key, which writes to its API need (read from Secrets Manager; never stored elsewhere)"),
  ).action(async (opts: Record<string, unknown>) => {
    const { runApiKey } = await import('./api-key.js');
    await runApiKey(opts);
  });
};

const iamPolicy: CommandDeclaration = (program) => {
  program
    .command('iam-policy')
    .description('print the least IAM policy needed to run three-tier (no AWS call): attach it to the user or role that runs it')
    .option('--stack <name>', 'scope it to one stack (default: any stack in the region)')
    .option('--region <region>', 'the region it covers (default: AWS_REGION, then your AWS profile\'s region)')
    .option('--account <id>', 'the 12-digit account id in its ARNs (default: *)')
    .option('--json', 'print the policy on one line, nothing on stderr')
    .action(async (opts: Record<string, unknown>) => {
      const { runIamPolicy } = await import('./iam-policy.js');
      await runIamPolicy(opts);
    });
};

const list: CommandDeclaration = (program) => {
  program
    .command('list')
    .description('the stacks in .three-tier/ with region, place, state, URL and burn rate (from the manifests; --live reads AWS)')
    .option('--live', 'observe each stack on AWS instead of reading only its manifest')
    .option('--json', 'print the list as JSON')
    .action(async (opts: Record<string, unknown>) => {
      const { runList } = await import('./list.js');
      await runList(opts);
    });
};

const completion: CommandDeclaration = (program) => {
  program
    .command('completion')
    .description('print the shell completion script for bash, zsh or fish: commands, options, stack names (README: how to install it)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(shell, program));
    });
  // What the completion scripts call for stack names while the user presses Tab: quick, and not in the help.
  program
    .command('__stacks', { hidden: true })
    .description('print the names of the stacks in .three-tier/, one a line (for shell completion)')
    .action(async () => {
      const { printStackNames } = await import('../stack-files.js');
      printStackNames();
    });
};

export const commands: readonly CommandDeclaration[] = [up, deploy, logs, status, verify, list, pause, resume, destroy, cost, apiKey, iamPolicy, sandbox, completion];
