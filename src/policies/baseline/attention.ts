import { Heap } from '../../scheduler/heap.js';
import type { AttentionAllocator, AttentionChoice } from '../../scheduler/plugins.js';
import type { Snapshot } from '../../scheduler/types.js';

/**
 * Round-robin over twins: each free attention slot goes to the next twin in order that is not refreshing.
 * A twin handed back unrefreshed (its refresh fitted nowhere) is offered again first next time, so a full
 * node does not make it wait a whole round.
 */
export function uniformRefresh(): AttentionAllocator {
  let cursor = 0;
  let returned: number[] = [];
  // whether a twin is in `returned` already: handed back twice (offered again first and reached by the round
  // in the same pick, or handed back while waiting), it is offered again once. Without it, while refreshes fit
  // nowhere the list grew by half the slots every pick and each pick read all of it.
  let isReturned = new Uint8Array(0);
  const handBack = (twin: number) => {
    if (isReturned[twin] === 1) return;
    isReturned[twin] = 1;
    returned.push(twin);
  };
  return {
    name: 'uniform-refresh',
    select(s, slots) {
      const twins = s.twins;
      if (isReturned.length !== twins.length) isReturned = new Uint8Array(twins.length);
      const out: AttentionChoice[] = [];
      // twins handed back take at most half the slots, so ones that keep failing (a tenant at its quota)
      // cannot crowd out the rest of the round
      const again = returned;
      returned = [];
      const firstHalf = Math.ceil(slots / 2);
      for (const t of again) {
        isReturned[t] = 0; // (`again` holds each twin once: clearing it as it comes is clearing them all first)
        if (twins[t]!.refreshing) continue;
        if (out.length < firstHalf) out.push({ twin: t });
        else handBack(t);
      }
      for (let scanned = 0; scanned < twins.length && out.length < slots; scanned++) {
        const t = twins[cursor]!;
        cursor = (cursor + 1) % twins.length;
        if (!t.refreshing) out.push({ twin: t.index });
      }
      return out;
    },
    refreshed(twin, ok) {
      if (!ok) handBack(twin);
    },
  };
}

interface AgeEntry {
  readonly twin: number;
  readonly sample: number;
}

/**
 * Refreshes the twin with the largest criticality-weighted age, c · (now − lastSample), first.
 * Twins are kept in one heap per criticality value ordered by sample time, so a pick compares only the
 * heads (few distinct criticalities in practice) instead of scanning every twin. Entries are invalidated
 * lazily: an entry whose sample time no longer matches the twin, or whose twin is refreshing, is dropped.
 */
export function maxAgeFirst(): AttentionAllocator {
  const classes: { criticality: number; heap: Heap<AgeEntry> }[] = [];
  let classOf: Int32Array = new Int32Array(0);
  const push = (s: Snapshot, twin: number) => {
    classes[classOf[twin]!]!.heap.push({ twin, sample: s.twins[twin]!.lastSample });
  };
  return {
    name: 'max-age-first',
    init(s) {
      const byCrit = new Map<number, number>();
      classOf = new Int32Array(s.twins.length);
      for (const t of s.twins) {
        let c = byCrit.get(t.criticality);
        if (c === undefined) {
          c = classes.length;
          byCrit.set(t.criticality, c);
          classes.push({
            criticality: t.criticality,
            heap: new Heap<AgeEntry>(
              (a, b) => a.sample < b.sample || (a.sample === b.sample && a.twin < b.twin),
            ),
          });
        }
        classOf[t.index] = c;
      }
      for (const t of s.twins) push(s, t.index);
    },
    select(s, slots) {
      const out: AttentionChoice[] = [];
      while (out.length < slots) {
        let best = -1;
        let bestAge = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < classes.length; c++) {
          const cls = classes[c]!;
          // drop stale heads
          for (;;) {
            const head = cls.heap.peek();
            if (!head) break;
            const t = s.twins[head.twin]!;
            if (t.refreshing || t.lastSample !== head.sample) cls.heap.pop();
            else break;
          }
          const head = cls.heap.peek();
          if (!head) continue;
          const age = cls.criticality * (s.now - head.sample);
          if (age > bestAge) {
            bestAge = age;
            best = c;
          }
        }
        if (best < 0) break;
        const e = classes[best]!.heap.pop()!;
        out.push({ twin: e.twin, score: bestAge, parts: { weightedAge: bestAge } });
      }
      return out;
    },
    refreshed(twin, _ok, s) {
      if (!s.twins[twin]!.refreshing) push(s, twin);
    },
  };
}
