/** Explain worker entry: exposes the API (explain-api.ts), nothing else. */
import { expose } from 'comlink';
import { browserExplainEnvironment, createExplainApi } from './explain-api';

expose(createExplainApi(browserExplainEnvironment));
