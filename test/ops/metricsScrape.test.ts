import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../platform/ops/metricsScrape.js';

describe('parsePrometheusText', () => {
  it('reads samples with labels, escapes included, and filters by name', () => {
    const body = [
      '# HELP tributary_connector_circuit_state Circuit',
      '# TYPE tributary_connector_circuit_state gauge',
      'tributary_connector_circuit_state{source="hr",endpoint="/v1/\\"workers\\""} 2',
      'tributary_sink_paused_partitions 3',
      'tributary_other 1 1700000000000',
    ].join('\n');
    expect(
      parsePrometheusText(
        body,
        new Set(['tributary_connector_circuit_state', 'tributary_sink_paused_partitions']),
      ),
    ).toEqual([
      {
        name: 'tributary_connector_circuit_state',
        labels: { source: 'hr', endpoint: '/v1/"workers"' },
        value: 2,
      },
      { name: 'tributary_sink_paused_partitions', labels: {}, value: 3 },
    ]);
    expect(parsePrometheusText(body)).toHaveLength(3);
  });
});
