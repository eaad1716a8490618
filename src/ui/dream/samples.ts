/** The sample photos shipped in public/samples (attribution in public/samples/SOURCES.md). */
export interface DreamSample {
  id: string;
  title: string;
  /** Who made it and under what licence, shown under the thumbnails. */
  credit: string;
  url: string;
}

const base = import.meta.env.BASE_URL;

export const DREAM_SAMPLES: readonly DreamSample[] = [
  { id: 'astronaut', title: 'Astronaut', credit: 'Eileen Collins, NASA (public domain)', url: `${base}samples/astronaut.png` },
  { id: 'chelsea', title: 'Chelsea the cat', credit: 'Stefan van der Walt (CC0)', url: `${base}samples/chelsea.png` },
  { id: 'rocket', title: 'Falcon 9 launch', credit: 'SpaceX (public domain)', url: `${base}samples/rocket.jpg` },
];
