import { leastIamPolicy } from '../../src/iam-policy.js';
import { usageError } from '../../src/errors.js';
import { regionProblem, resolveConfig } from '../../src/config.js';
import { defaultRegion } from '../aws-context.js';

/**
 * `three-tier iam-policy`: print the least IAM policy a person or a CI role needs to run three-tier, as JSON to
 * attach (stdout); which stacks and region it covers goes to stderr. No AWS call: the account in its ARNs is `*`
 * unless --account names it.
 */
export interface IamPolicyOptions {
  stack?: string;
  region?: string;
  account?: string;
  json?: boolean;
}

export async function runIamPolicy(opts: IamPolicyOptions): Promise<void> {
  const region = await defaultRegion(opts.region);
  if (region === undefined) throw usageError('MISSING_REGION', 'no AWS region given: pass --region, or set AWS_REGION (IAM names carry the region).');
  const bad = regionProblem(region);
  if (bad !== undefined) throw usageError('BAD_REGION', bad);
  // The stack name is checked as up checks it.
  if (opts.stack !== undefined) resolveConfig({ stack: opts.stack, region });
  if (opts.account !== undefined && !/^\d{12}$/.test(opts.account)) {
    throw usageError('BAD_ACCOUNT', `account "${opts.account}" is not an AWS account id; use its 12 digits, e.g. 123456789012.`);
  }
  const policy = leastIamPolicy({ region, stack: opts.stack, account: opts.account });
  process.stdout.write(`${JSON.stringify(policy, null, opts.json ? undefined : 2)}\n`);
  if (!opts.json) {
    process.stderr.write(
      `The least IAM policy to run three-tier on ${opts.stack === undefined ? 'any stack' : `the stack "${opts.stack}"`} in ${region}${opts.account ? ` of account ${opts.account}` : ''}: attach it to the user or role that runs three-tier (aws iam put-user-policy ... --policy-document file://policy.json).\n`,
    );
  }
}
