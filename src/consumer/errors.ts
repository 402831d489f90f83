import { ReplicatorError } from '../errors.js';

/** Errors of the consumer SDK; codes start with SDK_. */
export class ConsumerError extends ReplicatorError {}
