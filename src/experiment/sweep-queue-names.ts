// The names a distributed sweep and its workers agree on, apart from the BullMQ code so that
// naming them does not load BullMQ.
export const QUEUE_NAME = 'ars-sweep';
export const DEFAULT_PREFIX = 'ars';
