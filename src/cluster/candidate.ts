// What a candidate writes into its election node, so that `status` and the logs can say who leads.
import { hostname } from 'node:os';

export interface CandidateInfo {
  instanceId: string;
  host: string;
  pid: number;
  /** ISO time the instance started. */
  startedAt: string;
}

export function localCandidate(instanceId: string, startedAt: Date = new Date()): CandidateInfo {
  return { instanceId, host: hostname(), pid: process.pid, startedAt: startedAt.toISOString() };
}

export function encodeCandidate(info: CandidateInfo): Buffer {
  return Buffer.from(JSON.stringify(info));
}

/** The node's data as a CandidateInfo; null when it is not one (a foreign or damaged node). */
export function decodeCandidate(data: Buffer): CandidateInfo | null {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const o = doc as Record<string, unknown>;
  if (typeof o.instanceId !== 'string' || typeof o.host !== 'string' || typeof o.pid !== 'number' || typeof o.startedAt !== 'string') {
    return null;
  }
  return { instanceId: o.instanceId, host: o.host, pid: o.pid, startedAt: o.startedAt };
}
