/**
 * One worker program, two lanes. The app starts lane.worker.ts twice, and the
 * worker's name says which lane it is:
 *
 * - the *interactive* lane: Explain (digits, photos on the user's models,
 *   "which filters decided") and Compare, on one copy of the classifiers
 *   (classifier-models.ts): one backend, one MNIST model, one registry;
 * - the *long* lane: Deep Dream, gallery thumbnails, filter heatmaps and films,
 *   on one copy of the InceptionV3 trunk.
 *
 * Each lane's exposed object is composed from feature modules (the existing
 * create…Api factories). A lane is one thread: a crash, a lost GPU device or
 * an out-of-memory kill of one lane leaves the other running.
 */
import type { ClassifierEnvironment } from './classifier-models';
import { createClassifierModels } from './classifier-models';
import { createCompareApi } from './compare-api';
import type { CompareApi } from './compare-protocol';
import { createDreamApi, type DreamApiEnvironment } from './dream-api';
import type { DreamApi } from './dream-protocol';
import { createExplainApi } from './explain-api';
import type { ExplainApi } from './explain-protocol';
import { createFilmApi, sharedModel, type FilmEnvironment } from './film-api';
import type { FilmApi } from './film-protocol';
import { composeApis } from './compose-apis';

export type LaneName = 'interactive' | 'long';

export const LANE_NAMES: readonly LaneName[] = ['interactive', 'long'];

/** The interactive lane's object: every Explain method (the optional ones present) and Compare's. */
export type InteractiveLaneApi = Required<ExplainApi> & CompareApi;

/** The long lane's object: Deep Dream (with gallery, heatmaps) and the films sharing its trunk. */
export type LongLaneApi = DreamApi & FilmApi;

/** The interactive lane: Explain and Compare on one backend and one copy of each model. */
export function createInteractiveLaneApi(env: ClassifierEnvironment): InteractiveLaneApi {
  const models = createClassifierModels(env);
  return composeApis(createExplainApi(env, models) as Required<ExplainApi>, createCompareApi(env, models));
}

/** The long lane: Deep Dream and films on one copy of the trunk (films use the dream methods' loader). */
export function createLongLaneApi(
  dreamEnv: DreamApiEnvironment,
  filmEnv: (model: FilmEnvironment['model'], device: FilmEnvironment['device']) => FilmEnvironment,
): LongLaneApi {
  const loadModel = sharedModel(dreamEnv.loadModel);
  return composeApis(createDreamApi({ ...dreamEnv, loadModel }), createFilmApi(filmEnv(() => loadModel(), dreamEnv.device)));
}

export interface LaneEnvironments {
  classifiers: ClassifierEnvironment;
  dream: DreamApiEnvironment;
  film: (model: FilmEnvironment['model'], device: FilmEnvironment['device']) => FilmEnvironment;
}

/** The lane a worker named `name` runs; an unknown name is a programming error, thrown at start. */
export function laneOf(name: string): LaneName {
  if ((LANE_NAMES as readonly string[]).includes(name)) return name as LaneName;
  throw new Error(`No worker lane is named "${name}" (expected ${LANE_NAMES.join(' or ')})`);
}

/** The exposed object of lane `lane`. */
export function createLaneApi(lane: LaneName, envs: LaneEnvironments): InteractiveLaneApi | LongLaneApi {
  return lane === 'interactive' ? createInteractiveLaneApi(envs.classifiers) : createLongLaneApi(envs.dream, envs.film);
}
