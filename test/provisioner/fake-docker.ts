import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in for the docker CLI. There is no Docker daemon here (and a real build would pull from the internet), so
 * this executable plays docker's part as three-tier sees it: it records every call (argv, stdin, the DOCKER_CONFIG
 * it ran with, that directory's mode, its config.json and links), `login` stores the credentials in the config as
 * docker does, and `buildx build --push` refuses to push without a login in the same config, then stages an image of
 * the --platform's architecture in the sandbox's ECR (the sandbox being the registry). Knobs, from the environment:
 * FAKE_DOCKER_NO_DAEMON, FAKE_DOCKER_NO_BUILDX, FAKE_DOCKER_BUILD_FAIL, FAKE_DOCKER_BUILD_HANG.
 */
export interface DockerCall {
  args: string[];
  stdin: string;
  dockerConfig: string | null;
  /** The mode of DOCKER_CONFIG (e.g. 0o700), when set. */
  mode: number | null;
  /** $DOCKER_CONFIG/config.json as the call found it. */
  config: Record<string, unknown> | null;
  /** The symbolic links in DOCKER_CONFIG: name -> target. */
  links: Record<string, string>;
}

export interface FakeDocker {
  path: string;
  calls(): DockerCall[];
}

export function fakeDocker(dir: string, sandboxEndpoint: string): FakeDocker {
  const path = join(dir, 'docker');
  const log = join(dir, 'docker.log');
  writeFileSync(
    path,
    `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const stdin = args.includes('--password-stdin') ? fs.readFileSync(0, 'utf8') : '';
const dir = process.env.DOCKER_CONFIG || null;
const configPath = dir && path.join(dir, 'config.json');
const readConfig = () => { try { return JSON.parse(fs.readFileSync(configPath, 'utf8')); } catch { return null; } };
const links = {};
if (dir && fs.existsSync(dir)) for (const name of fs.readdirSync(dir)) {
  const p = path.join(dir, name);
  if (fs.lstatSync(p).isSymbolicLink()) links[name] = fs.readlinkSync(p);
}
const mode = dir && fs.existsSync(dir) ? fs.statSync(dir).mode & 0o777 : null;
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, stdin, dockerConfig: dir, mode, config: readConfig(), links }) + '\\n');
const fail = (text) => { console.error(text); process.exit(1); };
if (args[0] === 'version') {
  if (process.env.FAKE_DOCKER_NO_DAEMON) fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
  console.log('27.0.0');
} else if (args[0] === 'buildx' && args[1] === 'version') {
  if (process.env.FAKE_DOCKER_NO_BUILDX) fail("docker: 'buildx' is not a docker command.");
  console.log('github.com/docker/buildx v0.17.0');
} else if (args[0] === 'login') {
  // Real docker would write to ~/.docker/config.json: the stand-in refuses instead of touching a real home.
  if (!configPath) fail('fake docker: login without DOCKER_CONFIG would store the password in ~/.docker/config.json');
  const host = args[args.length - 1].replace(/^https?:\\/\\//, '');
  const config = readConfig() || {};
  config.auths = { ...(config.auths || {}), [host]: { auth: Buffer.from('AWS:' + stdin).toString('base64') } };
  fs.writeFileSync(configPath, JSON.stringify(config));
  console.log('Login Succeeded');
} else if (args[0] === 'buildx' && args[1] === 'build') {
  const target = args[args.indexOf('--tag') + 1];
  const platform = args[args.indexOf('--platform') + 1];
  const host = target.slice(0, target.indexOf('/'));
  const [repository, tag] = target.slice(target.indexOf('/') + 1).split(':');
  if (process.env.FAKE_DOCKER_BUILD_FAIL) fail('ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1');
  else if (process.env.FAKE_DOCKER_BUILD_HANG) setInterval(() => undefined, 1000);
  else if (!(readConfig()?.auths || {})[host]) fail('ERROR: failed to push ' + target + ': no basic auth credentials');
  else fetch(${JSON.stringify(`${sandboxEndpoint}/_sandbox/images`)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ repository, tag, architecture: platform.split('/')[1] }) })
    .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
} else {
  console.log('ok');
}
`,
  );
  chmodSync(path, 0o755);
  return {
    path,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as DockerCall) : []),
  };
}
