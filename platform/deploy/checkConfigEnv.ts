/**
 * Every rendered configuration's env ConfigMap must pass the roles' own configuration check
 * (platform/config.ts), with the secret-provided settings present: a chart value the code does not
 * read (the chart once set AWS_REGION where the code wants KAFKA_AWS_REGION) fails here, not at
 * the first pod start.
 *   node --import tsx platform/deploy/checkConfigEnv.ts <rendered.yaml>...
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../config.js';

/** What the chart takes from the Secret rather than the ConfigMap. */
const fromSecret = {
  DATABASE_URL: 'postgres://tributary:secret@db.example.internal:5432/tributary',
  KAFKA_SASL_USERNAME: 'tributary',
  KAFKA_SASL_PASSWORD: 'secret',
};

let failures = 0;
for (const file of process.argv.slice(2)) {
  const documents = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS());
  const envMaps = documents.filter(
    (document): document is { kind: string; metadata: { name: string }; data: Record<string, string> } =>
      document?.kind === 'ConfigMap' && String(document?.metadata?.name ?? '').endsWith('-env'),
  );
  if (envMaps.length === 0) {
    process.stderr.write(`${file}: no env ConfigMap rendered\n`);
    failures++;
  }
  for (const map of envMaps) {
    try {
      parseConfig({ ...fromSecret, ...map.data });
      process.stdout.write(
        `validate-deploy: ${file.split('/').at(-1)}: ${map.metadata.name} passes the configuration check\n`,
      );
    } catch (error) {
      process.stderr.write(
        `${file}: ${map.metadata.name}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      failures++;
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
