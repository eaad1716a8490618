/** Compare worker entry: exposes the API (compare-api.ts), nothing else. */
import { expose } from 'comlink';
import { browserExplainEnvironment } from './explain-api';
import { createCompareApi } from './compare-api';

expose(createCompareApi(browserExplainEnvironment));
