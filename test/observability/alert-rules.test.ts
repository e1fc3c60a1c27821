import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { METRIC } from '../../src/metrics/payment-metrics';

const OPS = path.join(__dirname, '../../ops/prometheus');
const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: OPS, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });

describe('the alert rules of the study document §5.2 and per PG (ops/prometheus/alerts.yml)', () => {
  let promtool: string;

  beforeAll(() => {
    // Installs Debian's prometheus package when promtool is missing (see the script).
    promtool = run('bash', [path.join(__dirname, '../../scripts/ensure-promtool.sh')])
      .trim()
      .split('\n')
      .pop()!;
  });

  test('when promtool checks the rules then all seven are valid', () => {
    expect(run(promtool, ['check', 'rules', 'alerts.yml'])).toMatch(/SUCCESS: 7 rules found/);
  });

  test('when promtool runs the unit tests beside them then each alert fires exactly when the study document says', () => {
    expect(run(promtool, ['test', 'rules', 'alerts.test.yml'])).toMatch(/SUCCESS/);
  });

  test('when the rules name a metric then the engines export it under that name', () => {
    const rules = (
      parse(readFileSync(path.join(OPS, 'alerts.yml'), 'utf8')) as {
        groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
      }
    ).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'PaymentMerchantWaiting',
      'PaymentPgAtItsRate',
      'PaymentPgFailing',
      'PaymentPgSemaphoreExhausted',
      'PaymentProcessingSlow',
      'PaymentQueueBacklog',
      'PaymentQueueBacklogCritical',
    ]);
    const exported = new Set<string>(
      Object.values(METRIC).flatMap((name) => [name, `${name}_sum`, `${name}_count`, `${name}_bucket`]),
    );
    const used = rules.flatMap((r) => r.expr.match(/payment_[a-z_]+/g) ?? []);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });
});
