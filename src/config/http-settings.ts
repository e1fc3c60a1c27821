/** HTTP_MAX_CONNECTIONS: spread into the config module of every API process. */
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../infra/connection-guard';
import { env } from './env';

export const httpLimitsShape = {
  HTTP_MAX_CONNECTIONS: env.positiveInt(DEFAULT_CONNECTION_LIMITS.maxConnections),
};

export const httpLimitsOf = (e: { HTTP_MAX_CONNECTIONS: number }): ConnectionLimits => ({
  ...DEFAULT_CONNECTION_LIMITS,
  maxConnections: e.HTTP_MAX_CONNECTIONS,
});
