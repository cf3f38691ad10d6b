/**
 * Which nodes may process sensitive data: a label selector (`privacy.sensitiveNodes`) over each node's
 * labels, which are its `labels` entry plus the built-in `tier`, `zone` and `group`.
 */
import type { PrivacySpec } from './schema.js';

export interface LabelledNode {
  readonly tier: string;
  readonly zone: string | undefined;
  readonly group: string;
}

/** A node's labels: the built-in ones first, then its group's `labels` (which may not redefine them). */
export function nodeLabels(
  node: LabelledNode,
  groupLabels: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return {
    ...groupLabels,
    tier: node.tier,
    group: node.group,
    ...(node.zone !== undefined ? { zone: node.zone } : {}),
  };
}

/** True when every label of the selector matches (a list matches any of its values). */
export function selects(
  selector: PrivacySpec['sensitiveNodes'],
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [key, want] of Object.entries(selector)) {
    const have = labels[key];
    if (have === undefined) return false;
    if (typeof want === 'string' ? have !== want : !want.includes(have)) return false;
  }
  return true;
}

/** `zone=hospital, site in (a, b)`: the selector as text, for traces and errors. */
export function describeSelector(selector: PrivacySpec['sensitiveNodes']): string {
  return Object.entries(selector)
    .map(([k, v]) => (typeof v === 'string' ? `${k}=${v}` : `${k} in (${v.join(', ')})`))
    .join(', ');
}
