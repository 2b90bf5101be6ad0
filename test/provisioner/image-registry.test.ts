import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { checkArchitecture, checkImageBeforeUp, checkImageInGraph } from '../../src/image.js';
import { parseImageReference, type RegistryAccess } from '../../src/image-registry.js';
import { fakeRegistry, type FakeRegistry } from './fake-registry.js';
import { mutatingCalls, threeTierFailure } from './expect.js';
import { harness, type Harness } from './harness.js';
import { openStack, planUp } from '../../src/provisioner.js';

/**
 * Images outside ECR: their platforms are read through the registry's v2 API, anonymously as the tasks pull, and
 * whatever cannot be read is said plainly. The registries are a fake on loopback (fake-registry.ts): the real ones
 * are on the internet, which this machine cannot reach and no test may. Every RegistryAccess here points every host
 * at 127.0.0.1.
 */
describe('parseImageReference', () => {
  it("follows docker's rules for registries, Docker Hub's library and tags", () => {
    const table: [string, { registry: string; apiHost: string; repository: string; reference: string }][] = [
      ['nginx:1.27', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', reference: '1.27' }],
      ['nginx', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', reference: 'latest' }],
      ['acme/api:2', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'acme/api', reference: '2' }],
      ['docker.io/acme/api:2', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'acme/api', reference: '2' }],
      ['index.docker.io/nginx:1', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', reference: '1' }],
      ['ghcr.io/acme/team/api:1.0', { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/team/api', reference: '1.0' }],
      ['public.ecr.aws/nginx/nginx:1.27', { registry: 'public.ecr.aws', apiHost: 'public.ecr.aws', repository: 'nginx/nginx', reference: '1.27' }],
      ['localhost:5000/api:1', { registry: 'localhost:5000', apiHost: 'localhost:5000', repository: 'api', reference: '1' }],
    ];
    for (const [uri, want] of table) assert.deepEqual(parseImageReference(uri), want, uri);
    const d = `sha256:${'b'.repeat(64)}`;
    assert.deepEqual(parseImageReference(`ghcr.io/acme/api:1@${d}`), { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/api', reference: d, digest: d });
  });
});

describe('registries outside ECR', () => {
  let h: Harness;
  let reg: FakeRegistry;
  let asked: string[];
  let access: RegistryAccess;
  let hanging: TcpServer;
  const sockets: Socket[] = [];
  let closedPort: number;

  before(async () => {
    reg = await fakeRegistry(
      [
        { repository: 'library/nginx', tag: '1.27', architectures: ['amd64', 'arm64'], format: 'index' },
        { repository: 'acme/armonly', tag: '1', architectures: ['arm64'], format: 'single' },
        { repository: 'acme/amd', tag: '1', architectures: ['amd64'], format: 'single' },
        { repository: 'acme/secret', tag: '1', architectures: ['amd64'], format: 'index' },
      ],
      { private: ['acme/secret'] },
    );
    asked = [];
    access = {
      baseUrl: (host) => {
        asked.push(host);
        return reg.url;
      },
      timeoutMs: 5_000,
    };
    // A registry that accepts connections and never answers, and a port where nothing listens.
    hanging = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    h = await harness({ stack: 'extimg' });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
    await reg.close();
    await h.close();
  });

  it("reads a Docker Hub index's platforms with an anonymous pull token, asking for every manifest type", async () => {
    reg.requests.length = 0;
    const check = await checkArchitecture(h.clients, 'nginx:1.27', 'ARM64', { registry: access });
    assert.deepEqual(check, { checked: true, architectures: ['amd64', 'arm64'], matches: true });
    assert.ok(asked.includes('registry-1.docker.io'), asked.join(', '));
    const token = reg.requests.find((r) => r.path.startsWith('/token'));
    assert.ok(token, 'a token was asked for');
    assert.equal(token.authorization, undefined, 'anonymously');
    assert.equal(new URL(token.path, reg.url).searchParams.get('scope'), 'repository:library/nginx:pull');
    const manifest = reg.requests.filter((r) => r.path === '/v2/library/nginx/manifests/1.27');
    assert.equal(manifest.at(-1)?.authorization, 'Bearer anon-library/nginx');
    assert.match(manifest.at(-1)?.accept ?? '', /application\/vnd\.oci\.image\.index\.v1\+json/);
  });

  it("reads a single manifest's config from a blob store on another origin, without sending it the token", async () => {
    reg.requests.length = 0;
    const check = await checkArchitecture(h.clients, 'ghcr.io/acme/armonly:1', 'X86_64', { registry: access });
    assert.deepEqual(check, { checked: true, architectures: ['arm64'], matches: false });
    const blob = reg.requests.find((r) => r.server === 'blobs');
    assert.ok(blob, 'the config came from the blob store');
    assert.equal(blob.authorization, undefined);
    // By digest too, and the manifest is checked against it.
    const digest = reg.digestOf('acme/amd', '1');
    assert.deepEqual(await checkArchitecture(h.clients, `ghcr.io/acme/amd@${digest}`, 'X86_64', { registry: access }), { checked: true, architectures: ['amd64'], matches: true });
  });

  it('before up: another architecture and a missing tag are usage errors that name the image', async () => {
    const arm = await threeTierFailure(checkImageBeforeUp(h.clients, 'acme/armonly:1', 'X86_64', { registry: access }));
    assert.equal(arm.code, 'IMAGE_ARCH_MISMATCH');
    assert.equal(arm.kind, 'usage');
    assert.match(arm.message, /acme\/armonly:1 is built for arm64/);
    const missing = await threeTierFailure(checkImageBeforeUp(h.clients, 'nginx:0.0.0-nope', 'X86_64', { registry: access }));
    assert.equal(missing.code, 'IMAGE_NOT_FOUND');
    assert.equal(missing.kind, 'usage');
    assert.match(missing.message, /nginx:0\.0\.0-nope does not exist: docker\.io has no image library\/nginx:0\.0\.0-nope \(HTTP 404\)/);
    assert.ok(missing.hints.some((x) => x.includes('docker buildx imagetools inspect nginx:0.0.0-nope')), missing.hints.join('\n'));
    assert.deepEqual(await checkImageBeforeUp(h.clients, 'nginx:1.27', 'X86_64', { registry: access }), { checked: true, architectures: ['amd64', 'arm64'] });
  });

  it('says plainly when it could not check: private, unreachable, too slow, or a manifest that is not the digest', async () => {
    const notes: [string, RegistryAccess, RegExp][] = [
      ['acme/secret:1', access, /not checked: docker\.io refused anonymous access to acme\/secret \(HTTP 401\): the image is private or does not exist, and the tasks pull without credentials/],
      ['ghcr.io/acme/api:1', { baseUrl: () => `http://127.0.0.1:${closedPort}`, timeoutMs: 5_000 }, /not checked: ghcr\.io could not be reached \(ECONNREFUSED\)/],
      ['ghcr.io/acme/api:1', { baseUrl: () => `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, timeoutMs: 300 }, /not checked: ghcr\.io did not answer within 0\.3 s/],
    ];
    const lie = `sha256:${'c'.repeat(64)}`;
    reg.alias('acme/amd', lie, '1');
    notes.push([`acme/amd@${lie}`, access, /not checked: docker\.io answered a manifest whose digest is not sha256:c{64}/]);
    for (const [uri, registry, note] of notes) {
      const result = await checkImageBeforeUp(h.clients, uri, 'X86_64', { registry });
      assert.equal(result.checked, false, uri);
      assert.match(result.checked ? '' : result.note, note);
    }
  });

  it('against a simulator, an outside registry is not contacted unless a test injects one', async () => {
    const before = reg.requests.length;
    const result = await checkImageBeforeUp(h.clients, 'nginx:1.27', 'X86_64');
    assert.equal(result.checked, false);
    assert.match(result.checked ? '' : result.note, /not checked: the image is not in ECR, and AWS calls go to http:\/\/127\.0\.0\.1:\d+: its registry is not read during a rehearsal/);
    assert.equal(reg.requests.length, before);
  });

  it('up stops at the image, before the service exists, when an outside image is built for another architecture', async () => {
    h.sink.events.length = 0;
    const before = await h.calls();
    // The plan reads the registry as apply does (the same access): refused before anything changes, exit 2.
    const err = await threeTierFailure(h.up({ image: { kind: 'existing', uri: 'acme/armonly:1', registry: access } }));
    assert.equal(err.code, 'IMAGE_ARCH_MISMATCH');
    assert.equal(err.kind, 'usage', 'the plan refuses it: exit 2');
    assert.deepEqual(mutatingCalls(before, await h.calls()), {}, 'not one call that changes anything');
    assert.ok(!h.resourceEvents().some((e) => e.id === 'ecs-service' && e.phase === 'creating'));
    // Inside the graph (the plan could not read the registry, apply can), the same check is a failure: by then the
    // stack is partly made, exit 1.
    const inGraph = await threeTierFailure(checkImageInGraph(h.clients, 'acme/armonly:1', 'X86_64', { registry: access }));
    assert.equal(inGraph.code, 'IMAGE_ARCH_MISMATCH');
    assert.equal(inGraph.kind, 'failure', 'the stack was already partly made: exit 1');
  });

  it('up warns that an image whose registry cannot be reached was not checked, and deploys it', async () => {
    h.sink.events.length = 0;
    const image = { kind: 'existing', uri: 'ghcr.io/acme/api:1', registry: { baseUrl: () => `http://127.0.0.1:${closedPort}`, timeoutMs: 5_000 } } as const;
    // The plan a person confirms says it once, before anything changes.
    const session = openStack(h.manifestPath, 'up');
    try {
      const plan = await planUp(session, h.options({ image }));
      const unchecked = plan.notes.filter((n) => /architecture was not checked: ghcr\.io could not be reached/.test(n));
      assert.equal(unchecked.length, 1, plan.notes.join('\n'));
      assert.doesNotMatch(unchecked[0] ?? '', /not checked.*not checked/, 'says it once');
    } finally {
      session.close();
    }
    const result = await h.up({ image });
    assert.ok(result.url);
    const warned = h.sink.events.find((e) => e.type === 'message' && e.level === 'warn' && /image.s architecture was not checked: ghcr\.io could not be reached/.test(e.text));
    assert.ok(warned, 'the warning says what was not checked and why');
  });
});
