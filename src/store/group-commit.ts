/**
 * Group commit: writes that arrive while the event loop is busy are collected and handed to `commit` together
 * (one transaction, one fsync), and each caller's promise settles after that commit. With durable commits
 * costing milliseconds, this is what lets many small writers reach a high rate without weakening durability.
 */
export class GroupCommit<I, R> {
  private pending: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  /**
   * `commit` writes all items atomically and returns one result per item, in order; a throw fails them all.
   * `durable`, when given, is awaited after each commit before the callers' promises settle (an fsync done
   * off the event loop); commits made while it runs go on, and a failure fails that commit's callers.
   */
  constructor(
    private readonly commit: (items: I[]) => R[],
    private readonly durable?: () => Promise<void>,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After this loop turn's I/O callbacks, so that writes read from sockets together commit together.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commit what is pending now (also called on close). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let results: R[];
    try {
      results = this.commit(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    if (!this.durable) {
      for (const [i, p] of batch.entries()) p.resolve(results[i]!);
      return;
    }
    this.durable().then(
      () => {
        for (const [i, p] of batch.entries()) p.resolve(results[i]!);
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  }
}
