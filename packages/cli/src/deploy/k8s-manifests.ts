import type { K8sDeployOptions } from './deploy-options';
import type { K8sObject } from './k8s-object';
import { migrationObjects } from './k8s-migration';
import { metricsService, workerAutoscaler, workerConfigMap, workerDeployment } from './k8s-worker';

/** One object and the file it is written to (one object per file, `kubectl apply -f <dir>`). */
export interface K8sManifest {
  file: string;
  object: K8sObject;
}

/**
 * Every object of a worker deployment, in the order `kubectl apply -f` should create them
 * (it applies a directory's files by name, hence the numeric prefixes): the identity and config
 * first, then the migration Job, then the workers that wait for it.
 */
export function k8sManifests(options: K8sDeployOptions): K8sManifest[] {
  const migration = migrationObjects(options);
  const manifests: K8sManifest[] = [
    { file: '00-configmap.yaml', object: workerConfigMap(options) },
    { file: '01-serviceaccount.yaml', object: migration.serviceAccount },
    { file: '02-role.yaml', object: migration.role },
    { file: '03-rolebinding.yaml', object: migration.roleBinding },
    { file: '10-migrate-job.yaml', object: migration.job },
    { file: '20-worker-deployment.yaml', object: workerDeployment(options, migration) },
    { file: '21-worker-metrics-service.yaml', object: metricsService(options) },
  ];
  if (options.hpa)
    manifests.push({ file: '22-worker-hpa.yaml', object: workerAutoscaler(options, options.hpa) });
  return manifests;
}
