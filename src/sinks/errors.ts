import { ReplicatorError } from '../errors.js';

export class SinkError extends ReplicatorError {}
