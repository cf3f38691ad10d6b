import type { QueueSort } from '../../scheduler/plugins.js';

/** First come, first served: by request arrival, then creation order. */
export const fifoOrder: QueueSort = {
  name: 'fifo',
  compare: (a, b) => a.arrival - b.arrival,
  key: (a) => a.arrival,
};

/** Higher priority first, then FIFO. */
export const priorityOrder: QueueSort = {
  name: 'priority',
  compare: (a, b) => b.priority - a.priority || a.arrival - b.arrival,
};

/** Earliest absolute deadline first; work without a deadline goes last, in FIFO order. */
export const edfOrder: QueueSort = {
  name: 'earliest-deadline',
  compare: (a, b) => {
    if (a.deadline === b.deadline) return a.arrival - b.arrival;
    if (a.deadline === Number.POSITIVE_INFINITY) return 1;
    if (b.deadline === Number.POSITIVE_INFINITY) return -1;
    return a.deadline - b.deadline;
  },
};
