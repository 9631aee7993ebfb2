import { TributaryError } from '../errors.js';
import { runSync } from './processes.js';

/** Java 17+ runs Kafka 4 and Apicurio 3; Maven fetches their jars. Missing tools fail with one clear line. */
export function requireJava(): number {
  const { status, output } = runSync('java', ['-version']);
  if (status !== 0) {
    throw new TributaryError(
      'DEPENDENCY_MISSING',
      'Java 17 or newer is required to run Kafka and the schema registry: not found on PATH (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)',
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1] ?? 0);
  if (major < 17) {
    throw new TributaryError(
      'DEPENDENCY_MISSING',
      `Java 17 or newer is required, found Java ${major} (set JAVA_HOME/PATH to a JDK 17+; Debian/Ubuntu: apt-get install openjdk-17-jre-headless)`,
    );
  }
  return major;
}

export function requireMaven(): void {
  const { status } = runSync('mvn', ['-v']);
  if (status !== 0) {
    throw new TributaryError(
      'DEPENDENCY_MISSING',
      'Apache Maven is required to fetch the Kafka and registry distributions: `mvn` not found on PATH (Debian/Ubuntu: apt-get install maven)',
    );
  }
}
