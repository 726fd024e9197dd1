import type { K8sDeployOptions } from './deploy-options';
import {
  CONTAINER_SECURITY,
  type K8sObject,
  labelsFor,
  metadataFor,
  METRICS_PORT,
  POD_SECURITY,
  secretEnv,
  selectorFor,
  TERMINATION_MARGIN_SECONDS,
  WORKER_SHUTDOWN_GRACE_SECONDS,
} from './k8s-object';
import type { MigrationObjects } from './k8s-migration';

/** ConfigMap keys the worker reads (as environment variables). */
export const CONFIG_KEYS = {
  concurrency: 'KESTRION_WORKER_CONCURRENCY',
  manifest: 'KESTRION_MANIFEST',
} as const;

/** Settings that are not secret: tune them here instead of in the Deployment. */
export function workerConfigMap(options: K8sDeployOptions): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadataFor(options, `${options.name}-config`, 'worker'),
    data: {
      NODE_ENV: 'production',
      NODE_OPTIONS: '--enable-source-maps',
      // Where @kestrion/agent looks for the manifest when a module passes none.
      [CONFIG_KEYS.manifest]: '/app/kestrion.manifest.json',
      [CONFIG_KEYS.concurrency]: String(options.concurrency),
    },
  };
}

/**
 * The workers: `kestrion worker <modules>` with its probes and metrics on {@link METRICS_PORT},
 * started only once the migration Job has completed (the init container of `migration`).
 */
export function workerDeployment(options: K8sDeployOptions, migration: MigrationObjects): K8sObject {
  const name = `${options.name}-worker`;
  const configMap = `${options.name}-config`;
  const probe = (path: string) => ({ httpGet: { path, port: 'metrics' } });
  const container = {
    name: 'worker',
    image: options.image,
    imagePullPolicy: pullPolicy(options.image),
    command: ['kestrion', 'worker'],
    // $(VAR) is expanded by Kubernetes from the container's env below.
    args: [
      ...options.modules,
      '--metrics-port',
      String(METRICS_PORT),
      '--concurrency',
      `$(${CONFIG_KEYS.concurrency})`,
    ],
    ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
    envFrom: [{ configMapRef: { name: configMap } }],
    env: [
      {
        name: CONFIG_KEYS.concurrency,
        valueFrom: { configMapKeyRef: { name: configMap, key: CONFIG_KEYS.concurrency } },
      },
      ...secretEnv(options),
    ],
    // Loading the agent modules and opening the store: up to a minute before liveness counts.
    startupProbe: { ...probe('/healthz'), periodSeconds: 2, failureThreshold: 30 },
    livenessProbe: { ...probe('/healthz'), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    // 503 while starting, stopping or cut off from the store.
    readinessProbe: { ...probe('/readyz'), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadataFor(options, name, 'worker'),
    spec: {
      // Without --replicas under an HPA: an apply would otherwise reset what the HPA chose.
      ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
      selector: { matchLabels: selectorFor(options, 'worker') },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: labelsFor(options, 'worker') },
        spec: {
          serviceAccountName: migration.serviceAccount.metadata.name,
          automountServiceAccountToken: false,
          // SIGTERM: the worker stops claiming, lets each step in flight finish and hands its lease
          // back within its shutdownGraceMs; the margin covers closing and exiting before SIGKILL.
          terminationGracePeriodSeconds: WORKER_SHUTDOWN_GRACE_SECONDS + TERMINATION_MARGIN_SECONDS,
          securityContext: POD_SECURITY,
          initContainers: [migration.waitContainer],
          containers: [container],
          volumes: [{ name: 'tmp', emptyDir: {} }, migration.tokenVolume],
        },
      },
    },
  };
}

/** The metrics port as a Service, annotated for Prometheus' annotation-based scraping. */
export function metricsService(options: K8sDeployOptions): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...metadataFor(options, `${options.name}-worker-metrics`, 'worker'),
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(METRICS_PORT),
        'prometheus.io/path': '/metrics',
      },
    },
    spec: {
      type: 'ClusterIP',
      selector: selectorFor(options, 'worker'),
      // A worker that cannot reach the store is not ready, and that is when its metrics matter.
      publishNotReadyAddresses: true,
      ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' }],
    },
  };
}

/** Scales the workers on CPU between `--hpa min:max` (needs metrics-server). */
export function workerAutoscaler(options: K8sDeployOptions, hpa: { min: number; max: number }): K8sObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadataFor(options, `${options.name}-worker`, 'worker'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${options.name}-worker` },
      minReplicas: hpa.min,
      maxReplicas: hpa.max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
      // Scale down slowly: a stopping worker hands its runs back, which costs a step each.
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      },
    },
  };
}

function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@sha256:')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  return !last.includes(':') || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}
