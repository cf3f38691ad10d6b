/**
 * Transfer times between endpoints: latency + bytes / bandwidth. The most specific rule wins:
 * an explicit link between two nodes, else the pair of tiers (or the default), to which a zone pair adds
 * its latency and caps the bandwidth when the two ends sit in different zones.
 * A shared link carries one transfer at a time (FIFO), so a burst of transfers queues on it.
 */

import type { NodeDef } from '../model/scenario.js';
import type { EndpointTier, NetworkSpec, Tier } from '../model/schema.js';

interface LinkState {
  readonly latency: number;
  readonly bandwidth: number;
  readonly shared: boolean;
  busyUntil: number;
}

const TIERS: readonly EndpointTier[] = ['device', 'edge', 'fog', 'cloud'];
const tierIndex = (t: EndpointTier) => TIERS.indexOf(t);

export class Network {
  readonly #tierLatency = new Float64Array(16);
  readonly #tierBandwidth = new Float64Array(16);
  readonly #zoneRules = new Map<string, { latency: number; bandwidth: number }>();
  readonly #links = new Map<number, LinkState>();
  readonly #nodeTier: Int8Array;
  readonly #nodeZone: (string | undefined)[];
  readonly #nodeCount: number;
  // the last route found: fields rather than a returned object, so no allocation per transfer
  #latency = 0;
  #bandwidth = 0;
  #link: LinkState | undefined;

  constructor(spec: NetworkSpec, nodes: readonly NodeDef[]) {
    this.#nodeCount = nodes.length;
    this.#tierLatency.fill(spec.default.latency);
    this.#tierBandwidth.fill(spec.default.bandwidth);
    for (const rule of spec.tiers) {
      const a = tierIndex(rule.between[0]);
      const b = tierIndex(rule.between[1]);
      for (const k of [a * 4 + b, b * 4 + a]) {
        this.#tierLatency[k] = rule.latency;
        this.#tierBandwidth[k] = rule.bandwidth;
      }
    }
    for (const rule of spec.zones) {
      const v = { latency: rule.latency, bandwidth: rule.bandwidth };
      this.#zoneRules.set(`${rule.between[0]}\u0000${rule.between[1]}`, v);
      this.#zoneRules.set(`${rule.between[1]}\u0000${rule.between[0]}`, v);
    }
    this.#nodeTier = Int8Array.from(nodes, (n) => tierIndex(n.tier));
    this.#nodeZone = nodes.map((n) => n.zone);
    const byId = new Map<string, number[]>();
    nodes.forEach((n, i) => {
      byId.set(n.id, [i]);
      const g = byId.get(`group:${n.group}`) ?? [];
      g.push(i);
      byId.set(`group:${n.group}`, g);
    });
    const resolve = (name: string) => byId.get(name) ?? byId.get(`group:${name}`) ?? [];
    for (const link of spec.links) {
      for (const a of resolve(link.between[0])) {
        for (const b of resolve(link.between[1])) {
          if (a === b) continue;
          // one state per unordered pair: a shared link is one cable whichever way the data goes
          const state: LinkState = {
            latency: link.latency,
            bandwidth: link.bandwidth,
            shared: link.shared,
            busyUntil: 0,
          };
          this.#links.set(this.#key(a, b), state);
          this.#links.set(this.#key(b, a), state);
        }
      }
    }
  }

  #key(a: number, b: number): number {
    return a * this.#nodeCount + b;
  }

  /** latency and bandwidth from a node (fromNode >= 0) or a device in `fromZone` to node `to`, into #latency, #bandwidth, #link */
  #route(fromNode: number, fromZone: string | undefined, to: number): void {
    if (fromNode >= 0 && this.#links.size > 0) {
      const link = this.#links.get(this.#key(fromNode, to));
      if (link) {
        this.#latency = link.latency;
        this.#bandwidth = link.bandwidth;
        this.#link = link;
        return;
      }
    }
    const ft = fromNode >= 0 ? this.#nodeTier[fromNode]! : 0;
    const k = ft * 4 + this.#nodeTier[to]!;
    let latency = this.#tierLatency[k]!;
    let bandwidth = this.#tierBandwidth[k]!;
    const toZone = this.#nodeZone[to];
    if (fromZone !== undefined && toZone !== undefined && fromZone !== toZone) {
      const z = this.#zoneRules.get(`${fromZone}\u0000${toZone}`);
      if (z) {
        latency += z.latency;
        bandwidth = Math.min(bandwidth, z.bandwidth);
      }
    }
    this.#latency = latency;
    this.#bandwidth = bandwidth;
    this.#link = undefined;
  }

  /** Seconds to move `bytes` if sent now, ignoring queueing on shared links. 0 on the same node. */
  estimate(fromNode: number, fromZone: string | undefined, to: number, bytes: number): number {
    if (fromNode === to) return 0;
    this.#route(fromNode, fromZone, to);
    return this.#latency + bytes / this.#bandwidth;
  }

  /** Sends `bytes` now and returns the arrival time; a shared link is held for the transmission. */
  send(now: number, fromNode: number, fromZone: string | undefined, to: number, bytes: number): number {
    if (fromNode === to) return now;
    this.#route(fromNode, fromZone, to);
    const latency = this.#latency;
    const transmit = bytes / this.#bandwidth;
    const link = this.#link;
    if (link?.shared) {
      const start = Math.max(now, link.busyUntil);
      link.busyUntil = start + transmit;
      return start + transmit + latency;
    }
    return now + latency + transmit;
  }

  /** Seconds to deliver a result from node `from` back to a user (device tier, no zone). */
  toUser(from: number, bytes: number): number {
    if (bytes <= 0) return 0;
    const k = this.#nodeTier[from]! * 4;
    return this.#tierLatency[k]! + bytes / this.#tierBandwidth[k]!;
  }

  static tierOf(t: Tier): number {
    return tierIndex(t);
  }
}
