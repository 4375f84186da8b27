/** Environment versions as `GET /mlws/api/v1/environments` returns them (openapi.yaml). */
export type EnvironmentBuildState = 'NotBuilt' | 'Building' | 'Ready' | 'Failed';

export interface IEnvironmentVersion {
  name: string;
  version: number;
  ref: string;
  spec: {
    python: string | null;
    requirements: string[];
    index_urls: string[];
    env_vars: Record<string, string>;
  };
  lock: string | null;
  lock_hash: string | null;
  state: EnvironmentBuildState;
  error: string | null;
  size_bytes: number | null;
  created_ms: number;
  built_ms: number | null;
  last_used_ms: number | null;
  package_count: number;
}

/** The run properties that say which environment a run used. */
export const RUN_ENVIRONMENT = 'mlws.environment';
export const RUN_ENVIRONMENT_LOCK = 'mlws.environment.lock_hash';

/** "sk:1 (lock 3f2a9c…)" for a run, or "inherit" when it ran in the server's Python. */
export function runEnvironmentLabel(properties: Record<string, string>): string {
  const ref = properties[RUN_ENVIRONMENT];
  if (!ref) {
    return 'inherit';
  }
  const lock = properties[RUN_ENVIRONMENT_LOCK];
  return lock ? `${ref} (lock ${lock.slice(0, 12)})` : `${ref} (not built yet)`;
}
