/**
 * The page's two worker lanes, each started lazily, on first use: one worker
 * program (lane.worker.ts) started twice, under the lane's name. Every feature
 * client of a lane (Explain and Compare; Dream, gallery, heatmaps and films)
 * runs on the same LaneClient, so a lane has one worker, one backend and one
 * copy of each model; the two lanes crash, restart and lose devices independently.
 */
import type { InteractiveLaneApi, LaneName, LongLaneApi } from './lane-api';
import { createLaneClient, type LaneClient } from './lane-client';

/** Starts the worker program as lane `name` (the worker reads its name to pick the lane). */
export function startLaneWorker(name: LaneName): Worker {
  return new Worker(new URL('./lane.worker.ts', import.meta.url), { type: 'module', name });
}

export type InteractiveLane = LaneClient<InteractiveLaneApi>;
export type LongLane = LaneClient<LongLaneApi>;

/** A fresh interactive lane (Explain, Compare): a new backend preference is started in the same worker. */
export function createInteractiveLane(create: () => Worker = () => startLaneWorker('interactive')): InteractiveLane {
  return createLaneClient<InteractiveLaneApi>({ label: 'explain', create, onNewPreference: 'switch' });
}

/** A fresh long lane (Dream, gallery, heatmaps, films): a new backend preference gets a fresh worker. */
export function createLongLane(create: () => Worker = () => startLaneWorker('long')): LongLane {
  return createLaneClient<LongLaneApi>({ label: 'Deep Dream', create, onNewPreference: 'restart' });
}

let interactive: InteractiveLane | null = null;
let long: LongLane | null = null;

/** The page's interactive lane, shared by the Explain and Compare clients. */
export function interactiveLane(): InteractiveLane {
  return (interactive ??= createInteractiveLane());
}

/** The page's long lane, shared by the Dream client (and through it the gallery, heatmaps and films). */
export function longLane(): LongLane {
  return (long ??= createLongLane());
}
