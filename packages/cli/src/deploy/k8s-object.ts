import type { K8sDeployOptions } from './deploy-options';

/** A Kubernetes object as plain JSON, written out as one YAML document. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: K8sMetadata;
  [field: string]: unknown;
}

export interface K8sMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The port the worker serves /healthz, /readyz and /metrics on (`kestrion worker --metrics-port`). */
export const METRICS_PORT = 9464;

/**
 * The Worker's default `shutdownGraceMs` (30 s, docs/scheduler.md): on SIGTERM the steps in flight
 * get this long to finish and hand their leases back.
 */
export const WORKER_SHUTDOWN_GRACE_SECONDS = 30;
/** Beyond the grace: closing the store and the probe server, and the process exiting. */
export const TERMINATION_MARGIN_SECONDS = 15;

/** The labels every object carries; `component` tells the worker from the migration. */
export function labelsFor(options: K8sDeployOptions, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': options.name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'kestrion',
    'app.kubernetes.io/managed-by': 'kestrion-deploy',
  };
}

/** What a selector matches on: the stable subset of {@link labelsFor}. */
export function selectorFor(options: K8sDeployOptions, component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': options.name, 'app.kubernetes.io/component': component };
}

export function metadataFor(options: K8sDeployOptions, name: string, component: string): K8sMetadata {
  return { name, namespace: options.namespace, labels: labelsFor(options, component) };
}

/** `KESTRION_STORE` and the provider keys, each a secretKeyRef: the manifests never hold a value. */
export function secretEnv(options: K8sDeployOptions): Record<string, unknown>[] {
  return [
    {
      name: 'KESTRION_STORE',
      valueFrom: { secretKeyRef: { name: options.storeSecret.name, key: options.storeSecret.key } },
    },
    ...options.providerEnv.map((variable) => ({
      name: variable,
      // optional: a worker on one provider runs without the other's key.
      valueFrom: { secretKeyRef: { name: options.providerSecret, key: variable, optional: true } },
    })),
  ];
}

/** Non-root, no privilege escalation, no capabilities, read-only root: the `restricted` Pod Security level. */
export const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
} as const;

/** The image's `node` user (uid 1000 in node:20-slim). */
export const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;
