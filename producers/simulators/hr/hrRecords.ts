/**
 * Record shapes the HR simulator serves (BambooHR/Workday style, deliberately messy). Optional
 * properties are sometimes absent; extra properties sometimes appear. Every value is as the API
 * sends it: dates and amounts are strings in mixed formats, codes in mixed case.
 */
export interface HrCompensation {
  /** Amount string: "85000.50", "85,000.50" or "85.000,50" (JPY without decimals). */
  amount: string;
  /** ISO 4217 code in varying case: "EUR", "eur", "Eur". */
  currency: string;
  /** annual | monthly | biweekly | hourly, sometimes capitalised or upper case. */
  payFrequency: string;
}

export interface HrWorker {
  id: string;
  firstName: string;
  lastName: string;
  preferredName?: string;
  workEmail?: string;
  phone?: string;
  /** "DE", "DEU", "Germany", "germany" or "de". */
  country: string;
  location: string;
  jobId: string;
  jobTitle: string;
  departmentId: string;
  managerId: string | null;
  costCenter?: string;
  /** "Active", "active", "On Leave", "Terminated". */
  status: string;
  /** "2021-03-04", "03/04/2021" (month first), "2021-03-04T00:00:00+01:00" or "04.03.2021". */
  hireDate: string;
  terminationDate?: string | null;
  compensation: HrCompensation;
  legacyId?: string;
  customFields?: Record<string, string>;
  /** Last change, ISO 8601 UTC with milliseconds: the cursor field. */
  updatedAt: string;
}

export interface HrOrgUnit {
  id: string;
  name: string;
  parentId: string | null;
  managerId?: string;
  costCenter?: string;
  /** true, false, "Y" or "N". */
  active: boolean | string;
  updatedAt: string;
}

export interface HrJob {
  id: string;
  title: string;
  jobFamily: string;
  level: string;
  /** FLSA exempt: true/false or "Y"/"N". */
  exempt?: boolean | string;
  updatedAt: string;
}

export type HrResourceName = 'workers' | 'orgUnits' | 'jobs';
export const hrResourceNames: readonly HrResourceName[] = ['workers', 'orgUnits', 'jobs'];
