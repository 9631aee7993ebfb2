import { describe, expect, it } from 'vitest';
import { formatAmount, formatDate } from '../../../producers/simulators/messyFormats.js';

describe('formatAmount', () => {
  it('writes minor units in plain, English and German styles', () => {
    expect(formatAmount(8_500_050n, 2, 'plain')).toBe('85000.50');
    expect(formatAmount(8_500_050n, 2, 'en')).toBe('85,000.50');
    expect(formatAmount(8_500_050n, 2, 'de')).toBe('85.000,50');
    expect(formatAmount(123_456_789n, 2, 'de')).toBe('1.234.567,89');
  });

  it('handles currencies without minor units, small and negative amounts', () => {
    expect(formatAmount(1_234_567n, 0, 'en')).toBe('1,234,567');
    expect(formatAmount(5n, 2, 'plain')).toBe('0.05');
    expect(formatAmount(-150n, 2, 'de')).toBe('-1,50');
    expect(formatAmount(1900n, 2, 'plain')).toBe('19.00');
  });
});

describe('formatDate', () => {
  const day = Date.UTC(2021, 2, 4);
  it('renders one calendar date in every style', () => {
    expect(formatDate(day, 'iso')).toBe('2021-03-04');
    expect(formatDate(day, 'us')).toBe('03/04/2021');
    expect(formatDate(day, 'isoOffset')).toBe('2021-03-04T00:00:00+01:00');
    expect(formatDate(day, 'dotted')).toBe('04.03.2021');
    expect(formatDate(day, 'compact')).toBe('20210304');
    expect(formatDate(day, 'odataLegacy')).toBe(`/Date(${day})/`);
  });
});
