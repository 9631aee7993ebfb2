import { describe, expect, it } from 'vitest';
import { cdcSettingsFromEnv } from '../../../producers/cdc/cdcSettings.js';

describe('cdcSettingsFromEnv', () => {
  it('parses tables and per-table column policies', () => {
    const settings = cdcSettingsFromEnv({
      CDC_SOURCE: 'payroll',
      CDC_TABLES: 'payroll.employees, payroll.bank_details',
      CDC_COLUMNS: '{"payroll.bank_details":{"reveal":["account_number"]}}',
      CDC_HEARTBEAT_MS: '2000',
    });
    expect(settings).toEqual({
      source: 'payroll',
      tables: [{ table: 'payroll.employees' }, { table: 'payroll.bank_details', reveal: ['account_number'] }],
      heartbeatIntervalMs: 2000,
    });
  });

  it('reports every bad setting by name', () => {
    expect(() => cdcSettingsFromEnv({ CDC_SOURCE: 'bad name', CDC_COLUMNS: '{' })).toThrow(
      /CDC_SOURCE.*CDC_TABLES.*CDC_COLUMNS|CDC_SOURCE.*CDC_COLUMNS.*CDC_TABLES/,
    );
    expect(() =>
      cdcSettingsFromEnv({ CDC_SOURCE: 'p', CDC_TABLES: 'a.b', CDC_COLUMNS: '{"x.y":{}}' }),
    ).toThrow(/not in CDC_TABLES: x.y/);
  });
});
