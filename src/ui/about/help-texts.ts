/**
 * The short help beside the controls a newcomer would not understand, two
 * sentences each, in plain words. One list, so the words stay consistent
 * between Explain, Compare, Dream and the About view.
 */
export const HELP = {
  rule:
    'DeepLIFT shares the change in the score among the pixels by comparing each neuron with its value on the reference image. ' +
    'Rescale divides a neuron’s change in output by its change in input; RevealCancel treats the positive and negative inputs separately, so evidence that cancels out still shows.',
  target: 'The class whose score the heatmap explains. By default it is the digit the network predicts.',
  contrast:
    'Explain the difference of two scores, “why this class rather than that one”, instead of one score alone. ' +
    'Orange pixels then speak for the first class and blue ones for the second.',
  reference:
    'DeepLIFT explains the difference between your input and a reference input that stands for “nothing”. ' +
    'The heatmap shows how each pixel’s difference from the reference moves the score.',
  photoTarget: 'The class whose score the heatmap explains. By default it is the class the network predicts for your photo.',
  photoReference:
    'DeepLIFT explains the difference between your photo and a reference that stands for “nothing”: black, a uniform grey, or your photo blurred (its colours kept, its detail gone). ' +
    'DeepLIFT-SHAP averages the explanations over several blurred and noisy references, so no single choice decides.',
  photoSoftmax:
    'The class scores (logits) feed a softmax, which only cares about their differences. ' +
    'Subtracting the mean of all scores removes what pushes every class up alike, leaving what singles this class out.',
  softmax:
    'The ten scores (logits) feed a softmax, which only cares about their differences. ' +
    'Subtracting the mean of all ten scores removes what pushes every class up alike, leaving what singles this class out.',
  sumDelta:
    'Δt is how much the explained score changes from the reference to your input; Σ C adds up every pixel’s contribution. ' +
    'DeepLIFT guarantees they are equal (summation-to-delta), so the two numbers agreeing is a check that the explanation is complete.',
  tileDelta:
    'Each tile is the heatmap of one class, and Δ is that class’s score on your input minus its score on the reference. ' +
    'A large positive Δ means your drawing raised that class a lot.',
  completeness:
    '|Σ−Δt| is how far the sum of a map’s contributions is from the change in score. ' +
    'DeepLIFT and Integrated Gradients keep it near zero (round-off only); methods without that property can be far off.',
  eraseLogOdds:
    'The log-odds compare the original class’s score with the target class’s score. ' +
    'Erasing the pixels a method ranks highest should lower them fast if the method found the pixels that matter.',
  layer:
    'Deep Dream strengthens what one layer of the InceptionV3 network responds to. ' +
    'Early layers (mixed0–2) give strokes and textures; later ones (mixed3–5) give eyes, shells and animal parts.',
  filter:
    'A layer has hundreds of filters (channels), each looking for one pattern. ' +
    'Leave this empty to strengthen the whole layer, or type one channel’s number to amplify just that pattern.',
  octaves:
    'Deep Dream works first on a small copy of the photo and then on larger ones; each size is an octave. ' +
    'More octaves let the patterns grow larger than the network’s view of the photo, at the cost of time.',
  steps: 'How many small changes are made at each octave. More steps give stronger patterns and take proportionally longer.',
  stepSize:
    'How far each step pushes the image, relative to the gradient’s average size. ' +
    'Larger steps give bolder patterns sooner but can look noisy.',
  octaveScale:
    'How much larger each octave is than the one before (1.4 means 40 % larger). ' +
    'Together with the number of octaves it sets how small the first, coarsest version is.',
  objective:
    'What the dream makes larger: the mean activation of the layer, or the mean of its squares (L2). ' +
    'L2 favours the patterns that are already strongest, which often looks more vivid.',
  seed: 'The random jitter of each step comes from this number. The same photo, settings and seed give the same dream again.',
  maxSide:
    'The photo is dreamt at this working size (its longest side, in pixels). ' +
    'Time grows with the number of pixels, so a smaller size finishes much sooner; the original-size download keeps your photo’s full size.',
  fromNoise:
    'Instead of a photo, start from random noise and let the network paint what the layer or filter looks for. ' +
    'This is called activation maximisation, or feature visualisation.',
  guide:
    'A guided dream grows what the guide image contains instead of what the layer already sees in your photo: every part of the photo moves towards the most similar part of the guide. ' +
    'It applies to the whole layer, so leave the Filter field empty; deeper layers copy larger shapes, shallow ones textures and colours.',
} as const;

export type HelpTopic = keyof typeof HELP;
