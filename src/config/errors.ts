import { ReplicatorError } from '../errors.js';

export class ConfigError extends ReplicatorError {}
