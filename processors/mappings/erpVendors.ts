import type { MappedFragment, Mapping } from '../mapping.js';
import { normalizeCountry } from '../normalize/country.js';
import { normalizeCurrency } from '../normalize/money.js';
import { asRecord, copy, derived, normalized, requiredString } from './fields.js';

/** ERP vendors (SAP A_Supplier style) → Vendor. The IBAN is deliberately not mapped (sensitive). */
export const erpVendorsMapping: Mapping = {
  id: 'erp-vendors',
  version: 1,
  topics: ['raw.erp.vendors'],
  knownFields: [
    'VendorID',
    'VendorName',
    'Country',
    'Currency',
    'TaxNumber',
    'PaymentTerms',
    'IBAN',
    'IsBlocked',
    'CreatedDate',
    'LastChangeDateTime',
  ],
  map(envelope, observe): MappedFragment[] {
    if (envelope.operation === 'delete')
      return [{ entity: 'vendor', businessKey: envelope.naturalKey, fields: {} }];
    const vendor = asRecord(envelope.payload, 'erp vendor');
    const number = requiredString(vendor, 'VendorID', 'erp vendor');
    const terms =
      typeof vendor['PaymentTerms'] === 'string' ? /NE?T\s*(\d+)/i.exec(vendor['PaymentTerms']) : null;
    return [
      {
        entity: 'vendor',
        businessKey: number,
        fields: {
          vendorNumber: copy(number),
          legalName: copy(vendor['VendorName']),
          displayName: copy(vendor['VendorName']),
          taxId: copy(vendor['TaxNumber']),
          countryCode: normalized(observe, 'Country', vendor['Country'], 'iso3166(alpha2)', normalizeCountry),
          defaultCurrency: normalized(
            observe,
            'Currency',
            vendor['Currency'],
            'iso4217(upper)',
            normalizeCurrency,
          ),
          paymentTermsDays: derived(terms?.[1] ? Number(terms[1]) : null, 'paymentTerms(NTnn → nn)'),
          status: derived(vendor['IsBlocked'] === true ? 'blocked' : 'active', 'status(IsBlocked)'),
        },
      },
    ];
  },
};
