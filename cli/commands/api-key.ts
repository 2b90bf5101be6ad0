import { readApiKey } from '../../src/api-key.js';
import { checkCredentials, connect, type CommonOptions } from '../aws-context.js';
import { chooseStack, readingTarget } from '../stacks.js';

/**
 * `three-tier api-key`: print the stack's API key (the only place it is shown). The key alone goes to stdout, so
 * `KEY=$(three-tier api-key --stack demo)` works; how to use it and how to keep it goes to stderr. `--json` prints
 * one document with the key, the secret's name and ARN and the headers writes take it in.
 */
export async function runApiKey(opts: CommonOptions): Promise<void> {
  const chosen = await chooseStack(opts, 'three-tier api-key');
  const t = await readingTarget(chosen, opts);
  const aws = await connect({ ...opts, ...(t.endpointUrl === undefined ? {} : { endpointUrl: t.endpointUrl }), sandbox: t.sandbox, stack: t.stack, region: t.region, manifestPath: t.manifestPath });
  try {
    await checkCredentials(aws);
    const key = await readApiKey(aws.clients, t.stack, t.region, t.manifest);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(key)}\n`);
      return;
    }
    process.stdout.write(`${key.apiKey}\n`);
    process.stderr.write(
      [
        `The API key of stack "${key.stack}" (${key.region}), kept in Secrets Manager as ${key.secretName}.`,
        `Writes (POST, PUT, DELETE /items) need it: send "${key.headers[0] ?? ''}" or "${key.headers[1] ?? ''}"; reads stay public.`,
        'Keep it safe: anyone who has it can change the stack\'s data. Do not commit it or paste it into logs.',
        'The URL is plain HTTP for now: the key travels unencrypted between the client and the load balancer.',
        '',
      ].join('\n'),
    );
  } finally {
    await aws.close();
  }
}
