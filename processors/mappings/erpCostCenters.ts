import { canonicalId } from '../identity.js';
import type { MappedFragment, Mapping } from '../mapping.js';
import { parseLocalDate } from '../normalize/dates.js';
import { asRecord, copy, derived, normalizeCostCenterCode, normalized, requiredString } from './fields.js';

/** ERP cost centers → CostCenter (the ERP is the system of record for them). */
export const erpCostCentersMapping: Mapping = {
  id: 'erp-cost-centers',
  version: 1,
  topics: ['raw.erp.cost_centers'],
  knownFields: [
    'CostCenterID',
    'Name',
    'ControllingArea',
    'CompanyCode',
    'ValidFrom',
    'ValidTo',
    'PersonResponsible',
    'IsBlocked',
    'LastChangeDateTime',
  ],
  map(envelope, observe): MappedFragment[] {
    if (envelope.operation === 'delete') {
      return [
        { entity: 'cost_center', businessKey: normalizeCostCenterCode(envelope.naturalKey), fields: {} },
      ];
    }
    const center = asRecord(envelope.payload, 'erp cost center');
    const code = normalizeCostCenterCode(requiredString(center, 'CostCenterID', 'erp cost center'));
    return [
      {
        entity: 'cost_center',
        businessKey: code,
        fields: {
          costCenterCode: derived(code, 'digits padded to 10'),
          name: copy(center['Name']),
          companyCode: copy(center['CompanyCode']),
          validFrom: normalized(observe, 'ValidFrom', center['ValidFrom'], 'date', (value) =>
            parseLocalDate(value),
          ),
          validTo: normalized(observe, 'ValidTo', center['ValidTo'], 'date', (value) =>
            parseLocalDate(value),
          ),
          ownerId: normalized(
            observe,
            'PersonResponsible',
            center['PersonResponsible'],
            'ref(employee, id)',
            (value) => canonicalId('employee', value),
          ),
          active: derived(center['IsBlocked'] !== true, 'not(IsBlocked)'),
        },
      },
    ];
  },
};
