// Validates what .ci/validate-deploy.sh rendered: every Kubernetes object against its schema
// (kubernetes-models; SecretProviderClass against a schema written here), the chart's own
// promises (probes, grace period, replicas), and the alert rules and dashboard: structure,
// PromQL that parses, and metric names that the code emits. Any problem fails the run; nothing
// is skipped. Run from the tools folder (bare imports resolve there):
//   node validateDeploy.mjs --repo <root> --manifests a.yaml[,b.yaml] --alerts f --dashboard f --pending f
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import Ajv from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

const { values } = parseArgs({
  options: {
    repo: { type: 'string' },
    manifests: { type: 'string' },
    alerts: { type: 'string' },
    dashboard: { type: 'string' },
    pending: { type: 'string' },
  },
});
for (const name of ['repo', 'manifests', 'alerts', 'dashboard', 'pending']) {
  if (!values[name]) throw new Error(`--${name} is required`);
}

const problems = [];
const fail = (where, message) => problems.push(`${where}: ${message}`);
let checked = 0;

// --- metric names the code emits -------------------------------------------------------------
function walk(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out;
}
const emitted = new Map(); // name -> kind
const defaultPrefixes = [];
for (const dir of ['platform', 'producers', 'processors', 'sinks', 'schemas']) {
  for (const file of walk(join(values.repo, dir))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/ensure(Counter|Gauge|Histogram)\(\s*[\w.]+,\s*'(tributary_[a-z0-9_]+)'/g)) {
      emitted.set(match[2], match[1]);
    }
    for (const match of text.matchAll(/collectDefaultMetrics\([^)]*prefix:\s*'(tributary_[a-z0-9_]+)'/g)) {
      defaultPrefixes.push(match[1]);
    }
  }
}
if (emitted.size < 10) fail('metrics', `found only ${emitted.size} metrics in the code; the scan is broken`);

const pending = new Map(
  readFileSync(values.pending, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, ...why] = line.split(/\s+/);
      return [name, why.join(' ')];
    }),
);
for (const [name] of pending) {
  if (emitted.has(name)) fail(values.pending, `${name} is emitted by the code now: remove it from the pending list`);
}

function metricExists(name) {
  if (emitted.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  if (base !== name && emitted.get(base) === 'Histogram') return true;
  return defaultPrefixes.some((prefix) => name.startsWith(prefix));
}

const pendingUsed = new Set();
function checkPromql(where, expr) {
  checked++;
  const tree = promqlParser.parse(expr);
  let error;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error === undefined) error = node.from;
    },
  });
  if (error !== undefined) fail(where, `PromQL does not parse near "${expr.slice(error, error + 30)}"`);
  const names = new Set();
  tree.iterate({
    enter(node) {
      if (node.name === 'VectorSelector') {
        const text = expr.slice(node.from, node.to);
        const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text)?.[0];
        if (name) names.add(name);
      }
    },
  });
  const tributary = [...names].filter((name) => name.startsWith('tributary_'));
  if (tributary.length === 0) fail(where, 'references no tributary_* metric');
  for (const name of tributary) {
    if (metricExists(name)) continue;
    if (pending.has(name)) pendingUsed.add(name);
    else fail(where, `metric ${name} is not emitted anywhere in the code`);
  }
}

// --- Kubernetes objects ------------------------------------------------------------------------
const ajv = new Ajv({ allErrors: true, strict: false });
const validateSecretProviderClass = ajv.compile({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    metadata: { type: 'object', required: ['name'] },
    spec: {
      type: 'object',
      required: ['provider', 'parameters'],
      additionalProperties: false,
      properties: {
        provider: { enum: ['aws', 'azure', 'gcp', 'vault'] },
        parameters: {
          type: 'object',
          required: ['objects'],
          additionalProperties: { type: 'string' },
        },
        secretObjects: {
          type: 'array',
          items: {
            type: 'object',
            required: ['secretName', 'type', 'data'],
            additionalProperties: false,
            properties: {
              secretName: { type: 'string', minLength: 1 },
              type: { type: 'string' },
              labels: { type: 'object' },
              annotations: { type: 'object' },
              data: {
                type: 'array',
                minItems: 1,
                items: {
                  type: 'object',
                  required: ['objectName', 'key'],
                  additionalProperties: false,
                  properties: { objectName: { type: 'string' }, key: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
  },
});
const models = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'external-secrets.io/v1/ExternalSecret': ExternalSecret,
};

function checkDeployment(where, object, config) {
  const pod = object.spec.template.spec;
  const container = pod.containers[0];
  if (container?.readinessProbe?.httpGet?.path !== '/readyz') fail(where, 'readiness probe must be GET /readyz');
  if (container?.livenessProbe?.httpGet?.path !== '/healthz') fail(where, 'liveness probe must be GET /healthz');
  const graceMs = Number(config?.data?.SHUTDOWN_GRACE_MS);
  if (!Number.isFinite(graceMs)) fail(where, 'SHUTDOWN_GRACE_MS missing from the ConfigMap');
  else if (!(pod.terminationGracePeriodSeconds > Math.ceil(graceMs / 1000)))
    fail(where, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} leaves no margin over SHUTDOWN_GRACE_MS ${graceMs}`);
  const port = Number(config?.data?.METRICS_PORT);
  if (!container?.ports?.some((p) => p.containerPort === port)) fail(where, `metrics port ${port} not exposed`);
  if (!container?.envFrom?.some((source) => source.secretRef)) fail(where, 'secrets must come through envFrom secretRef');
}

for (const file of values.manifests.split(',')) {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  const objects = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      fail(file, `YAML error: ${document.errors[0].message}`);
      continue;
    }
    const object = document.toJS();
    if (object !== null && object !== undefined) objects.push(object);
  }
  if (objects.length === 0) fail(file, 'rendered no objects');
  const config = objects.find((object) => object.kind === 'ConfigMap' && object.metadata?.name?.endsWith('-env'));
  const deployments = new Map();
  for (const object of objects) {
    const id = `${object.apiVersion}/${object.kind}`;
    const where = `${file} ${object.kind}/${object.metadata?.name}`;
    checked++;
    if (id === 'secrets-store.csi.x-k8s.io/v1/SecretProviderClass') {
      if (!validateSecretProviderClass(object)) fail(where, ajv.errorsText(validateSecretProviderClass.errors));
      continue;
    }
    const Model = models[id];
    if (!Model) {
      fail(where, `no schema for ${id}: add one to deploy/validate/validateDeploy.mjs before rendering it`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      fail(where, error.message.split('\n')[0]);
      continue;
    }
    if (object.kind === 'Deployment') {
      deployments.set(object.metadata.name, object);
      checkDeployment(where, object, config);
    }
  }
  for (const object of objects) {
    const where = `${file} ${object.kind}/${object.metadata?.name}`;
    if (object.kind === 'ScaledObject') {
      const target = deployments.get(object.spec.scaleTargetRef.name);
      if (!target) fail(where, `scales ${object.spec.scaleTargetRef.name}, which is not rendered`);
      else if (target.spec.replicas !== undefined)
        fail(where, 'the scaled Deployment sets spec.replicas: helm upgrades would fight the autoscaler');
      for (const trigger of object.spec.triggers) {
        if (trigger.type === 'prometheus') checkPromql(`${where} trigger`, trigger.metadata.query);
        if (trigger.type === 'kafka' && trigger.metadata.allowIdleConsumers !== 'false')
          fail(where, 'kafka trigger must not allow idle consumers (replicas <= partitions)');
      }
    }
    if (object.kind === 'PodDisruptionBudget') {
      const component = object.spec.selector.matchLabels['app.kubernetes.io/component'];
      const covered = [...deployments.values()].some(
        (deployment) => deployment.spec.selector.matchLabels['app.kubernetes.io/component'] === component,
      );
      if (!covered) fail(where, `selects component ${component}, which has no Deployment`);
    }
  }
  for (const [name, deployment] of deployments) {
    const component = deployment.spec.selector.matchLabels['app.kubernetes.io/component'];
    const pdb = objects.some(
      (object) =>
        object.kind === 'PodDisruptionBudget' && object.spec.selector.matchLabels['app.kubernetes.io/component'] === component,
    );
    if (!pdb) fail(`${file} Deployment/${name}`, 'has no PodDisruptionBudget');
  }
}

// --- alert rules ---------------------------------------------------------------------------------
const requiredAlerts = [
  'TributaryProcessorLagGrowing',
  'TributarySinkLagGrowing',
  'TributaryProcessorDeadLetters',
  'TributarySourceCircuitOpen',
  'TributarySinkDatabaseCircuitOpen',
  'TributarySourceFreshnessBreached',
  'TributaryReconciliationDrift',
  'TributaryWalRetentionHigh',
];
const validateRules = ajv.compile({
  type: 'object',
  required: ['groups'],
  additionalProperties: false,
  properties: {
    groups: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'rules'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          interval: { type: 'string', pattern: '^[0-9]+[smhd]$' },
          rules: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['alert', 'expr', 'labels', 'annotations'],
              additionalProperties: false,
              properties: {
                alert: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*$' },
                expr: { type: 'string', minLength: 1 },
                for: { type: 'string', pattern: '^[0-9]+[smhd]$' },
                keep_firing_for: { type: 'string' },
                labels: {
                  type: 'object',
                  required: ['severity'],
                  properties: { severity: { enum: ['info', 'warning', 'critical'] } },
                },
                annotations: {
                  type: 'object',
                  required: ['summary', 'runbook'],
                  additionalProperties: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  },
});
const rules = parseYaml(readFileSync(values.alerts, 'utf8'));
if (!validateRules(rules)) fail(values.alerts, ajv.errorsText(validateRules.errors));
else {
  const names = new Set();
  for (const group of rules.groups) {
    for (const rule of group.rules) {
      if (names.has(rule.alert)) fail(values.alerts, `alert ${rule.alert} is defined twice`);
      names.add(rule.alert);
      checkPromql(`${values.alerts} ${rule.alert}`, rule.expr);
    }
  }
  for (const name of requiredAlerts) if (!names.has(name)) fail(values.alerts, `missing alert ${name}`);
}

// --- dashboard -------------------------------------------------------------------------------------
const dashboard = JSON.parse(readFileSync(values.dashboard, 'utf8'));
for (const key of ['uid', 'title', 'schemaVersion', 'panels']) {
  if (dashboard[key] === undefined) fail(values.dashboard, `missing ${key}`);
}
const ids = new Set();
for (const panel of dashboard.panels ?? []) {
  if (ids.has(panel.id)) fail(values.dashboard, `panel id ${panel.id} repeats`);
  ids.add(panel.id);
  if (panel.type === 'row') continue;
  if (!panel.targets?.length) fail(values.dashboard, `panel "${panel.title}" has no query`);
  for (const target of panel.targets ?? []) {
    // Grafana variables are substituted before Prometheus sees the query.
    checkPromql(`${values.dashboard} "${panel.title}"`, target.expr.replaceAll('$namespace', '.*'));
  }
}

for (const name of pendingUsed) {
  process.stdout.write(`PENDING: ${name} is referenced but not emitted yet (${pending.get(name)}); its alert/panel stays empty until it is\n`);
}
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`FAIL ${problem}\n`);
  process.stderr.write(`validate-deploy: ${problems.length} problem(s)\n`);
  process.exit(1);
}
process.stdout.write(`validate-deploy: ${checked} objects/expressions valid; ${emitted.size} metrics known from the code\n`);
