/**
 * How runs that share the machine take turns. Every run of a wave starts its engine and warms it
 * up, then waits until all are ready (or gave up), so no engine's start-up lands in another's
 * measurement. A burst's intake (posting every payment and hearing every answer) then runs one
 * engine at a time, in the wave's order, so each engine accepts its burst with the CPU to itself;
 * its turn lasts until its PG has had the first second's calls too, since an engine slow to fill
 * that second pays for it at the end of the run (docs/benchmark.md): with the turn over at the
 * last 202, Temporal's first second (0.3-0.5 s alone) shared the CPU with the next engine's burst.
 * After that the engines drain side by side, each against its own PG at 10 calls a second. A
 * flash sale's neighbour (noisy-neighbour) starts posting once every run's flash sale is in, so
 * its payments never queue behind another engine's intake.
 */
export class Lineup {
  private settled = 0;
  private readonly allReady: Promise<void>;
  private release!: () => void;
  /** Per place in the wave: resolved once that run's intake is over, or it took none. */
  private readonly turnsOver: Array<{ promise: Promise<void>; resolve(): void }>;

  constructor(private readonly size: number) {
    this.allReady = new Promise<void>((resolve) => (this.release = resolve));
    this.turnsOver = Array.from({ length: size }, () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
  }

  /** The run at `place` is ready for its load; resolves once every run is ready or has left. */
  ready(): Promise<void> {
    this.settle();
    return this.allReady;
  }

  /** The run at `place` failed before it was ready: nobody waits for it any more. */
  leave(place: number): void {
    this.settle();
    this.pass(place);
  }

  /** The run at `place` takes no turn (a paced load shares the machine for its whole run). */
  pass(place: number): void {
    this.turnsOver[place]?.resolve();
  }

  /** Resolves once every run of the wave has had its turn or passed. */
  everyTurnOver(): Promise<void> {
    return Promise.all(this.turnsOver.map((t) => t.promise)).then(() => undefined);
  }

  /**
   * Runs `fn` once every run placed before `place` has had its turn or passed. Where a run comes
   * after this one, the turn lasts until `thenUntil` resolves too (the PG's first second filled).
   */
  async intake<T>(place: number, fn: () => Promise<T>, thenUntil?: () => Promise<void>): Promise<T> {
    await Promise.all(this.turnsOver.slice(0, place).map((t) => t.promise));
    try {
      const out = await fn();
      if (place < this.size - 1) await thenUntil?.().catch(() => undefined);
      return out;
    } finally {
      this.pass(place);
    }
  }

  private settle(): void {
    if (++this.settled >= this.size) this.release();
  }
}

/** Where a run stands: its wave's lineup and its place in it. */
export interface Place {
  lineup: Lineup;
  place: number;
}

/** A run alone on the machine: nothing to wait for. */
export const alone = (): Place => ({ lineup: new Lineup(1), place: 0 });
