/**
 * Just enough of a Dockerfile reader to tell, for a given build command, which platform each stage is built for and
 * what the final stage copies from where: the part of BuildKit's semantics the image's architecture depends on.
 * Global ARGs (before the first FROM) take their --build-arg value or their default; TARGETPLATFORM and
 * BUILDPLATFORM are set automatically (docs.docker.com, "Automatic platform ARGs in the global scope"); a stage
 * without --platform is built for TARGETPLATFORM, or for its parent stage's platform when it starts FROM a stage.
 */
export interface Instruction {
  keyword: string;
  /** Leading --name=value flags. */
  flags: Record<string, string>;
  args: string[];
  /** The instruction's text after the keyword and flags. */
  rest: string;
}

export function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  if (pending) logical.push(pending);
  return logical
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const words = l.trim().split(/\s+/);
      const keyword = (words.shift() ?? '').toUpperCase();
      const flags: Record<string, string> = {};
      while (words[0]?.startsWith('--')) {
        const flag = words.shift() ?? '';
        const eq = flag.indexOf('=');
        flags[eq >= 0 ? flag.slice(2, eq) : flag.slice(2)] = eq >= 0 ? flag.slice(eq + 1) : 'true';
      }
      return { keyword, flags, args: words, rest: words.join(' ') };
    });
}

/** ${NAME}, ${NAME:-default} and $NAME, as the Dockerfile frontend expands them. */
export function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (_m, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const v = vars[name];
    return v !== undefined && v !== '' ? v : (fallback ?? '');
  });
}

export interface Stage {
  name: string | undefined;
  image: string;
  platform: string;
  /** COPY --from=STAGE sources and destination. */
  copiesFrom: { from: string; sources: string[]; dest: string }[];
  /** COPY/ADD sources read from the build context. */
  contextSources: string[];
  instructions: Instruction[];
}

export function stages(instructions: Instruction[], automatic: { TARGETPLATFORM: string; BUILDPLATFORM: string }, buildArgs: Record<string, string> = {}): Stage[] {
  const vars: Record<string, string> = { ...automatic };
  const out: Stage[] = [];
  let current: Stage | undefined;
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && !current) {
      for (const decl of ins.args) {
        const eq = decl.indexOf('=');
        const name = eq >= 0 ? decl.slice(0, eq) : decl;
        if (name in automatic) continue;
        vars[name] = buildArgs[name] ?? (eq >= 0 ? expand(decl.slice(eq + 1), vars) : '');
      }
    } else if (ins.keyword === 'FROM') {
      const image = expand(ins.args[0] ?? '', vars);
      const asAt = ins.args.findIndex((a) => a.toUpperCase() === 'AS');
      const parent = out.find((s) => s.name === image);
      const platformFlag = ins.flags['platform'];
      const platform = platformFlag !== undefined ? expand(platformFlag, vars) : (parent?.platform ?? automatic.TARGETPLATFORM);
      current = { name: asAt >= 0 ? ins.args[asAt + 1] : undefined, image, platform, copiesFrom: [], contextSources: [], instructions: [] };
      out.push(current);
    } else if (current) {
      current.instructions.push(ins);
      if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
        const sources = ins.args.slice(0, -1);
        const dest = ins.args[ins.args.length - 1] ?? '';
        const from = ins.flags['from'];
        if (from !== undefined) current.copiesFrom.push({ from, sources, dest });
        else current.contextSources.push(...sources.filter((s) => !/^https?:\/\//.test(s)));
      }
    }
  }
  return out;
}

/** The value after a flag in an argv (`--platform linux/arm64`), or in its `--flag=value` form. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i >= 0) return argv[i + 1];
  const joined = argv.find((a) => a.startsWith(`${flag}=`));
  return joined?.slice(flag.length + 1);
}

/** --build-arg NAME=VALUE pairs of an argv. */
export function buildArgsOf(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  argv.forEach((a, i) => {
    const pair = a === '--build-arg' ? argv[i + 1] : a.startsWith('--build-arg=') ? a.slice('--build-arg='.length) : undefined;
    if (pair === undefined) return;
    const eq = pair.indexOf('=');
    out[eq >= 0 ? pair.slice(0, eq) : pair] = eq >= 0 ? pair.slice(eq + 1) : '';
  });
  return out;
}
