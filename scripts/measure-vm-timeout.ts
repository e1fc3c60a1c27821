/**
 * What a call into a `vm` context costs with a timeout and without (docs/benchmark.md, "Where the
 * CPU of a payment goes"). The Temporal worker runs every call into its workflow sandbox with the
 * SDK's `isolateExecutionTimeout` (5 s, not an option a worker may unset), and Node runs such a
 * call under a watchdog thread of its own. Not a test: figures of this machine, one at a time:
 *   npx tsx scripts/measure-vm-timeout.ts [--calls 5000]
 */
import { parseArgs } from 'node:util';
import vm from 'node:vm';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '5000' } } });
const calls = Number(values.calls);
// As the SDK makes its sandbox: one context, microtasks run after each evaluation.
const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
vm.runInContext('globalThis.activate = (n) => n + 1', context);
const script = new vm.Script('activate(1)');

for (const timeout of [undefined, 5000]) {
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < calls; i++) script.runInContext(context, timeout === undefined ? {} : { timeout });
  const wallUs = Number(process.hrtime.bigint() - wallStart) / 1000 / calls;
  const cpu = process.cpuUsage(cpuStart);
  const cpuUs = (cpu.user + cpu.system) / calls;
  console.log(
    `${timeout === undefined ? 'no timeout  ' : `timeout ${timeout}`}: ${wallUs.toFixed(1)} µs a call (CPU ${cpuUs.toFixed(1)} µs)`,
  );
}
