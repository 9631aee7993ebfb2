import { canonicalId } from '../../processors/identity.js';
import type { Mapping } from '../../processors/mapping.js';
import { erpFxRateFields } from '../../processors/mappings/erpFxRates.js';
import { normalizeCostCenterCode } from '../../processors/mappings/fields.js';
import { mappings as registeredMappings } from '../../processors/mappings/index.js';
import { rawTopicFor } from '../../producers/cdc/changeEvents.js';
import { connectorFor } from '../../producers/sources/index.js';
import { payrollTables } from '../../producers/sources/payroll/payrollDatabase.js';

/**
 * One raw stream as reconcile sees it: where its records come from (the simulator's ground-truth
 * resource or the payroll table), which raw topic holds them, and which canonical entity they
 * feed — with the same business-key derivation as the stream's mapping, so the expected
 * canonical ids can be computed from source or raw records without running the mappings
 * (which need FX tables and fail on bad data; a key is all reconcile needs).
 */
export interface ReconcileStream {
  /** Source name as in `raw.<source>.<stream>`: hr, erp, payroll. */
  source: string;
  /** Stream name inside raw keys (`<instance>/<stream>/<naturalKey>`): workers, payroll.employees. */
  stream: string;
  rawTopic: string;
  /** Natural key fields of a source record (the connector's declaration). */
  naturalKey: readonly string[];
  /** Simulator ground-truth resource (`groundTruth(name)`, `/_admin/truth?resource=`); payroll: the table. */
  truthResource: string;
  /** The canonical entity its mapping produces, when a registered mapping reads the raw topic. */
  entity?: string;
  /**
   * Business key of a live record (throws like the mapping would on a record it cannot key);
   * the payload is parsed lazily because most streams key on the natural key alone.
   */
  businessKeyOf?: (naturalKey: string, payload: () => unknown) => string;
  /** Payload fields `businessKeyOf` reads beyond the natural key (a source truth must include them). */
  keyFields?: readonly string[];
}

interface KeyRule {
  entity: string;
  businessKeyOf: (naturalKey: string, payload: () => unknown) => string;
  keyFields?: readonly string[];
}

const byNaturalKey = (entity: string): KeyRule => ({ entity, businessKeyOf: (naturalKey) => naturalKey });

function invoiceKey(naturalKey: string, payload: () => unknown): string {
  const value = payload();
  const vendor =
    value !== null && typeof value === 'object' ? (value as Record<string, unknown>)['VendorID'] : undefined;
  if (typeof vendor !== 'string' || vendor === '')
    throw new TypeError(`invoice ${naturalKey} has no VendorID: cannot derive the canonical id`);
  return `${vendor}/${naturalKey}`;
}

/** Keyed by raw topic: mirrors processors/mappings/*.ts (entity + businessKey of each mapping). */
const keyRules: Readonly<Record<string, KeyRule>> = {
  'raw.hr.workers': byNaturalKey('employee'),
  'raw.hr.org_units': byNaturalKey('org_unit'),
  'raw.erp.vendors': byNaturalKey('vendor'),
  'raw.erp.cost_centers': {
    entity: 'cost_center',
    businessKeyOf: (naturalKey) => normalizeCostCenterCode(naturalKey),
  },
  'raw.erp.invoices': { entity: 'invoice', businessKeyOf: invoiceKey },
  'raw.erp.fx_rates': {
    entity: 'fx_rate',
    businessKeyOf: (_naturalKey, payload) => {
      const fx = erpFxRateFields(payload());
      return `${fx.base}/${fx.quote}/${fx.date}/${fx.type}/erp`;
    },
  },
  // Payroll numbers are not HR worker ids: the employee row names the worker it links to. Pay
  // rates carry only the payroll number and reach their employee through the crosswalk; every pay
  // rate's employee row (a foreign key) already expects that id, so they add no expectation.
  'raw.payroll.payroll.employees': {
    entity: 'employee',
    keyFields: ['hr_worker_id'],
    businessKeyOf: (naturalKey, payload) => {
      const value = payload();
      const workerId =
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)['hr_worker_id']
          : undefined;
      if (typeof workerId !== 'string' || workerId.trim() === '')
        throw new TypeError(
          `payroll employee ${naturalKey} has no hr_worker_id: cannot derive the canonical id`,
        );
      return workerId.trim();
    },
  },
};

/** Simulator truth names of the polling streams (producers/simulators/README.md). */
const truthResources: Readonly<Record<string, string>> = {
  'hr/workers': 'workers',
  'hr/org_units': 'orgUnits',
  'hr/jobs': 'jobs',
  'erp/vendors': 'vendors',
  'erp/invoices': 'invoices',
  'erp/cost_centers': 'costCenters',
  'erp/gl_accounts': 'glAccounts',
  'erp/fx_rates': 'exchangeRates',
};

/** Payroll primary keys (producers/sources/payroll/schema.sql). */
const payrollKeys: Readonly<Record<string, readonly string[]>> = {
  'payroll.employees': ['employee_number'],
  'payroll.pay_rates': ['employee_number'],
  'payroll.pay_history': ['id'],
  'payroll.bank_details': ['employee_number'],
};

/**
 * Every raw stream of the known sources. A stream feeds an entity only when a mapping in
 * `mappingsInUse` (default: the map stage's registered list) reads its topic — a mapping that
 * exists but is not registered produces nothing, so nothing is expected from it.
 */
export function reconcileStreams(
  env: NodeJS.ProcessEnv = process.env,
  mappingsInUse: readonly Pick<Mapping, 'topics'>[] = registeredMappings,
): ReconcileStream[] {
  const mapped = new Set(mappingsInUse.flatMap((mapping) => mapping.topics));
  const withEntity = (stream: Omit<ReconcileStream, 'entity' | 'businessKeyOf'>): ReconcileStream => {
    const rule = keyRules[stream.rawTopic];
    return rule && mapped.has(stream.rawTopic)
      ? {
          ...stream,
          entity: rule.entity,
          businessKeyOf: rule.businessKeyOf,
          ...(rule.keyFields ? { keyFields: rule.keyFields } : {}),
        }
      : stream;
  };
  const streams: ReconcileStream[] = [];
  for (const source of ['hr', 'erp']) {
    const definition = connectorFor(source, env);
    for (const stream of definition.streams) {
      if (stream.deleteSignal?.type === 'feed') continue; // writes into the stream it deletes from
      streams.push(
        withEntity({
          source,
          stream: stream.name,
          rawTopic: `raw.${source}.${stream.name}`,
          naturalKey: stream.naturalKey,
          truthResource: truthResources[`${source}/${stream.name}`] ?? stream.name,
        }),
      );
    }
  }
  for (const table of payrollTables) {
    streams.push(
      withEntity({
        source: 'payroll',
        stream: table,
        rawTopic: rawTopicFor('payroll', table),
        naturalKey: payrollKeys[table] ?? [],
        truthResource: table,
      }),
    );
  }
  return streams;
}

/** The canonical id a live record of `stream` is expected to produce (throws when it cannot be keyed). */
export function expectedCanonicalId(
  stream: ReconcileStream,
  naturalKey: string,
  payload: () => unknown,
): string {
  if (!stream.entity || !stream.businessKeyOf)
    throw new TypeError(`${stream.rawTopic} feeds no canonical entity`);
  return canonicalId(stream.entity, stream.businessKeyOf(naturalKey, payload));
}
