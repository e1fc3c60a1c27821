import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/infra/paths';
import { POSTGRES_DEFAULTS } from '../../src/infra/temporal-postgres';
import { TIMER_SHIFT } from '../../src/infra/temporal-dev-server';

interface Service {
  image: string;
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  configs?: Array<{ source: string; target: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content: string }>;
}

const COMPOSE_FILE = path.join(PROJECT_ROOT, 'temporal-docker-compose.yml');
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as Compose;
const goMod = readFileSync(path.join(PROJECT_ROOT, 'tools/temporal-server/go.mod'), 'utf8');
/** The version the native build uses, from the Go module that builds it. */
const goVersion = (module: string) =>
  new RegExp(`^\\s*${module.replace(/[./]/g, '\\$&')} v(\\S+)`, 'm').exec(goMod)?.[1];
const service = (pattern: RegExp) => Object.entries(compose.services).find(([, s]) => pattern.test(s.image))![1];
const hostPorts = (s: Service) => (s.ports ?? []).map((p) => Number(p.split(':').at(-2)));

describe('temporal-docker-compose.yml', () => {
  const temporal = service(/^temporalio\/(auto-setup|server):/);
  const ui = service(/^temporalio\/ui:/);
  const postgres = service(/^postgres:/);

  test('when parsed then it has the server, PostgreSQL, the admin tools and the Web UI', () => {
    const images = Object.values(compose.services).map((s) => s.image.split(':')[0]);
    expect(images).toEqual(
      expect.arrayContaining(['temporalio/auto-setup', 'postgres', 'temporalio/admin-tools', 'temporalio/ui']),
    );
  });

  test('when read then every image is pinned to a full version, never latest', () => {
    for (const { image } of Object.values(compose.services)) expect(image).toMatch(/:\d+\.\d+(\.\d+)?(-[\w.-]+)?$/);
  });

  test('when read then the server and the UI are the versions the native build embeds', () => {
    expect(goVersion('go.temporal.io/server')).toBe('1.29.1');
    expect(temporal.image).toBe(`temporalio/auto-setup:${goVersion('go.temporal.io/server')}`);
    expect(service(/^temporalio\/admin-tools:/).image).toMatch(
      new RegExp(`:${goVersion('go.temporal.io/server')!.replace(/\./g, '\\.')}-`),
    );
    expect(ui.image).toBe(`temporalio/ui:${goVersion('github.com/temporalio/ui-server/v2')}`);
  });

  test('when read then gRPC is published on 7233 and the Web UI on 8233 or 8080, on loopback', () => {
    expect(hostPorts(temporal)).toContain(7233);
    expect(hostPorts(ui).some((p) => p === 8233 || p === 8080)).toBe(true);
    for (const s of Object.values(compose.services)) for (const p of s.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
  });

  test("when read then its PostgreSQL settings are the native server's", () => {
    const env = temporal.environment!;
    expect(env.DB).toBe('postgres12');
    expect(Number(env.DB_PORT)).toBe(POSTGRES_DEFAULTS.port);
    expect(env.POSTGRES_USER).toBe(POSTGRES_DEFAULTS.user);
    expect(postgres.environment!.POSTGRES_USER).toBe(POSTGRES_DEFAULTS.user);
    expect(env.DBNAME).toBe(POSTGRES_DEFAULTS.database);
    expect(env.VISIBILITY_DBNAME).toBe(POSTGRES_DEFAULTS.visibilityDatabase);
    expect(Number(env.NUM_HISTORY_SHARDS)).toBe(POSTGRES_DEFAULTS.historyShards);
    // Trust auth, as on the machine: the native server connects without a password.
    expect(postgres.environment!.POSTGRES_HOST_AUTH_METHOD).toBe('trust');
  });

  test('when read then the dynamic config gives the task queue the native number of partitions and the native timer shift', () => {
    const mounted = temporal.configs!.find((c) =>
      temporal.environment!.DYNAMIC_CONFIG_FILE_PATH!.endsWith(path.basename(c.target)),
    )!;
    const dynamic = parse(compose.configs![mounted.source]!.content) as Record<string, Array<{ value: unknown }>>;
    expect(dynamic['matching.numTaskqueueReadPartitions']![0]!.value).toBe(POSTGRES_DEFAULTS.partitions);
    expect(dynamic['matching.numTaskqueueWritePartitions']![0]!.value).toBe(POSTGRES_DEFAULTS.partitions);
    expect(dynamic[TIMER_SHIFT.key]![0]!.value).toBe(TIMER_SHIFT.value);
  });

  test('when read then every service has a healthcheck and starts only after what it needs is healthy', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect([name, s.healthcheck?.test.length ?? 0]).not.toEqual([name, 0]);
      for (const dep of Object.values(s.depends_on ?? {})) expect(dep.condition).toBe('service_healthy');
    }
    expect(Object.keys(temporal.depends_on ?? {})).toHaveLength(1);
  });

  test("when read then PostgreSQL's data lives in a named volume", () => {
    const [volume] = (postgres.volumes ?? []).map((v) => v.split(':')[0]!);
    expect(volume).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });
});

/** The Go toolchain: on PATH, or where scripts/setup.sh finds it. */
const goBinary = (): string =>
  ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'].find((candidate) => existsSync(candidate)) ?? 'go';

describe('temporal-docker-compose.yml loaded by compose-go, as docker compose v2 loads it', () => {
  let dir: string;
  let check: (file: string) => { status: number | null; stdout: string; stderr: string };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'compose-check-'));
    const bin = path.join(dir, 'compose-check');
    // tools/compose-check pins compose-go; the Go module proxy and the build cache make this fast after once.
    execFileSync(goBinary(), ['build', '-o', bin, '.'], {
      cwd: path.join(PROJECT_ROOT, 'tools/compose-check'),
      env: { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    check = (file) => spawnSync(bin, [file], { encoding: 'utf8', timeout: 60_000 });
  }, 320_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The compose file with one edit, written beside the others so relative paths stay the same. */
  const edited = (from: string, to: string) => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    expect(text).toContain(from);
    const file = path.join(dir, `edited-${Date.now()}.yml`);
    writeFileSync(file, text.replace(from, to));
    return file;
  };

  test('when loaded then it is valid and holds the same services', () => {
    const loaded = check(COMPOSE_FILE);
    expect(loaded.stderr).toBe('');
    expect(loaded.status).toBe(0);
    const project = JSON.parse(loaded.stdout) as { name: string; services: Record<string, { image: string }> };
    expect(project.name).toBe('temporal-payments');
    expect(Object.keys(project.services).sort()).toEqual(Object.keys(compose.services).sort());
  });

  test('when a key is misspelt then loading fails, naming it', () => {
    const loaded = check(edited('    image: postgres:', '    imagee: postgres:'));
    expect(loaded.status).toBe(1);
    expect(loaded.stderr).toMatch(/services\.postgresql\.imagee/);
  });

  test('when a value has the wrong type then loading fails, naming it', () => {
    const loaded = check(edited('retries: 12', 'retries: twelve'));
    expect(loaded.status).toBe(1);
    expect(loaded.stderr).toMatch(/healthcheck\.retries/);
  });

  test('when an interpolation needs a variable that is not set then loading fails, naming it', () => {
    const loaded = check(edited('POSTGRES_USER: postgres', 'POSTGRES_USER: ${COMPOSE_CHECK_UNSET:?must be set}'));
    expect(loaded.status).toBe(1);
    expect(loaded.stderr).toMatch(/COMPOSE_CHECK_UNSET/);
  });
});
