// Opens the TCP or TLS connection to the master, with a connect timeout.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describeEndpoint, type RedisEndpoint } from './endpoint.js';
import { ReplicationError } from './errors.js';

export function openConnection(endpoint: RedisEndpoint, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const where = describeEndpoint(endpoint);
    const socket: Socket = endpoint.tls
      ? tlsConnect({
          host: endpoint.host,
          port: endpoint.port,
          servername: endpoint.tls.servername ?? endpoint.host,
          rejectUnauthorized: endpoint.tls.rejectUnauthorized,
          ...(endpoint.tls.ca ? { ca: endpoint.tls.ca } : {}),
        })
      : netConnect({ host: endpoint.host, port: endpoint.port });
    const readyEvent = endpoint.tls ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ReplicationError('REPL_CONNECT_TIMEOUT', `no connection to ${where} within ${timeoutMs} ms; check redis.uri and that the master is reachable`, 'connect', { retriable: true }));
    }, timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ReplicationError('REPL_CONNECT_FAILED', `cannot connect to ${where}: ${err.message}; check redis.uri and that the master is running`, 'connect', { retriable: true, cause: err }));
    };
    socket.once('error', onError);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 10_000);
      resolve(socket);
    });
  });
}
