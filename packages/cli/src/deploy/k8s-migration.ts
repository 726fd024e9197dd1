import { createHash } from 'node:crypto';
import type { K8sDeployOptions } from './deploy-options';
import {
  CONTAINER_SECURITY,
  type K8sObject,
  labelsFor,
  metadataFor,
  POD_SECURITY,
  secretEnv,
} from './k8s-object';

// The ordering: the Job runs `kestrion migrate`; every worker pod starts with an init container
// that runs `kubectl wait --for=condition=complete job/<the Job>`, so no worker opens the store
// before its schema is current. A Job's pod template cannot be changed in place, so the Job is
// named after a hash of its spec: a new image (or secret, or namespace) is a new Job, and the
// Deployment that waits for it changes with it, which rolls the workers once the Job completes.

/** How long a worker's init container waits for the migration before it fails (and is retried). */
export const MIGRATION_WAIT = '10m';
/** How long the migration may run before Kubernetes stops it. */
export const MIGRATION_DEADLINE_SECONDS = 600;

export interface MigrationObjects {
  job: K8sObject;
  /** The worker pods' identity; only their init container gets its token, to read Jobs and nothing else. */
  serviceAccount: K8sObject;
  role: K8sObject;
  roleBinding: K8sObject;
  /** The worker pods' init container. */
  waitContainer: Record<string, unknown>;
  /** The volume that gives only that init container an API token (the worker itself gets none). */
  tokenVolume: Record<string, unknown>;
}

export function migrationObjects(options: K8sDeployOptions): MigrationObjects {
  const spec = {
    backoffLimit: 4,
    activeDeadlineSeconds: MIGRATION_DEADLINE_SECONDS,
    template: {
      metadata: { labels: labelsFor(options, 'migrate') },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        securityContext: POD_SECURITY,
        containers: [
          {
            name: 'migrate',
            image: options.image,
            command: ['kestrion', 'migrate'],
            env: secretEnv(options).slice(0, 1), // the store URL only
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
            securityContext: CONTAINER_SECURITY,
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    },
  };
  const jobName = `${options.name}-migrate-${shortHash(spec)}`;
  const account = `${options.name}-worker`;
  const reader = `${options.name}-wait-for-migration`;
  const job: K8sObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadataFor(options, jobName, 'migrate'),
    spec,
  };
  const serviceAccount: K8sObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadataFor(options, account, 'worker'),
    automountServiceAccountToken: false,
  };
  const role: K8sObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: metadataFor(options, reader, 'worker'),
    rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }],
  };
  const roleBinding: K8sObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadataFor(options, reader, 'worker'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: reader },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace: options.namespace }],
  };
  const waitContainer = {
    name: 'wait-for-migration',
    image: options.kubectlImage,
    // The image's entrypoint is kubectl (registry.k8s.io/kubectl, bitnami/kubectl).
    args: [
      'wait',
      '--for=condition=complete',
      `--timeout=${MIGRATION_WAIT}`,
      '-n',
      options.namespace,
      `job/${jobName}`,
    ],
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [
      { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
  };
  // What automountServiceAccountToken would mount in every container, mounted in one.
  const tokenVolume = {
    name: 'kube-api-access',
    projected: {
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  };
  return { job, serviceAccount, role, roleBinding, waitContainer, tokenVolume };
}

function shortHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 10);
}
