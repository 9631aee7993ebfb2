import {
  type CountryProfile,
  caseVariant,
  countries,
  countryVariant,
  type DateStyle,
  firstNames,
  formatAmount,
  formatDate,
  lastNames,
  pad,
  phoneVariant,
  randomDay,
} from '../messyFormats.js';
import { Prng } from '../prng.js';
import { seedTime } from '../seedTime.js';
import type { ResourceBehaviour } from '../simulatedResource.js';
import type { HrCompensation, HrJob, HrOrgUnit, HrWorker } from './hrRecords.js';

export interface HrCounts {
  readonly workers: number;
  readonly orgUnits: number;
  readonly jobs: number;
}

const workerId = (n: number): string => `W${pad(n + 1, 6)}`;
const orgUnitId = (n: number): string => `ORG${pad(n + 1, 5)}`;
const jobId = (n: number): string => `J${pad(n + 1, 5)}`;
const iso = (ms: number): string => new Date(ms).toISOString();

const hrDateStyles: readonly DateStyle[] = ['iso', 'iso', 'iso', 'us', 'us', 'isoOffset', 'dotted'];
const payFrequencies = ['annual', 'annual', 'annual', 'monthly', 'monthly', 'biweekly', 'hourly'] as const;
const jobFamilies = ['Engineering', 'Finance', 'Sales', 'Operations', 'People', 'Legal', 'Support'] as const;
const jobWords = ['Analyst', 'Engineer', 'Manager', 'Specialist', 'Director', 'Associate', 'Lead'] as const;
const regions = ['EMEA', 'Americas', 'APAC', 'Global', 'DACH', 'Nordics'] as const;

function costCenterVariant(prng: Prng, n: number): string {
  const code = pad(1000 + (n % 9000), 4);
  return prng.pick([`CC${code}`, `CC${code}`, `cc-${code}`, `CC-${code}`, code]);
}

function compensation(prng: Prng, country: CountryProfile, frequency?: string): HrCompensation {
  const payFrequency = frequency ?? prng.pick(payFrequencies);
  const annualMajor = prng.int(30_000, 250_000);
  // Minor units are integers throughout; only the division to a pay period rounds (to a whole unit).
  const scale = 10n ** BigInt(country.decimals);
  const annualMinor = BigInt(annualMajor) * scale + BigInt(prng.int(0, Number(scale) - 1));
  const periodMinor: Record<string, bigint> = {
    annual: annualMinor,
    monthly: annualMinor / 12n,
    biweekly: annualMinor / 26n,
    hourly: BigInt(prng.int(15, 150)) * scale + BigInt(prng.int(0, Number(scale) - 1)),
  };
  const style = prng.chance(0.3) ? 'plain' : country.amountStyle;
  const frequencyText = prng.chance(0.2) ? payFrequency.toUpperCase() : payFrequency;
  return {
    amount: formatAmount(periodMinor[payFrequency] ?? annualMinor, country.decimals, style),
    currency: caseVariant(prng, country.currency),
    payFrequency: prng.chance(0.1)
      ? frequencyText.charAt(0).toUpperCase() + payFrequency.slice(1)
      : frequencyText,
  };
}

function countryOf(prng: Prng): CountryProfile {
  return prng.pick(countries);
}

function buildWorker(prng: Prng, id: string, number: number, at: number, counts: HrCounts): HrWorker {
  const country = countryOf(prng);
  const first = prng.pick(firstNames);
  const last = prng.pick(lastNames);
  const hireDay = randomDay(prng, Date.UTC(2005, 0, 1), Date.UTC(2025, 11, 31));
  const terminated = prng.chance(0.08);
  const city = prng.pick(country.cities);
  const worker: HrWorker = {
    id,
    firstName: first,
    lastName: last,
    country: countryVariant(prng, country),
    location: prng.chance(0.5) ? city : `${city}, ${country.alpha2}`,
    jobId: jobId(prng.int(0, Math.max(0, counts.jobs - 1))),
    jobTitle: `${prng.pick(jobFamilies)} ${prng.pick(jobWords)}`,
    departmentId: orgUnitId(prng.int(0, Math.max(0, counts.orgUnits - 1))),
    managerId:
      number < 10 ? null : workerId(prng.int(0, Math.min(number - 1, Math.max(9, Math.floor(number / 10))))),
    status: terminated ? 'Terminated' : prng.pick(['Active', 'Active', 'Active', 'active', 'On Leave']),
    hireDate: formatDate(hireDay, prng.pick(hrDateStyles)),
    compensation: compensation(prng, country),
    updatedAt: iso(at),
  };
  if (prng.chance(0.3)) worker.preferredName = first.slice(0, 3);
  if (prng.chance(0.97)) {
    const email = `${first}.${last}${number}@example.com`.replace(/[^A-Za-z0-9.@]/g, '').toLowerCase();
    worker.workEmail = prng.chance(0.1) ? email.toUpperCase() : email;
  }
  if (prng.chance(0.9)) worker.phone = phoneVariant(prng, country);
  if (prng.chance(0.95)) worker.costCenter = costCenterVariant(prng, prng.int(0, 8999));
  if (terminated) {
    worker.terminationDate = formatDate(
      randomDay(prng, hireDay, Date.UTC(2025, 11, 31)),
      prng.pick(hrDateStyles),
    );
  } else if (prng.chance(0.5)) {
    worker.terminationDate = null;
  }
  if (prng.chance(0.1)) worker.legacyId = `EMP-${pad(prng.int(0, 99_999), 5)}`;
  if (prng.chance(0.1)) worker.customFields = { shirtSize: prng.pick(['S', 'M', 'L', 'XL']) };
  return worker;
}

function updateWorker(prng: Prng, current: HrWorker, at: number): HrWorker {
  const next: HrWorker = structuredClone(current);
  next.updatedAt = iso(at);
  const roll = prng.next();
  if (roll < 0.4) {
    next.compensation = compensation(prng, countryOf(prng), current.compensation.payFrequency.toLowerCase());
  } else if (roll < 0.6) {
    next.jobTitle = `${prng.pick(jobFamilies)} ${prng.pick(jobWords)}`;
    next.departmentId = `ORG${pad(prng.int(1, 99), 5)}`;
  } else if (roll < 0.75) {
    next.phone = phoneVariant(prng, countryOf(prng));
  } else if (roll < 0.9) {
    if (current.status === 'Terminated') {
      next.status = 'Active';
      next.terminationDate = null;
    } else {
      next.status = 'Terminated';
      next.terminationDate = formatDate(Math.floor(at / 86_400_000) * 86_400_000, prng.pick(hrDateStyles));
    }
  } else {
    next.location = prng.pick(countryOf(prng).cities);
  }
  return next;
}

/** The three HR resources for a seed; workers are the primary (mutated by default) resource. */
export function hrResources(
  seed: number,
  counts: HrCounts,
): [ResourceBehaviour<HrWorker>, ResourceBehaviour<HrOrgUnit>, ResourceBehaviour<HrJob>] {
  const workers: ResourceBehaviour<HrWorker> = {
    name: 'workers',
    count: counts.workers,
    primary: true,
    idFor: workerId,
    seedTime: (seq) => seedTime(seed, 'workers', seq),
    generate: (seq) =>
      buildWorker(
        Prng.derive(seed, `workers:${seq}`),
        workerId(seq),
        seq,
        seedTime(seed, 'workers', seq),
        counts,
      ),
    create: (prng, id, at) => buildWorker(prng, id, Number(id.slice(1)) - 1, at, counts),
    update: updateWorker,
  };

  const buildOrgUnit = (prng: Prng, id: string, n: number, at: number): HrOrgUnit => {
    const unit: HrOrgUnit = {
      id,
      name: `${prng.pick(jobFamilies)} ${prng.pick(regions)}`,
      parentId: n < 3 ? null : orgUnitId(prng.int(0, Math.floor(n / 3))),
      active: prng.pick([true, true, true, 'Y', false, 'N']),
      updatedAt: iso(at),
    };
    if (prng.chance(0.9)) unit.managerId = workerId(prng.int(0, Math.max(0, counts.workers - 1)));
    if (prng.chance(0.8)) unit.costCenter = costCenterVariant(prng, n);
    return unit;
  };
  const orgUnits: ResourceBehaviour<HrOrgUnit> = {
    name: 'orgUnits',
    count: counts.orgUnits,
    primary: false,
    idFor: orgUnitId,
    seedTime: (seq) => seedTime(seed, 'orgUnits', seq),
    generate: (seq) =>
      buildOrgUnit(
        Prng.derive(seed, `orgUnits:${seq}`),
        orgUnitId(seq),
        seq,
        seedTime(seed, 'orgUnits', seq),
      ),
    create: (prng, id, at) => buildOrgUnit(prng, id, Number(id.slice(3)) - 1, at),
    update: (prng, current, at) => ({
      ...current,
      name: `${prng.pick(jobFamilies)} ${prng.pick(regions)}`,
      updatedAt: iso(at),
    }),
  };

  const buildJob = (prng: Prng, id: string, at: number): HrJob => {
    const job: HrJob = {
      id,
      title: `${prng.pick(jobFamilies)} ${prng.pick(jobWords)}`,
      jobFamily: prng.pick(jobFamilies),
      level: prng.pick(['L1', 'L2', 'L3', 'L4', 'L5', 'M1', 'M2']),
      updatedAt: iso(at),
    };
    if (prng.chance(0.85)) job.exempt = prng.pick([true, false, 'Y', 'N']);
    return job;
  };
  const jobs: ResourceBehaviour<HrJob> = {
    name: 'jobs',
    count: counts.jobs,
    primary: false,
    idFor: jobId,
    seedTime: (seq) => seedTime(seed, 'jobs', seq),
    generate: (seq) => buildJob(Prng.derive(seed, `jobs:${seq}`), jobId(seq), seedTime(seed, 'jobs', seq)),
    create: buildJob,
    update: (prng, current, at) => ({
      ...current,
      level: prng.pick(['L1', 'L2', 'L3', 'L4', 'L5']),
      updatedAt: iso(at),
    }),
  };
  return [workers, orgUnits, jobs];
}
