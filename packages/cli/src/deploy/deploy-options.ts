import { UsageError } from '@kestrion/core';

/** Where `kestrion deploy` writes for: the only target so far. */
export const DEPLOY_TARGETS = ['k8s'] as const;
export type DeployTarget = (typeof DEPLOY_TARGETS)[number];

/** A Secret the manifests reference by name and key; its value never passes through the CLI. */
export interface SecretKeyRef {
  name: string;
  key: string;
}

/** Everything the Kubernetes manifests are made from, checked (see {@link parseK8sOptions}). */
export interface K8sDeployOptions {
  /** Prefix of every object's name and the `app.kubernetes.io/name` label. */
  name: string;
  image: string;
  namespace: string;
  /** Worker replicas; undefined when an HPA owns the count. */
  replicas: number | undefined;
  hpa: { min: number; max: number } | undefined;
  /** Agent modules in the image, relative to its working directory (`dist/agent.js`). */
  modules: string[];
  /** The worker's `--concurrency`. */
  concurrency: number;
  /** `KESTRION_STORE` comes from this Secret key. */
  storeSecret: SecretKeyRef;
  /** Provider keys: each variable comes from the key of the same name in this Secret, if present. */
  providerSecret: string;
  providerEnv: string[];
  /** The image whose entrypoint is kubectl, for the init container that waits for the migration. */
  kubectlImage: string;
}

/** The flags as commander hands them over: strings, and arrays for the repeatable ones. */
export interface RawDeployFlags {
  target?: string;
  image?: string;
  name?: string;
  namespace?: string;
  replicas?: string;
  hpa?: string;
  module?: string[];
  concurrency?: string;
  storeSecret?: string;
  providerSecret?: string;
  providerEnv?: string[];
  kubectlImage?: string;
}

export const DEFAULT_MODULE = 'dist/agent.js';
export const DEFAULT_KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.33.4';
export const DEFAULT_PROVIDER_ENV = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'];

// RFC 1123 label (what Service, namespace and most names must be), kept short enough that the
// longest derived name (`<name>-migrate-<10 hex>`) still fits 63 characters.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 40;
// [registry[:port]/]path[:tag][@sha256:digest], lower-case path components as the distribution spec has them.
const IMAGE_REF =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Checks the flags of `kestrion deploy --target k8s`; every problem is a UsageError naming its flag. */
export function parseK8sOptions(flags: RawDeployFlags): K8sDeployOptions {
  const target = flags.target;
  if (target === undefined || !(DEPLOY_TARGETS as readonly string[]).includes(target))
    throw new UsageError(
      `--target ${target === undefined ? 'is required' : `${JSON.stringify(target)} is not supported`}: the one target is k8s (--target k8s)`,
    );
  const image = flags.image;
  if (image === undefined)
    throw new UsageError(
      '--image is required: the image reference the workers run (--image registry.example.com/team/app:1.0.0)',
    );
  if (!IMAGE_REF.test(image))
    throw new UsageError(
      `--image ${JSON.stringify(image)} is not an image reference (registry/path:tag or path@sha256:digest)`,
    );
  const name = dnsLabel(flags.name ?? 'kestrion', '--name', MAX_NAME);
  const namespace = dnsLabel(flags.namespace ?? 'default', '--namespace', 63);
  const replicas = flags.replicas === undefined ? undefined : integer(flags.replicas, '--replicas', 0);
  const hpa = flags.hpa === undefined ? undefined : parseHpa(flags.hpa);
  if (hpa && replicas !== undefined)
    throw new UsageError(
      '--replicas and --hpa exclude each other: with --hpa min:max the autoscaler owns the replica count (drop --replicas)',
    );
  const modules = flags.module && flags.module.length > 0 ? flags.module : [DEFAULT_MODULE];
  for (const m of modules)
    if (m.trim() === '' || m.startsWith('-'))
      throw new UsageError(
        `--module ${JSON.stringify(m)} is not a module path (e.g. --module dist/agent.js)`,
      );
  const providerEnv =
    flags.providerEnv && flags.providerEnv.length > 0 ? flags.providerEnv : DEFAULT_PROVIDER_ENV;
  for (const v of providerEnv)
    if (!ENV_NAME.test(v))
      throw new UsageError(`--provider-env ${JSON.stringify(v)} is not an environment variable name`);
  const kubectlImage = flags.kubectlImage ?? DEFAULT_KUBECTL_IMAGE;
  if (!IMAGE_REF.test(kubectlImage))
    throw new UsageError(`--kubectl-image ${JSON.stringify(kubectlImage)} is not an image reference`);
  return {
    name,
    image,
    namespace,
    replicas: hpa ? undefined : (replicas ?? 2),
    hpa,
    modules,
    concurrency: flags.concurrency === undefined ? 16 : integer(flags.concurrency, '--concurrency', 1),
    storeSecret: parseSecretRef(flags.storeSecret ?? `${name}-store`),
    providerSecret: dnsSubdomain(flags.providerSecret ?? `${name}-providers`, '--provider-secret'),
    providerEnv,
    kubectlImage,
  };
}

/** `--hpa 2:10`: the autoscaler's bounds. */
export function parseHpa(value: string): { min: number; max: number } {
  const m = /^(\d+):(\d+)$/.exec(value.trim());
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1 || max < min)
    throw new UsageError(
      `--hpa takes min:max with 1 <= min <= max (got ${JSON.stringify(value)}), e.g. --hpa 2:10`,
    );
  return { min, max };
}

/** `--store-secret name` (key `url`) or `name:key`. */
export function parseSecretRef(value: string): SecretKeyRef {
  const i = value.indexOf(':');
  const name = dnsSubdomain(i < 0 ? value : value.slice(0, i), '--store-secret');
  const key = i < 0 ? 'url' : value.slice(i + 1);
  if (!SECRET_KEY.test(key))
    throw new UsageError(
      `--store-secret key ${JSON.stringify(key)} is not a Secret key (letters, digits, '-', '_', '.')`,
    );
  return { name, key };
}

function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${flag} takes an integer >= ${min} (got ${JSON.stringify(value)})`);
  return n;
}

function dnsLabel(value: string, flag: string, max: number): string {
  if (value.length > max || !DNS_LABEL.test(value))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a valid name: lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${max} characters`,
    );
  return value;
}

function dnsSubdomain(value: string, flag: string): string {
  if (value.length > 253 || !value.split('.').every((part) => DNS_LABEL.test(part)))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a valid Secret name (lower-case DNS subdomain)`,
    );
  return value;
}
