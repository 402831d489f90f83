import { ReplicatorError, type ReplicatorErrorOptions } from '../errors.js';

export type ReplicationPhase = 'connect' | 'handshake' | 'transfer' | 'stream';

export class ReplicationError extends ReplicatorError {
  constructor(
    code: string,
    message: string,
    readonly phase: ReplicationPhase,
    options: ReplicatorErrorOptions = {},
  ) {
    super(code, message, options);
  }
}
