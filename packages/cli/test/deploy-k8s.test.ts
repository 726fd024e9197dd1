import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import type { CliState } from '../src/command-context';
import { registerDeployCommand } from '../src/commands/deploy';
import { WORKER_SHUTDOWN_GRACE_SECONDS } from '../src/deploy/k8s-object';

// `kestrion deploy --target k8s` run through its commander registration, its output read back as
// YAML and held against the Kubernetes API: kubernetes-models' JSON schemas for values, and the
// API types of @kubernetes/client-node for field names (the schemas accept unknown fields).

const STORE_URL = 'postgres://kestrion:pw-9f3e1c77@db.internal:5432/agents';
const API_KEY = 'sk-ant-fake-0123456789abcdef';
const OPENAI_KEY = 'sk-proj-fake-fedcba9876543210';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** The classes that validate each kind we write: an allow-list of apiVersions too. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'batch/v1/Job': Job,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** client-node's generated models: for each class, its JSON field names and their types. */
type TypeMap = Record<string, { name: string; type: string }[]>;
let typeMap: TypeMap;

/** Every field of `value` that the API type `type` does not have, or whose value has the wrong type. */
function fieldProblems(value: Json, type: string, path: string): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return [`${path}: expected an array (${type})`];
    return value.flatMap((v, i) => fieldProblems(v, array[1] as string, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return [`${path}: expected a map`];
    return Object.entries(value).flatMap(([k, v]) => fieldProblems(v, map[1] as string, `${path}.${k}`));
  }
  switch (type) {
    case 'string':
    case 'Date':
      return typeof value === 'string' ? [] : [`${path}: expected a string`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    case 'IntOrString':
      return typeof value === 'string' || Number.isInteger(value)
        ? []
        : [`${path}: expected an int or string`];
    case 'any':
    case 'object':
      return [];
  }
  const fields = typeMap[type];
  if (!fields) return [`${path}: no API type ${type} in @kubernetes/client-node`];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path}: expected a ${type}`];
  return Object.entries(value).flatMap(([key, v]) => {
    const field = fields.find((f) => f.name === key);
    return field
      ? fieldProblems(v, field.type, `${path}.${key}`)
      : [`${path}.${key}: ${type} has no field ${key}`];
  });
}

/** The client-node class of a top-level object: `apps/v1` Deployment is V1Deployment. */
function rootType(object: Obj): string {
  const version = String(object.apiVersion).split('/').pop() as string;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${String(object.kind)}`;
}

function apiProblems(object: Obj): string[] {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const Model = MODELS[key];
  if (!Model) return [`${key} is not an API we write`];
  const problems: string[] = [];
  try {
    new Model(object as never).validate();
  } catch (error) {
    problems.push(`${key}: ${(error as Error).message}`);
  }
  return [...problems, ...fieldProblems(object, rootType(object), key)];
}

interface Generated {
  dir: string;
  code: number;
  stdout: string;
  stderr: string;
  /** file name -> text */
  files: Map<string, string>;
  /** YAML file name -> its one object */
  objects: Map<string, Obj>;
}

const work = mkdtempSync(join(tmpdir(), 'kestrion-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `kestrion deploy <args>` in a fresh project folder (or `dir`), with secrets in the environment. */
async function deploy(args: string[], dir = mkdtempSync(join(work, 'p-'))): Promise<Generated> {
  let stdout = '';
  let stderr = '';
  const state: CliState = {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: process.env,
    },
    exitCode: 0,
  };
  const program = new Command('kestrion').exitOverride();
  registerDeployCommand(program, state);
  const saved = { ...process.env };
  const cwd = process.cwd();
  Object.assign(process.env, {
    KESTRION_STORE: STORE_URL,
    ANTHROPIC_API_KEY: API_KEY,
    OPENAI_API_KEY: OPENAI_KEY,
  });
  process.chdir(dir);
  try {
    await program.parseAsync(['deploy', ...args], { from: 'user' });
  } finally {
    process.chdir(cwd);
    process.env = saved;
  }
  const out = join(dir, 'k8s');
  const files = new Map<string, string>();
  const objects = new Map<string, Obj>();
  if (state.exitCode === 0)
    for (const f of readdirSync(out)) {
      const text = readFileSync(join(out, f), 'utf8');
      files.set(f, text);
      if (!f.endsWith('.yaml')) continue;
      const docs = parseAllDocuments(text);
      expect(Array.isArray(docs) && docs.length).toBe(1); // one object per file
      objects.set(f, (docs as { toJS(): Obj }[])[0]!.toJS());
    }
  return { dir, code: state.exitCode, stdout, stderr, files, objects };
}

const byKind = (g: Generated, kind: string): Obj[] => [...g.objects.values()].filter((o) => o.kind === kind);
const one = (g: Generated, kind: string): Obj => {
  const all = byKind(g, kind);
  expect(all).toHaveLength(1);
  return all[0]!;
};
const at = (value: Json | undefined, ...path: (string | number)[]): Json | undefined =>
  path.reduce<Json | undefined>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, Json>)[k as string] : undefined),
    value,
  );

describe('kestrion deploy --target k8s', () => {
  let full: Generated;
  let fixed: Generated;

  beforeAll(async () => {
    const script =
      "import * as k from '@kubernetes/client-node'; const out = {};" +
      'for (const [n, c] of Object.entries(k)) if (c && Array.isArray(c.attributeTypeMap))' +
      ' out[n] = c.attributeTypeMap.map((a) => ({ name: a.baseName, type: a.type }));' +
      'process.stdout.write(JSON.stringify(out));';
    // client-node 1.x is an ES module: read its type map in a plain node process.
    typeMap = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: __dirname,
        encoding: 'utf8',
      }),
    ) as TypeMap;
    full = await deploy([
      '--target',
      'k8s',
      '--image',
      'ghcr.io/acme/agents:1.4.0',
      '--namespace',
      'agents',
      '--hpa',
      '2:10',
      '--module',
      'dist/billing.js',
      '--module',
      'dist/support.js',
    ]);
    fixed = await deploy([
      '--target',
      'k8s',
      '--image',
      'registry.example.com:5000/ops/agent:2',
      '--replicas',
      '3',
    ]);
  });

  it('writes one YAML file per object, each of a kind and apiVersion it means to', () => {
    expect(full.code).toBe(0);
    expect([...full.objects.values()].map((o) => `${String(o.apiVersion)}/${String(o.kind)}`).sort()).toEqual(
      Object.keys(MODELS).sort(),
    );
    expect(fixed.code).toBe(0);
    expect(byKind(fixed, 'HorizontalPodAutoscaler')).toHaveLength(0);
  });

  it('passes the Kubernetes schemas (kubernetes-models) and uses only fields the API types have (client-node)', () => {
    for (const g of [full, fixed])
      for (const [file, object] of g.objects)
        expect({ file, problems: apiProblems(object) }).toEqual({ file, problems: [] });
  });

  it('catches what it checks: a misspelt field, a wrong value type, an unknown kind', () => {
    const deployment = structuredClone(one(full, 'Deployment'));
    (deployment.spec as Obj).replicaz = 2;
    (at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Obj).imagePullPolicyy = 'Always';
    expect(apiProblems(deployment).sort()).toEqual([
      'apps/v1/Deployment.spec.replicaz: V1DeploymentSpec has no field replicaz',
      'apps/v1/Deployment.spec.template.spec.containers[0].imagePullPolicyy: V1Container has no field imagePullPolicyy',
    ]);
    const service = structuredClone(one(full, 'Service'));
    (at(service, 'spec', 'ports', 0) as Obj).port = '9464';
    expect(apiProblems(service).join('\n')).toMatch(
      /port must be integer[\s\S]*ports\[0\]\.port: expected a number/,
    );
    expect(
      apiProblems({ apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'x' } }),
    ).toEqual(['extensions/v1beta1/Deployment is not an API we write']);
  });

  it('writes no secret value: the store URL and provider keys are secretKeyRefs, and no Secret object exists', () => {
    for (const g of [full, fixed]) {
      const all = [...g.files.values(), g.stdout, g.stderr].join('\n');
      for (const secret of [STORE_URL, 'pw-9f3e1c77', 'db.internal', API_KEY, OPENAI_KEY])
        expect(all).not.toContain(secret);
      expect(byKind(g, 'Secret')).toHaveLength(0);
      const containers = [...byKind(g, 'Deployment'), ...byKind(g, 'Job')].flatMap((o) => [
        ...((at(o, 'spec', 'template', 'spec', 'containers') as Obj[]) ?? []),
        ...((at(o, 'spec', 'template', 'spec', 'initContainers') as Obj[]) ?? []),
      ]);
      const sensitive = containers.flatMap((c) =>
        ((c.env as Obj[] | undefined) ?? []).filter((e) => /STORE|KEY/.test(String(e.name))),
      );
      expect(sensitive.map((e) => e.name).sort()).toEqual(
        ['ANTHROPIC_API_KEY', 'KESTRION_STORE', 'KESTRION_STORE', 'OPENAI_API_KEY'].sort(),
      );
      for (const e of sensitive) {
        expect(e.value).toBeUndefined();
        expect(at(e, 'valueFrom', 'secretKeyRef', 'name')).toEqual(expect.any(String));
      }
    }
    const store = at(one(full, 'Job'), 'spec', 'template', 'spec', 'containers', 0, 'env', 0);
    expect(store).toEqual({
      name: 'KESTRION_STORE',
      valueFrom: { secretKeyRef: { name: 'kestrion-store', key: 'url' } },
    });
  });

  it('runs `kestrion worker <modules>` with probes on the metrics port and a grace period past the worker shutdown grace', () => {
    const deployment = one(full, 'Deployment');
    const pod = at(deployment, 'spec', 'template', 'spec') as Obj;
    const worker = at(pod, 'containers', 0) as Obj;
    expect(worker.image).toBe('ghcr.io/acme/agents:1.4.0');
    expect([...(worker.command as string[]), ...(worker.args as string[])].slice(0, 6)).toEqual([
      'kestrion',
      'worker',
      'dist/billing.js',
      'dist/support.js',
      '--metrics-port',
      '9464',
    ]);
    expect(worker.ports).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    expect(at(worker, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'metrics' });
    expect(at(worker, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'metrics' });
    expect(at(worker, 'resources', 'requests')).toEqual({ cpu: '250m', memory: '256Mi' });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(WORKER_SHUTDOWN_GRACE_SECONDS);
    expect(WORKER_SHUTDOWN_GRACE_SECONDS).toBe(30); // the Worker's default shutdownGraceMs
    expect(at(pod, 'securityContext', 'runAsNonRoot')).toBe(true);
    // the concurrency comes from the ConfigMap, which the container reads
    const config = one(full, 'ConfigMap');
    expect(worker.args).toContain('$(KESTRION_WORKER_CONCURRENCY)');
    expect(at(config, 'data', 'KESTRION_WORKER_CONCURRENCY')).toBe('16');
    expect(at(worker, 'envFrom', 0, 'configMapRef', 'name')).toBe(at(config, 'metadata', 'name'));
  });

  it('starts no worker before the migration Job completes: an init container waits for that Job', () => {
    const job = one(full, 'Job');
    expect(at(job, 'spec', 'template', 'spec', 'containers', 0, 'command')).toEqual(['kestrion', 'migrate']);
    const pod = at(one(full, 'Deployment'), 'spec', 'template', 'spec') as Obj;
    const wait = at(pod, 'initContainers', 0) as Obj;
    expect(wait.args).toEqual([
      'wait',
      '--for=condition=complete',
      '--timeout=10m',
      '-n',
      'agents',
      `job/${String(at(job, 'metadata', 'name'))}`,
    ]);
    // the pod's identity may read Jobs, and only the init container holds its token
    const binding = one(full, 'RoleBinding');
    expect(at(binding, 'subjects', 0, 'name')).toBe(pod.serviceAccountName);
    expect(at(binding, 'roleRef', 'name')).toBe(at(one(full, 'Role'), 'metadata', 'name'));
    expect(at(one(full, 'Role'), 'rules')).toEqual([
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(JSON.stringify(at(pod, 'containers', 0, 'volumeMounts'))).not.toContain('serviceaccount');
    // a new image is a new Job (a Job's template cannot change in place)
    expect(at(one(fixed, 'Job'), 'metadata', 'name')).not.toBe(at(job, 'metadata', 'name'));
  });

  it('exposes the metrics port for Prometheus and scales with an autoscaling/v2 HPA that owns the replicas', () => {
    const service = one(full, 'Service');
    expect(at(service, 'metadata', 'annotations')).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9464',
      'prometheus.io/path': '/metrics',
    });
    const deployment = one(full, 'Deployment');
    const podLabels = at(deployment, 'spec', 'template', 'metadata', 'labels') as Obj;
    for (const [k, v] of Object.entries(at(service, 'spec', 'selector') as Obj)) expect(podLabels[k]).toBe(v);
    expect(at(service, 'spec', 'ports', 0, 'targetPort')).toBe('metrics');
    const hpa = one(full, 'HorizontalPodAutoscaler');
    expect(at(hpa, 'spec', 'scaleTargetRef')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: at(deployment, 'metadata', 'name'),
    });
    expect([at(hpa, 'spec', 'minReplicas'), at(hpa, 'spec', 'maxReplicas')]).toEqual([2, 10]);
    expect(at(deployment, 'spec', 'replicas')).toBeUndefined();
    expect(at(one(fixed, 'Deployment'), 'spec', 'replicas')).toBe(3);
    for (const o of full.objects.values()) expect(at(o, 'metadata', 'namespace')).toBe('agents');
  });

  it('writes a Dockerfile on node:20-slim that runs npm ci and the build, and runs as a non-root user', () => {
    const text = full.files.get('Dockerfile') as string;
    // instructions, with continuation lines joined and comments dropped
    const instructions = text
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const [op, ...rest] = l.split(/\s+/);
        return { op: (op as string).toUpperCase(), arg: rest.join(' ') };
      });
    const known = ['FROM', 'WORKDIR', 'RUN', 'COPY', 'ENV', 'USER', 'EXPOSE', 'ENTRYPOINT', 'CMD'];
    expect(instructions.filter((i) => !known.includes(i.op))).toEqual([]);
    const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.arg.split(' ')[0]);
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(f).toBe('node:20-slim');
    const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.arg);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    // the final stage: its last USER is not root
    const finalStage = instructions.slice(instructions.map((i) => i.op).lastIndexOf('FROM'));
    const user = finalStage.filter((i) => i.op === 'USER').pop()?.arg;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(/^\d+(:\d+)?$/.test(user as string) || user === 'node').toBe(true);
    expect(JSON.parse(finalStage.find((i) => i.op === 'ENTRYPOINT')!.arg)).toEqual(['kestrion']);
    expect(JSON.parse(finalStage.find((i) => i.op === 'CMD')!.arg)).toEqual([
      'worker',
      'dist/billing.js',
      'dist/support.js',
      '--metrics-port',
      '9464',
    ]);
    expect(finalStage.find((i) => i.op === 'EXPOSE')?.arg).toBe('9464');
    expect(full.files.get('Dockerfile.dockerignore')).toContain('node_modules');
    // no vendor/ in this project: nothing to copy before npm ci
    expect(text).not.toContain('vendor');
  });

  it('copies vendor/ before npm ci when the project installs packed tarballs (kestrion init --local)', async () => {
    const dir = mkdtempSync(join(work, 'v-'));
    mkdirSync(join(dir, 'vendor'));
    const g = await deploy(['--target', 'k8s', '--image', 'acme/agents:1'], dir);
    const text = g.files.get('Dockerfile') as string;
    expect(text.indexOf('COPY vendor/ ./vendor/')).toBeGreaterThan(-1);
    expect(text.indexOf('COPY vendor/ ./vendor/')).toBeLessThan(text.indexOf('npm ci'));
  });

  it('replaces its own files when run again, removes those it no longer writes, and leaves other files alone', async () => {
    const dir = mkdtempSync(join(work, 'r-'));
    await deploy(['--target', 'k8s', '--image', 'acme/agents:1', '--hpa', '1:3'], dir);
    writeFileSync(
      join(dir, 'k8s', 'zz-mine.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mine\n',
    );
    const again = await deploy(['--target', 'k8s', '--image', 'acme/agents:2'], dir);
    expect(again.code).toBe(0);
    expect(again.files.has('22-worker-hpa.yaml')).toBe(false);
    expect(again.files.has('zz-mine.yaml')).toBe(true);
    expect(again.stderr).toContain('removed k8s/22-worker-hpa.yaml');
  });

  it('prints the next steps and, with --json, one JSON document', async () => {
    expect(full.stdout).toContain('kubectl apply -f k8s/');
    expect(full.stderr).toContain('wrote k8s/20-worker-deployment.yaml');
    const g = await deploy(['--target', 'k8s', '--image', 'acme/agents:1', '--json']);
    const doc = JSON.parse(g.stdout) as { files: string[]; secrets: string[] };
    expect(doc.files).toHaveLength(9);
    expect(doc.secrets).toEqual(['kestrion-store', 'kestrion-providers']);
  });
});
