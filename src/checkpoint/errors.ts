import { ReplicatorError } from '../errors.js';

export class CheckpointError extends ReplicatorError {}
