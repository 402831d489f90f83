// Order of the candidates: ZooKeeper appends a 10-digit, zero-padded counter (%010d of its parent's
// cversion) to each EPHEMERAL_SEQUENTIAL node; the lowest counter leads, each other candidate watches the
// one just below it (no herd effect when the leader goes). Names that do not follow the pattern are not
// candidates and are ignored.

export const CANDIDATE_PREFIX = 'n_';

const CANDIDATE_NAME = /^n_(\d{10})$/;

export interface CandidateNode {
  /** Child name, e.g. n_0000000007. */
  name: string;
  sequence: number;
}

/** The candidates among the election node's children, lowest sequence (the leader) first. */
export function candidateOrder(children: readonly string[]): CandidateNode[] {
  const out: CandidateNode[] = [];
  for (const name of children) {
    const m = CANDIDATE_NAME.exec(name);
    if (m !== null) out.push({ name, sequence: Number(m[1]) });
  }
  return out.sort((a, b) => a.sequence - b.sequence);
}

export type Standing =
  | { kind: 'leader' }
  | { kind: 'follower'; predecessor: string; position: number }
  | { kind: 'absent' };

/** Where `name` stands: leader, follower of its predecessor (position 1 = next in line), or absent. */
export function standingOf(order: readonly CandidateNode[], name: string): Standing {
  const index = order.findIndex((c) => c.name === name);
  if (index < 0) return { kind: 'absent' };
  if (index === 0) return { kind: 'leader' };
  return { kind: 'follower', predecessor: order[index - 1]!.name, position: index };
}
