import type { Random } from './seed-random';

/** Video-generation prompts for the seeded sessions, 10 to 2,500 characters, and what a session stores beside them. */

const SUBJECTS = [
  'a golden retriever puppy',
  'an elderly fisherman',
  'a neon-lit street food vendor',
  'two astronauts',
  'a red fox',
  'a ballerina in a white tutu',
  'a vintage steam locomotive',
  'a hummingbird',
  'a lone samurai',
  'a little girl with a yellow umbrella',
  'a humpback whale',
  'a jazz trio',
  'a skateboarder',
  'a barista',
  'a paper boat',
  'a snow leopard',
  'a robot chef',
  'a hot air balloon',
  'a medieval knight',
  'a chameleon',
  'a surfer',
  'an origami crane',
  'a grandmother baking bread',
  'a swarm of fireflies',
  'a sports car',
  'a ceramic artist',
  'a polar bear cub',
  'a rock climber',
];
const ACTIONS = [
  'running through a field of sunflowers',
  'repairing a net on a wooden dock',
  'dancing in the rain',
  'floating above the Earth',
  'leaping over a frozen stream',
  'spinning slowly on an empty stage',
  'crossing a stone viaduct',
  'hovering beside a bright red flower',
  'drawing a sword in slow motion',
  'splashing through puddles',
  'breaching out of a calm sea',
  'playing under string lights',
  'landing a kickflip',
  'pouring latte art',
  'drifting down a stream',
  'stalking across a ridge',
  'flipping pancakes',
  'rising over a valley',
  'riding through a misty forest',
  'changing colour on a branch',
  'catching a huge wave',
  'unfolding itself',
  'kneading dough',
  'lighting up a meadow',
  'drifting around a mountain bend',
  'shaping clay on a wheel',
  'tumbling in fresh snow',
  'reaching a summit',
];
const SETTINGS = [
  'at golden hour',
  'in a rain-soaked Tokyo alley at night',
  'on a foggy morning in the Scottish Highlands',
  'under a sky full of northern lights',
  'in a sunlit Tuscan kitchen',
  'on a crowded Marrakech market street',
  'in a futuristic glass city',
  'deep in an ancient redwood forest',
  'at the edge of a desert canyon',
  'inside a cosy log cabin',
  'on a coral reef',
  'in a minimalist white studio',
  'during a thunderstorm',
  'on a rooftop in Manhattan',
  'in a field of lavender in Provence',
  'beside a turquoise glacier lake',
];
const CAMERAS = [
  'slow dolly-in',
  'aerial drone shot',
  'handheld tracking shot',
  'macro close-up',
  'static wide shot',
  'smooth gimbal orbit',
  'low-angle hero shot',
  'over-the-shoulder shot',
  'crane shot rising upward',
  'whip pan transition',
  'time-lapse',
  'first-person POV',
];
const STYLES = [
  'cinematic, shot on 35mm film',
  'Studio Ghibli-inspired watercolour',
  'hyper-realistic 4K',
  'moody film noir',
  'vibrant Pixar-style 3D animation',
  'vintage 1970s home video',
  'anime style',
  'claymation',
  'documentary style, natural light',
  'dreamy pastel palette',
  'cyberpunk neon aesthetic',
  'National Geographic style',
];
const DETAILS = [
  'The lighting is soft and diffused, with warm highlights on the edges.',
  'Dust particles float in the beams of light.',
  'The colour palette leans toward teal and orange.',
  'Shallow depth of field keeps the background creamy and out of focus.',
  'Subtle lens flares appear as the sun peeks through.',
  'Everything moves at half speed for a dreamy feel.',
  'The background music should feel calm and hopeful.',
  'Keep the motion smooth with no sudden cuts.',
  'Add gentle wind moving the hair and clothes.',
  'Reflections shimmer on the wet ground.',
  'The mood is nostalgic and quietly joyful.',
  'Steam rises softly in the cool air.',
  'Birds fly across the frame in the distance.',
  'The camera holds for a beat before the movement begins.',
  'Avoid any text, logos or watermarks in the frame.',
  'Skin tones must stay natural and the faces consistent between shots.',
  'The scene ends on a slow fade to black.',
  'Use a 24 fps film look with a light grain.',
];

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function shot(r: Random): string {
  return `${capitalize(r.pick(SUBJECTS))} ${r.pick(ACTIONS)} ${r.pick(SETTINGS)}, ${r.pick(CAMERAS)}, ${r.pick(STYLES)}.`;
}

/** cut at the last word boundary at or before `max`, without a dangling comma */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = text.lastIndexOf(' ', max);
  if (end <= 0) end = max;
  while (end > 1 && ' \n,;:'.includes(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/** The stats histogram buckets of SPEC §6.3, with target lengths safely inside each. */
export const PROMPT_BUCKETS = ['0-100', '101-500', '501-1000', '1001-2000', '2000+'] as const;
const BUCKET_TARGETS: readonly (readonly [number, number])[] = [
  [12, 95],
  [120, 480],
  [520, 980],
  [1030, 1980],
  [2030, 2500],
];
const BUCKET_WEIGHTS: readonly (readonly [number, number])[] = [
  [0, 33],
  [1, 40],
  [2, 14],
  [3, 9],
  [4, 4],
];

export function pickPromptBucket(r: Random): number {
  return r.weighted(BUCKET_WEIGHTS);
}

/** A prompt whose length falls in the given bucket (index into PROMPT_BUCKETS). */
export function makePrompt(r: Random, bucket: number): string {
  const [min, max] = BUCKET_TARGETS[bucket] ?? [120, 480];
  const target = r.int(min, max);
  if (bucket === 0) {
    // Short prompts are whole phrases: the longest that fits, never a sentence cut mid-way.
    const subject = capitalize(r.pick(SUBJECTS));
    const action = `${subject} ${r.pick(ACTIONS)}`;
    const candidates = [
      `${action} ${r.pick(SETTINGS)}`,
      `${action}, ${r.pick(STYLES)}`,
      action,
      `${subject}, ${r.pick(STYLES)}`,
      subject,
    ];
    const fitting = candidates.filter((c) => c.length >= 10);
    // All candidates stay under 100 characters, so the shortest one is still in this bucket.
    return fitting.find((c) => c.length <= target) ?? fitting.reduce((a, b) => (b.length < a.length ? b : a));
  }
  let text = '';
  if (bucket <= 2) {
    text = shot(r);
    while (text.length < target) text += ` ${r.pick(DETAILS)}`;
  } else {
    // Long prompts are storyboards: several numbered shots, each with its own details.
    for (let n = 1; text.length < target; n++) {
      text += `${n > 1 ? '\n\n' : ''}Shot ${n}: ${shot(r)}`;
      for (let d = r.int(1, 4); d > 0 && text.length < target; d--) text += ` ${r.pick(DETAILS)}`;
    }
  }
  return cut(text, target);
}

export const TOOLS = [
  { slug: 'text-to-video', title: 'Text to Video', pricePerVideo: 499 },
  { slug: 'image-to-video', title: 'Image to Video', pricePerVideo: 599 },
  { slug: 'ai-music-video', title: 'AI Music Video', pricePerVideo: 899 },
  { slug: 'product-ad', title: 'Product Ad Generator', pricePerVideo: 1499 },
  { slug: 'explainer-video', title: 'Explainer Video', pricePerVideo: 999 },
] as const;
export type Tool = (typeof TOOLS)[number];

export const RESOLUTIONS = ['720p', '1080p', '4k'] as const;
export const VIDEO_STYLES = ['cinematic', 'anime', 'photorealistic', '3d-animation', 'watercolor', 'noir'];

export const GENERATION_ERRORS = [
  'Generation API returned 500: upstream timeout',
  'Content policy violation: prompt was rejected',
  'Generation failed: out of GPU capacity, please retry',
  'Invalid configuration: resolution 4k is not available for this tool',
];
