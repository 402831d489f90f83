// Reads the end of a server log, to print it when something fails.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `lines` lines of a file (reads at most the last 256 KiB); '' when the file is missing. */
export function tailFile(path: string, lines = 40): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 256 * 1024);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const all = buf.toString('utf8').split('\n');
    if (all.length > 0 && all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

/** A framed block "==== name (path) ====" + tail, for stderr. */
export function formatLogTail(name: string, path: string, lines = 40): string {
  const tail = tailFile(path, lines);
  return `==== ${name}: last ${lines} lines of ${path} ====\n${tail === '' ? '(empty)' : tail}\n==== end of ${name} ====`;
}
