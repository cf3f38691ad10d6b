// The engine's public API: explicit re-exports only.

export type { RealtimeOptions } from './clock.js';
export { RealtimeRunner, runRealtime } from './clock.js';
export type { ErlangC, MmcBatch, MmcParams, MmcResult } from './examples/mmc.js';
export { erlangC, simulateMmc, simulateMmcProcesses } from './examples/mmc.js';
export { RandomStream, RandomStreams } from './random.js';
export { Container, ContainerEvent, Request, Resource, Store, StoreGet, StorePut } from './resources.js';
export type { SimulationOptions } from './simulation.js';
export { Interrupt, Process, SimEvent, Simulation } from './simulation.js';
