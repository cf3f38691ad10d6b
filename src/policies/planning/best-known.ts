/**
 * Best known makespans of the Braun et al. 512×16 instances: the mathematical-solver (MS) results
 * of Gogos, Valouxis, Alefragis, Goulas, Voros & Housos, "Scheduling independent tasks on
 * heterogeneous processors using heuristics and column pricing", Future Generation Computer
 * Systems 60 (2016). Used only to report a gap; the planners never read them to decide.
 */
export const BRAUN_BEST_KNOWN: Readonly<Record<string, number>> = {
  'u_c_hihi.0': 7358942.8,
  'u_c_hilo.0': 152812.2,
  'u_c_lohi.0': 238649.0,
  'u_c_lolo.0': 5135.7,
  'u_i_hihi.0': 2924720.0,
  'u_i_hilo.0': 73202.1,
  'u_i_lohi.0': 101527.0,
  'u_i_lolo.0': 2533.4,
  'u_s_hihi.0': 4080153.4,
  'u_s_hilo.0': 95553.3,
  'u_s_lohi.0': 121000.9,
  'u_s_lolo.0': 3419.4,
};

/** The best known makespan for a file name such as `data/braun-512x16/u_c_hihi.0`, if any. */
export function bestKnownFor(fileName: string): number | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return BRAUN_BEST_KNOWN[base];
}
