/** Deep Dream worker entry: exposes the API (dream-api.ts), nothing else. */
import { expose } from 'comlink';
import { browserDreamEnvironment, createDreamApi } from './dream-api';

expose(createDreamApi(browserDreamEnvironment));
