/**
 * At most `limit` calls at once; the rest wait in arrival order, each until its own deadline.
 * The API uses it for workflow starts: a burst then reaches Temporal a few at a time, and the
 * workflows started first get their workflow and activity tasks through while the rest queue here.
 */
export class DeadlinePassed extends Error {
  constructor() {
    super('no free slot before the deadline');
    this.name = 'DeadlinePassed';
  }
}

export class BoundedConcurrency {
  private active = 0;
  private readonly waiting: Array<{ go(): void }> = [];

  constructor(private readonly limit: number) {}

  /** Runs `fn` once a slot is free; throws DeadlinePassed if none frees before `deadline` (epoch ms). */
  async run<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await this.waitForSlot(deadline);
    else this.active++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next in line, so `active` never dips and lets a newcomer jump it.
      const next = this.waiting.shift();
      if (next) next.go();
      else this.active--;
    }
  }

  /** Calls running and waiting now. */
  usage(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  private waitForSlot(deadline: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry = {
        go: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(
        () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new DeadlinePassed());
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push(entry);
    });
  }
}
