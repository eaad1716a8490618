/**
 * The one worker program (lane-api.ts), started once per lane: the worker's
 * name says which lane it is. Exposes that lane's API, nothing else.
 */
import { expose } from 'comlink';
import { browserDreamEnvironment } from './dream-api';
import { browserExplainEnvironment } from './explain-api';
import { browserFilmEnvironment } from './film-media';
import { createLaneApi, laneOf } from './lane-api';

expose(createLaneApi(laneOf(self.name), { classifiers: browserExplainEnvironment, dream: browserDreamEnvironment, film: browserFilmEnvironment }));
