// Server jars from Maven Central: `mvn dependency:copy-dependencies` on a pom under test/servers/maven,
// into one directory per product under the cache (Kafka and RocketMQ must not share a classpath).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execTool, lastLines } from './exec.js';
import { MAVEN_POMS_DIR, cacheDir } from './paths.js';

/** Pinned so Maven never has to resolve "latest" (slow, and not reproducible). */
export const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1';

export type MavenClasspathName = 'kafka-3.9' | 'kafka-4' | 'rocketmq';

export const MAVEN_CLASSPATH_NAMES: readonly MavenClasspathName[] = ['kafka-3.9', 'kafka-4', 'rocketmq'];

export interface MavenClasspath {
  name: MavenClasspathName;
  pomPath: string;
  /** The product version, read from the pom's first `<x.version>` property. */
  version: string;
  /** Directory holding every runtime jar; use `${jarsDir}/*` as the classpath. */
  jarsDir: string;
}

const COMPLETE_MARKER = '.complete';

export function mavenClasspath(name: MavenClasspathName): MavenClasspath {
  const pomPath = join(MAVEN_POMS_DIR, name, 'pom.xml');
  const pom = readFileSync(pomPath, 'utf8');
  const match = /<[\w.-]+\.version>([^<]+)<\/[\w.-]+\.version>/.exec(pom);
  if (match === null || match[1] === undefined) throw new Error(`${pomPath}: no <product.version> property`);
  const version = match[1].trim();
  return { name, pomPath, version, jarsDir: join(cacheDir(), 'jars', `${name}-${version}`) };
}

/** True when the jars are already in the cache (no Maven run needed). */
export function jarsCached(cp: MavenClasspath): boolean {
  return existsSync(join(cp.jarsDir, COMPLETE_MARKER));
}

/**
 * Makes sure the jars are in the cache; fetches them when missing. Returns the classpath and how long
 * the fetch took (0 when cached).
 */
export function ensureJars(name: MavenClasspathName): Promise<MavenClasspath & { fetchMs: number }> {
  // one Maven at a time in this process: two writing the same local repo can corrupt it
  const next = mavenQueue.then(() => fetchJars(name));
  mavenQueue = next.catch(() => undefined);
  return next;
}

let mavenQueue: Promise<unknown> = Promise.resolve();

async function fetchJars(name: MavenClasspathName): Promise<MavenClasspath & { fetchMs: number }> {
  const cp = mavenClasspath(name);
  if (jarsCached(cp)) return { ...cp, fetchMs: 0 };
  const started = Date.now();
  // Copy into a private dir and rename: a half-copied dir is never mistaken for a complete one.
  const tmp = `${cp.jarsDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await execTool(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      cp.pomPath,
      `-Dmaven.repo.local=${join(cacheDir(), 'm2')}`,
      `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`,
      '-DincludeScope=runtime',
      `-DoutputDirectory=${tmp}`,
    ],
    { timeoutMs: 15 * 60_000 },
  );
  if (result.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`mvn copy-dependencies for ${cp.pomPath} failed (exit ${String(result.code)}):\n${lastLines(result.output)}`);
  }
  writeFileSync(join(tmp, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  if (jarsCached(cp)) {
    // another process finished the same fetch first: keep its copy
    rmSync(tmp, { recursive: true, force: true });
  } else {
    rmSync(cp.jarsDir, { recursive: true, force: true });
    renameSync(tmp, cp.jarsDir);
  }
  return { ...cp, fetchMs: Date.now() - started };
}
