/** Deep Dream worker entry: exposes the API (dream-api.ts, plus the film methods of film-api.ts sharing its trunk), nothing else. */
import { expose } from 'comlink';
import { browserDreamEnvironment, createDreamApi } from './dream-api';
import { createFilmApi, sharedModel, withFilm } from './film-api';
import { browserFilmEnvironment } from './film-media';

const loadModel = sharedModel(browserDreamEnvironment.loadModel);
expose(withFilm(createDreamApi({ ...browserDreamEnvironment, loadModel }), createFilmApi(browserFilmEnvironment(() => loadModel(), browserDreamEnvironment.device))));
