import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeCatalog } from '../../schemas/catalogDocument.js';
import { checkContracts, formatGateViolation, publishContract } from '../../schemas/compatibilityGate.js';
import { entityCatalog } from '../../schemas/entityCatalog.js';
import { staleGeneratedSchemas, writeGeneratedSchemas } from '../../schemas/generatedSchemas.js';
import { registerCanonicalSchemas } from '../../schemas/registry.js';
import { defaultSchemasDir, fileSchemaHistory } from '../../schemas/schemaHistory.js';
import { createContext } from '../context.js';
import { printTable } from './output.js';

/** `tributary schemas …`: canonical entity contracts, their registry subjects and the catalog. */
export function registerSchemasCommand(program: Command): void {
  const schemas = program
    .command('schemas')
    .description('canonical entity contracts: registry, compatibility gate, catalog');

  schemas
    .command('register')
    .description(
      'check compatibility, then register every canonical topic value schema (full history) under <topic>-value with BACKWARD_TRANSITIVE (idempotent)',
    )
    .action(async () => {
      const { config, log } = createContext();
      const registrations = await registerCanonicalSchemas({
        registryUrl: config.SCHEMA_REGISTRY_URL,
        contracts: entityCatalog,
        history: fileSchemaHistory(),
        log,
      });
      printTable(
        ['entity', 'subject', 'contract version', 'schema id'],
        registrations.map((entry) => [
          entry.entity,
          entry.subject,
          String(entry.contractVersion),
          String(entry.schemaId),
        ]),
      );
    });

  schemas
    .command('check')
    .description(
      'compatibility gate: every contract is published, unchanged since publication, BACKWARD_TRANSITIVE with its history, and its snapshot is current',
    )
    .action(async () => {
      createContext();
      const schemasDir = defaultSchemasDir();
      const violations = await checkContracts(entityCatalog, fileSchemaHistory(schemasDir));
      const stale = await staleGeneratedSchemas(entityCatalog, schemasDir);
      for (const violation of violations) process.stderr.write(`${formatGateViolation(violation)}\n`);
      for (const entity of stale) {
        process.stderr.write(
          `${entity}: schemas/generated/${entity}.schema.json is stale; run "tributary schemas generate"\n`,
        );
      }
      if (violations.length > 0 || stale.length > 0) {
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`schemas: ${entityCatalog.length} contracts compatible and up to date\n`);
    });

  schemas
    .command('generate')
    .description(
      'regenerate schemas/generated/*.schema.json and publish new contract versions to schemas/history (refused when incompatible)',
    )
    .action(async () => {
      createContext();
      const schemasDir = defaultSchemasDir();
      const history = fileSchemaHistory(schemasDir);
      const rows: string[][] = [];
      // Publish first: an incompatible change fails here and leaves the snapshots untouched.
      for (const contract of entityCatalog) {
        const outcome = await publishContract(contract, history);
        rows.push([contract.entity, `v${contract.version}`, outcome]);
      }
      const { written } = await writeGeneratedSchemas(entityCatalog, schemasDir);
      printTable(
        ['entity', 'version', 'history', 'snapshot'],
        rows.map((row) => [...row, written.includes(row[0] ?? '') ? 'written' : 'unchanged']),
      );
    });

  schemas
    .command('catalog')
    .description(
      'write the entity catalog (markdown, index.json and JSON Schema files) for downstream teams and LLM tools',
    )
    .option('--out <dir>', 'output directory', 'docs/catalog')
    .action(async (options: { out: string }) => {
      createContext();
      const files = await writeCatalog(entityCatalog, resolve(options.out));
      process.stdout.write(`catalog: ${files.length} files written to ${resolve(options.out)}\n`);
    });
}
