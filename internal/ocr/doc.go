// Package ocr reads the text in a photo of lecture notes.
//
// An [Engine] takes an upright image (see package photo, whose Decode applies the EXIF
// orientation) and returns a [Result]: the text with its line and paragraph structure, the mean
// word confidence and the word count. Engines are safe for concurrent use.
//
// [Tesseract] is the engine this package provides (Tesseract 4 or later; developed against 5.3).
// With an [EnginePool] in Tesseract.Engines it reads with warm engines: child processes of the
// worker, each keeping its models loaded, fed gray pixels over a pipe, killed and replaced when
// a page overruns its deadline or crashes them (see EnginePool; programs that make a pool call
// [ServeEngineIfChild] first thing). Without one it runs the tesseract command twice per image
// (orientation, then recognition), on a grayscale PNG in a temporary file (in os.TempDir, so
// $TMPDIR), and reads its TSV output; both read the same words. Each engine or run is limited to
// one OpenMP thread: Tesseract's threads spin while they wait, which makes a page about four
// times slower on a small machine, so recognise several images at once instead. Call
// [Tesseract.CheckInstalled] at start-up to fail early, with install instructions, when the
// binary or a language is missing.
//
// Before reading, Tesseract preprocesses a photo in six steps, each kept because it lowered
// the error rate on the generated corpus (package corpus, `snapnote-eval`) without hurting clean
// pages, and each listed in [Result].Steps when it changed the image:
//
//   - perspective: finds a page lying on a darker surface (a bright four-cornered region that
//     the dark surroundings frame) and maps it onto a rectangle, undoing the keystone of a
//     photo taken at an angle. A shadow across the page is not taken for an edge.
//   - normalize: divides every pixel by the brightness of the paper around it, estimated on a
//     coarse grid, so shadows and uneven light vanish before Tesseract's global threshold;
//     then stretches the contrast.
//   - scale: enlarges pages whose characters are under 10 pixels to 20 (measured as the median
//     size of connected ink shapes), up to MaxSide.
//   - orient: runs Tesseract's orientation detection (--psm 0) on a copy scaled to 12-pixel
//     characters and turns the page by 90, 180 or 270 degrees when it is confident; pages with
//     too little text are not checked. With the command this is a second Tesseract run, which
//     loads the osd model each time: the main cost of the preprocessing.
//   - deskew: finds the angle, up to 10 degrees either way in 0.25 degree steps, at which the
//     bottoms of the characters fall into the fewest, fullest lines, and rotates the page
//     straight with bilinear sampling.
//   - dewarp: joins the characters into lines of text (neighbours that overlap vertically) and
//     fits each line's baseline. When most baselines bend or converge by 0.15 character heights
//     or more (a curled page, a book's gutter, a page held at an angle), it moves every column
//     up or down so that each baseline runs level at its mean height, interpolating between
//     baselines. Bent or not, when the left margin slants (a page held at an angle on
//     surroundings as light as itself, so the perspective step saw no corners), it maps the
//     trapezoid of that margin and its mirror image about the middle onto a rectangle. Listed as
//     "dewarp:lines=N" and "keystone:F" (how much narrower the narrow end was). A flat page
//     costs only the line finding, well under a millisecond.
//
// [Vision] asks a chat model that reads images, through any OpenAI-compatible API, to transcribe
// the page as Markdown, with a Tesseract fallback for when the model fails; its Result names the
// engine that answered.
//
// Errors: an image without recognisable text returns [ErrNoText], a permanent failure. Anything
// else is a different error: a missing binary wraps exec.ErrNotFound (or fs.ErrNotExist for a
// path), a run over the time limit wraps context.DeadlineExceeded, a crash of the command
// carries Tesseract's own message, and a warm engine that died mid-page wraps
// [ErrEngineCrashed].
package ocr
