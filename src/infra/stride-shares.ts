/**
 * Stride scheduling between merchants: of a PG's room among their intake streams (the starter),
 * and of PG permits among the calls waiting in a worker (the admission step). Each place goes to
 * the key with a backlog whose pass is lowest, and taking a place moves its pass on by 1 / weight.
 * So a merchant of weight 2 gets two places for each one of a merchant of weight 1 while both
 * wait, one that is alone gets all of them, and one that had nothing waiting comes back level
 * with the others, with no credit saved up from its quiet spell. Passes are kept between rounds:
 * with one place a round (a full window, one payment ending at a time) the merchants still take
 * turns.
 */
export interface Backlog {
  key: string;
  weight: number;
  /** What waits under this key: it gets no more places than these. */
  waiting: number;
}

export class StrideShares {
  private readonly pass = new Map<string, number>();
  /** Where the busy streams' passes were after the last round: a stream coming back starts there. */
  private virtual = 0;

  /** Hands out `room` places; the keys in the order they were given, one per place. */
  allot(room: number, backlogs: Backlog[]): string[] {
    const busy = backlogs.filter((b) => b.waiting > 0);
    if (busy.length === 0) return [];
    for (const b of busy) this.pass.set(b.key, Math.max(this.pass.get(b.key) ?? this.virtual, this.virtual));
    const given = new Map<string, number>();
    const order: string[] = [];
    while (order.length < room) {
      let next: Backlog | undefined;
      for (const b of busy)
        if ((given.get(b.key) ?? 0) < b.waiting && (!next || this.pass.get(b.key)! < this.pass.get(next.key)!))
          next = b;
      if (!next) break;
      given.set(next.key, (given.get(next.key) ?? 0) + 1);
      this.pass.set(next.key, this.pass.get(next.key)! + 1 / next.weight);
      order.push(next.key);
    }
    this.virtual = Math.min(...busy.map((b) => this.pass.get(b.key)!));
    return order;
  }
}
