/** The admission step's settings under their current names, and the previous release's names. */
import { currentAdmissionNamesOnly, withCurrentAdmissionNames } from '../../src/config/admission-settings';
import { ConfigError } from '../../src/config/env';
import { loadStackConfig } from '../../src/stack-config';
import { loadWorkerConfig } from '../../src/temporal/config';

/** The worker's admission settings read from `env`, and every warning line. */
function worker(env: NodeJS.ProcessEnv) {
  const warnings: string[] = [];
  const { admission, lanes } = loadWorkerConfig(env, (line) => warnings.push(line));
  const { taskQueueActivitiesPerSecond, maxConcurrentActivities, admissionPrefix } = lanes[0]!;
  return {
    kind: admission.kind,
    prefix: admissionPrefix,
    leaseMs: admission.leaseMs,
    taskQueueActivitiesPerSecond,
    maxConcurrentActivities,
    warnings,
  };
}

describe('the admission settings', () => {
  test('when nothing is set then the worker runs the local step, with no warning', () => {
    expect(worker({})).toEqual({
      kind: 'local',
      prefix: 'pg:permits:',
      leaseMs: 5000,
      taskQueueActivitiesPerSecond: 20,
      maxConcurrentActivities: 20,
      warnings: [],
    });
  });

  test.each(['local', 'redis', 'share', 'off'] as const)(
    'when PG_ADMISSION=%s then the worker runs it, with no warning',
    (kind) => {
      const read = worker({ PG_ADMISSION: kind, PG_ADMISSION_PREFIX: 'p:', PG_ADMISSION_LEASE_MS: '700' });
      expect(read).toEqual(expect.objectContaining({ kind, prefix: 'p:', leaseMs: 700, warnings: [] }));
      expect(read.taskQueueActivitiesPerSecond).toBe(kind === 'off' ? 10 : 20);
      // Without the step the slots are the concurrency limit; behind it, room for the starter's window.
      expect(read.maxConcurrentActivities).toBe(kind === 'off' ? 10 : 20);
    },
  );

  test('when WORKER_MAX_CONCURRENT_ACTIVITIES is set then every lane has that many slots, else twice its concurrency', () => {
    expect(worker({ WORKER_MAX_CONCURRENT_ACTIVITIES: '7' }).maxConcurrentActivities).toBe(7);
    expect(worker({ PG_MAX_CONCURRENCY: '4' }).maxConcurrentActivities).toBe(8);
  });

  test('when PG_ADMISSION has another value then the worker stops, naming it', () => {
    expect(() => worker({ PG_ADMISSION: 'shared' })).toThrow(ConfigError);
    expect(() => worker({ PG_ADMISSION: 'shared' })).toThrow(/^invalid setting PG_ADMISSION="shared"/);
  });
});

describe("the previous release's names, read for one more with a warning each", () => {
  test('when PG_ADMISSION=on then it is the local step', () => {
    const read = worker({ PG_ADMISSION: 'on' });
    expect(read.kind).toBe('local');
    expect(read.warnings).toEqual([
      'deprecated setting PG_ADMISSION=on: read as PG_ADMISSION=local; set local, redis, share or off',
    ]);
  });

  test('when PG_ADMISSION=on and PG_PERMITS=redis then it is the Redis step, one warning for each', () => {
    const read = worker({ PG_ADMISSION: 'on', PG_PERMITS: 'redis' });
    expect(read.kind).toBe('redis');
    expect(read.warnings).toEqual([
      'deprecated setting PG_ADMISSION=on: read as PG_ADMISSION=redis; set local, redis, share or off',
      'deprecated setting PG_PERMITS=redis: read as PG_ADMISSION=redis; set PG_ADMISSION instead',
    ]);
  });

  test.each(['local', 'redis', 'share'])('when PG_PERMITS=%s alone then it is read as PG_ADMISSION', (kind) => {
    const read = worker({ PG_PERMITS: kind });
    expect(read.kind).toBe(kind);
    expect(read.warnings).toEqual([
      `deprecated setting PG_PERMITS=${kind}: read as PG_ADMISSION=${kind}; set PG_ADMISSION instead`,
    ]);
  });

  test('when PG_ADMISSION=off and PG_PERMITS=redis then the step is off, as it was', () => {
    const read = worker({ PG_ADMISSION: 'off', PG_PERMITS: 'redis' });
    expect(read.kind).toBe('off');
    expect(read.warnings).toEqual(['deprecated setting PG_PERMITS=redis: ignored, PG_ADMISSION=off is set']);
  });

  test('when both the old and the new name are set then the new one wins', () => {
    const read = worker({
      PG_ADMISSION: 'share',
      PG_PERMITS: 'redis',
      PG_ADMISSION_LEASE_MS: '900',
      PG_PERMITS_LEASE_MS: '300',
    });
    expect(read).toEqual(expect.objectContaining({ kind: 'share', leaseMs: 900 }));
    expect(read.warnings).toEqual([
      'deprecated setting PG_PERMITS=redis: ignored, PG_ADMISSION=share is set',
      'deprecated setting PG_PERMITS_LEASE_MS: ignored, PG_ADMISSION_LEASE_MS is set',
    ]);
  });

  test('when PG_PERMITS_LEASE_MS and PG_PERMITS_PREFIX are set then they are the lease and the prefix', () => {
    const read = worker({ PG_PERMITS: 'redis', PG_PERMITS_LEASE_MS: '800', PG_PERMITS_PREFIX: 'old:' });
    expect(read).toEqual(expect.objectContaining({ kind: 'redis', leaseMs: 800, prefix: 'old:' }));
    expect(read.warnings).toEqual([
      'deprecated setting PG_PERMITS=redis: read as PG_ADMISSION=redis; set PG_ADMISSION instead',
      'deprecated setting PG_PERMITS_LEASE_MS: read as PG_ADMISSION_LEASE_MS=800; set PG_ADMISSION_LEASE_MS instead',
      'deprecated setting PG_PERMITS_PREFIX: read as PG_ADMISSION_PREFIX=old:; set PG_ADMISSION_PREFIX instead',
    ]);
  });

  test('when an old name is blank then it is unset, as every setting is', () => {
    expect(worker({ PG_PERMITS: ' ', PG_PERMITS_LEASE_MS: '' })).toEqual(
      expect.objectContaining({ kind: 'local', leaseMs: 5000, warnings: [] }),
    );
  });

  test('when PG_PERMITS has a value it never had then the process stops, naming it', () => {
    expect(() => withCurrentAdmissionNames({ PG_PERMITS: 'off' }, () => undefined)).toThrow(
      'invalid setting PG_PERMITS="off": use PG_ADMISSION=local|redis|share|off',
    );
  });

  test('without a listener the warning is one line on stderr', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(withCurrentAdmissionNames({ PG_PERMITS: 'share' }).PG_ADMISSION).toBe('share');
      expect(write.mock.calls).toEqual([
        ['deprecated setting PG_PERMITS=share: read as PG_ADMISSION=share; set PG_ADMISSION instead\n'],
      ]);
    } finally {
      write.mockRestore();
    }
  });
});

describe('npm start', () => {
  const stack = (env: NodeJS.ProcessEnv) => {
    const warnings: string[] = [];
    const config = loadStackConfig(env, (line) => warnings.push(line));
    return { admission: config.admission, workerEnv: config.workerAdmissionEnv, warnings };
  };

  test('when nothing is set then one worker runs the local step and more share the Redis one', () => {
    expect(stack({}).admission).toBe('local');
    expect(stack({ WORKERS: '3' }).admission).toBe('redis');
    expect(stack({ WORKERS: '3', PG_ADMISSION: 'share' }).admission).toBe('share');
  });

  test('when old names are set then it warns once for each and hands the workers the current names only', () => {
    const read = stack({ WORKERS: '2', PG_PERMITS: 'local', PG_PERMITS_LEASE_MS: '700' });
    expect(read.admission).toBe('local');
    expect(read.warnings).toHaveLength(2);
    expect(read.workerEnv).toEqual({
      PG_ADMISSION: 'local',
      PG_ADMISSION_LEASE_MS: '700',
      PG_ADMISSION_PREFIX: undefined,
      PG_PERMITS: undefined,
      PG_PERMITS_LEASE_MS: undefined,
      PG_PERMITS_PREFIX: undefined,
    });
    // What a worker reads from that environment: the same settings, and no warning again.
    const warnings: string[] = [];
    const workerConfig = loadWorkerConfig(
      { PG_PERMITS: 'local', PG_PERMITS_LEASE_MS: '700', ...read.workerEnv },
      (line) => warnings.push(line),
    );
    expect(workerConfig.admission).toEqual(expect.objectContaining({ kind: 'local', leaseMs: 700 }));
    expect(warnings).toEqual([]);
  });

  test('currentAdmissionNamesOnly unsets every old name', () => {
    expect(currentAdmissionNamesOnly({ PG_ADMISSION: 'redis', PG_PERMITS: 'redis' })).toEqual({
      PG_ADMISSION: 'redis',
      PG_ADMISSION_LEASE_MS: undefined,
      PG_ADMISSION_PREFIX: undefined,
      PG_PERMITS: undefined,
      PG_PERMITS_LEASE_MS: undefined,
      PG_PERMITS_PREFIX: undefined,
    });
  });
});
