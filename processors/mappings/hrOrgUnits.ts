import { canonicalId } from '../identity.js';
import type { MappedFragment, Mapping } from '../mapping.js';
import {
  asRecord,
  copy,
  derived,
  normalizeCostCenterCode,
  normalized,
  parseFlag,
  requiredString,
} from './fields.js';

/** HR org units → OrgUnit (departments and teams). */
export const hrOrgUnitsMapping: Mapping = {
  id: 'hr-org-units',
  version: 1,
  topics: ['raw.hr.org_units'],
  knownFields: ['id', 'name', 'parentId', 'managerId', 'costCenter', 'active', 'updatedAt'],
  map(envelope, observe): MappedFragment[] {
    if (envelope.operation === 'delete')
      return [{ entity: 'org_unit', businessKey: envelope.naturalKey, fields: {} }];
    const unit = asRecord(envelope.payload, 'hr org unit');
    const code = requiredString(unit, 'id', 'hr org unit');
    return [
      {
        entity: 'org_unit',
        businessKey: code,
        fields: {
          orgUnitCode: copy(code),
          name: copy(unit['name']),
          kind: derived(unit['parentId'] ? 'department' : 'company', 'kind(parent? department : company)'),
          parentOrgUnitId: unit['parentId']
            ? normalized(observe, 'parentId', unit['parentId'], 'ref(org_unit, id)', (value) =>
                canonicalId('org_unit', value),
              )
            : copy(null),
          managerId: normalized(observe, 'managerId', unit['managerId'], 'ref(employee, id)', (value) =>
            canonicalId('employee', value),
          ),
          costCenterId: normalized(
            observe,
            'costCenter',
            unit['costCenter'],
            'ref(cost_center, digits padded to 10)',
            (value) => canonicalId('cost_center', normalizeCostCenterCode(value)),
          ),
          active: derived(parseFlag(unit['active']), 'flag(Y/N)'),
        },
      },
    ];
  },
};
