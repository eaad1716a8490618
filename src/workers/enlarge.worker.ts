/** Enlarge worker entry: exposes the API (enlarge-api.ts), nothing else. */
import { expose } from 'comlink';
import { createEnlargeApi } from './enlarge-api';

expose(createEnlargeApi());
