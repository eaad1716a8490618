import './about.css';

/** What the two methods do, in plain words, how to read the heatmap, and where they come from. */
export function AboutView() {
  return (
    <article className="card about" aria-labelledby="about-title" data-testid="about-view">
      <h2 id="about-title">About DreamLift</h2>
      <p>
        DreamLift lets you look inside neural networks that recognise pictures, on your own device: nothing you draw,
        upload or load leaves it. It comes with a digit classifier (Explain) and a photo network (Dream), and it explains
        image classifiers of your own too (Explain → Model → Load model files…).
      </p>

      <h3>Explain: DeepLIFT</h3>
      <p>
        A digit classifier gives each of the ten digits a score. DeepLIFT asks how much each pixel of your drawing is
        responsible for a score, compared with a <em>reference</em> picture that stands for “nothing” (a black image by
        default). It follows the difference between your drawing and the reference backwards through the network, layer by
        layer, and shares it out among the pixels. The shares always add up exactly to the change in the score
        (Σ C = Δt): nothing is lost or invented on the way.
      </p>
      <h4>Reading the heatmap</h4>
      <ul>
        <li>
          <span className="about-swatch about-swatch-pos" aria-hidden="true" /> Orange pixels pushed the explained score up:
          they are evidence <em>for</em> the class.
        </li>
        <li>
          <span className="about-swatch about-swatch-neg" aria-hidden="true" /> Blue pixels pushed it down: evidence{' '}
          <em>against</em> it.
        </li>
        <li>
          <span className="about-swatch about-swatch-zero" aria-hidden="true" /> Pixels that made no difference add no
          colour: over the digit they keep its grey, in the side-by-side view and the class tiles they are white. The
          legend gives the scale.
        </li>
        <li>
          With “rather than”, the heatmap explains the difference of two scores: orange speaks for the first class, blue for
          the second.
        </li>
      </ul>

      <h3>Dream: Deep Dream</h3>
      <p>
        Deep Dream runs a network that recognises photos the other way round. Instead of asking what the photo shows, it
        changes the photo, a little at each step, so that one layer of the network (or one of its filters) responds more
        strongly. Whatever that layer looks for (strokes, eyes, shells, animal faces) starts to appear in the picture. It
        works on a small copy first and then on larger ones (octaves), so the patterns grow at several sizes.
      </p>
      <p>
        To see what one filter looks for on its own, the filter gallery starts from a blank picture instead of a photo and
        changes it until that filter responds as strongly as it can. “Where does it fire?” turns the question round: it
        uses DeepLIFT to show which parts of your photo make the filter respond.
      </p>

      <h3>Sources</h3>
      <ul className="about-sources">
        <li>
          Avanti Shrikumar, Peyton Greenside, Anshul Kundaje (2017). <cite>Learning Important Features Through Propagating
          Activation Differences</cite>. Proceedings of the 34th International Conference on Machine Learning (ICML).
        </li>
        <li>
          The authors’ reference code: <a href="https://github.com/kundajelab/deeplift">github.com/kundajelab/deeplift</a>{' '}
          (DreamLift’s implementation is its own, checked against the paper’s rules).
        </li>
        <li>
          Alexander Mordvintsev, Christopher Olah, Mike Tyka (2015). <cite>Inceptionism: Going Deeper into Neural
          Networks</cite>. Google Research blog.
        </li>
      </ul>
    </article>
  );
}
