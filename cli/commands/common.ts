import { Option, type Command } from 'commander';
import { numberIn } from './options.js';

/** The options every stack command takes (DESIGN.md, "Commands"). */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--stack <name>', 'stack name (lowercase letters, digits, hyphens; starts with a letter; at most 24 characters)')
    .option('--region <region>', 'AWS region (default: AWS_REGION, then your AWS profile\'s region)')
    .option('--manifest <path>', 'manifest file (default: .three-tier/<stack>.json in the current directory)')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (also AWS_ENDPOINT_URL)')
    .option('--sandbox', 'rehearse against the built-in AWS simulator (no account, no cost); its state is kept beside the manifest')
    .addOption(new Option('--time-scale <x>', 'with a sandbox (--sandbox, or --endpoint-url of `three-tier sandbox`): its time scale (default 0.02 with --sandbox)').argParser(numberIn(0, 10)))
    .option('-y, --yes', 'do not prompt: take the defaults (the stack "demo" when --stack is left out) and confirm')
    .option('--json', 'print the result as JSON on stdout, and progress as JSON lines on stderr');
}
