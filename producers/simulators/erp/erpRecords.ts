/**
 * Record shapes the ERP simulator serves (SAP S/4HANA OData v4 style). Amounts are decimal
 * strings, mostly "1234.50" but sometimes "1.234,50" from a legacy subsidiary; dates are mostly
 * Edm.Date "2024-03-04" but sometimes SAP DATS "20240304" or the OData v2 "/Date(1709510400000)/".
 */
export interface ErpVendor {
  VendorID: string;
  VendorName: string;
  /** Country code, usually "DE", sometimes lower case. */
  Country: string;
  /** ISO 4217 in varying case. */
  Currency: string;
  TaxNumber?: string;
  PaymentTerms: string;
  IBAN?: string;
  IsBlocked: boolean;
  CreatedDate: string;
  LastChangeDateTime: string;
}

export interface ErpInvoiceLine {
  LineNumber: number;
  GLAccountID: string;
  CostCenterID?: string;
  Description: string;
  /** Decimal string with three places, e.g. "2.000". */
  Quantity: string;
  UnitPrice: string;
  NetAmount: string;
  TaxCode: string;
  /** Percent, e.g. "19.00". */
  TaxRate: string;
  TaxAmount: string;
}

export interface ErpInvoice {
  InvoiceID: string;
  VendorID: string;
  CompanyCode: string;
  DocumentDate: string;
  PostingDate: string;
  DueDate?: string;
  Currency: string;
  /** NetAmount = Σ line NetAmount; TaxAmount = Σ line TaxAmount; GrossAmount = Net + Tax (exactly). */
  NetAmount: string;
  TaxAmount: string;
  GrossAmount: string;
  /** Parked, Posted, Paid, Cancelled; sometimes upper case. */
  Status: string;
  Reference?: string;
  LastChangeDateTime: string;
  /** Served only with `$expand=Lines`; always part of the ground truth. */
  Lines: ErpInvoiceLine[];
}

export interface ErpCostCenter {
  CostCenterID: string;
  Name: string;
  ControllingArea: string;
  CompanyCode: string;
  ValidFrom: string;
  ValidTo: string;
  PersonResponsible?: string;
  IsBlocked: boolean;
  LastChangeDateTime: string;
}

export interface ErpGLAccount {
  GLAccountID: string;
  Name: string;
  /** "X" balance sheet, "P" primary cost/revenue, "N" non-operating. */
  AccountType: string;
  ChartOfAccounts: string;
  IsBlocked: boolean;
  LastChangeDateTime: string;
}

/** SAP-style exchange rate (TCURR): units of ToCurrency per one FromCurrency, valid from a date. */
export interface ErpExchangeRate {
  RateID: string;
  ExchangeRateType: string;
  FromCurrency: string;
  ToCurrency: string;
  ValidFromDate: string;
  ExchangeRate: string;
  LastChangeDateTime: string;
}

export type ErpResourceName = 'vendors' | 'invoices' | 'costCenters' | 'glAccounts' | 'exchangeRates';
export const erpResourceNames: readonly ErpResourceName[] = [
  'vendors',
  'invoices',
  'costCenters',
  'glAccounts',
  'exchangeRates',
];

/** OData entity set, key property and resource name of each resource. */
export const erpEntitySets: Record<string, { resource: ErpResourceName; key: string }> = {
  Vendors: { resource: 'vendors', key: 'VendorID' },
  Invoices: { resource: 'invoices', key: 'InvoiceID' },
  CostCenters: { resource: 'costCenters', key: 'CostCenterID' },
  GLAccounts: { resource: 'glAccounts', key: 'GLAccountID' },
  ExchangeRates: { resource: 'exchangeRates', key: 'RateID' },
};
