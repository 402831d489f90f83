// How the harness launches JVMs.
import { join } from 'node:path';

/** $JAVA_HOME/bin/java when set, else `java` from PATH (Java 17 on the test machines). */
export function javaCommand(): string {
  const home = process.env['JAVA_HOME'];
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

/** `dir/*` passed as one argv element (no shell), so Java expands the wildcard itself. */
export function classpathOf(jarsDir: string): string {
  return join(jarsDir, '*');
}

/** Flags for short-lived tool JVMs (StorageTool, mqadmin): C1 only and serial GC start fastest on 2 cores. */
export const TOOL_JVM_FLAGS: readonly string[] = ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Djava.awt.headless=true'];
