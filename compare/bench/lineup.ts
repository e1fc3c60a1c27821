/**
 * How runs that share the machine take turns. Every run of a wave starts its engine and warms it
 * up, then waits until all are ready (or gave up), so no engine's start-up lands in another's
 * measurement. A burst's intake (posting every payment and hearing every answer) then runs one
 * engine at a time, in the wave's order, so each engine accepts its burst with the CPU to itself;
 * after that the engines drain side by side, each against its own PG at 10 calls a second.
 */
export class Lineup {
  private settled = 0;
  private readonly allReady: Promise<void>;
  private release!: () => void;
  private turn: Promise<void> = Promise.resolve();

  constructor(private readonly size: number) {
    this.allReady = new Promise<void>((resolve) => (this.release = resolve));
    if (size === 0) this.release();
  }

  /** A run is ready for its load; resolves once every run of the wave is ready or has left. */
  ready(): Promise<void> {
    this.settle();
    return this.allReady;
  }

  /** A run that failed before it was ready: the others no longer wait for it. */
  leave(): void {
    this.settle();
  }

  /** Runs `fn` when the runs that asked before have finished theirs. */
  intake<T>(fn: () => Promise<T>): Promise<T> {
    const mine = this.turn.then(fn);
    this.turn = mine.then(
      () => undefined,
      () => undefined,
    );
    return mine;
  }

  private settle(): void {
    if (++this.settled >= this.size) this.release();
  }
}

/** A run alone on the machine: nothing to wait for. */
export const alone = (): Lineup => new Lineup(1);
