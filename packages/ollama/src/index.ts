// @kestrion/ollama — a Kestrion Provider on Ollama's /api/chat HTTP API (Node's fetch).
export {
  ollama,
  OllamaProvider,
  normalizeHost,
  DEFAULT_OLLAMA_HOST,
  DEFAULT_TIMEOUT_MS,
} from './ollama-provider';
export type { OllamaOptions } from './ollama-provider';
export { toOllamaBody, toOllamaMessage } from './ollama-messages';
export type { OllamaChatBody, OllamaMessage } from './ollama-messages';
export { toOllamaSchema } from './ollama-schema';
