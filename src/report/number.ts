/**
 * Number formatting for reports: a fixed count of significant digits, plain notation for everyday
 * magnitudes, integers as they are.
 */
export function formatSignificant(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}
