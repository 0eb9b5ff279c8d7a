// Package preprocess prepares a photo of a page for Tesseract: pure image steps in Go, run
// by a [Pipeline] that the Tesseract engine (package tesseract) fills in. Orientation detection
// needs Tesseract itself, so the engine injects it as Pipeline.Orient; nothing here runs a
// program.
//
// A photo is preprocessed in eight steps, each kept because it lowered
// the error rate on the generated corpus (package corpus, `snapnote-eval`) without hurting clean
// pages, and each listed in the steps Run returns when it changed the image:
//
//   - perspective: finds a page lying on a darker surface (a bright four-cornered region that
//     the dark surroundings frame) and maps it onto a rectangle, undoing the keystone of a
//     photo taken at an angle. A shadow across the page is not taken for an edge.
//   - normalize: divides every pixel by the brightness of the paper around it, estimated on a
//     coarse grid, so shadows and uneven light vanish before Tesseract's global threshold;
//     paints white the desk that a photo shows beside the page (dark, plain regions at the
//     photo's edge that meet the paper at a step, where a shadow fades out), whose edge and
//     grain would read as a figure or as letters; then stretches the contrast.
//   - sharpen: measures how wide the edges of ink are (the gray between paper and ink where a
//     row crosses a stroke) and, on a page photographed slightly out of focus (edges 4 pixels
//     wide or more and 0.3 of the characters' height), adds twice the difference from a blur
//     of half that radius: the doubted words of a blurred page are otherwise left out as a
//     figure. Listed as "sharpen:R". Measured before enlarging, on the page as photographed.
//   - scale: enlarges pages whose characters are under 10 pixels to 20 (measured as the median
//     size of connected ink shapes), up to MaxSide.
//   - orient: turns the page by 90, 180 or 270 degrees to stand upright. A page whose lines of
//     text show plainly which way up it stands (baselines that line up better than the tops of
//     the letters, across the page as it lies or turned by exactly one of the three) is turned
//     without a second look. Any other runs Tesseract's orientation detection (--psm 0) on a
//     copy scaled to 12-pixel characters, and is turned when it is confident; pages with too
//     little text are not checked. With the command this is a second Tesseract run, which loads
//     the osd model each time: the main cost of the preprocessing.
//   - deskew: finds the angle, up to 10 degrees either way in 0.25 degree steps, at which the
//     bottoms of the characters fall into the fewest, fullest lines, and rotates the page
//     straight with bilinear sampling.
//   - dewarp: joins the characters into lines of text (neighbours that overlap vertically) and
//     fits each line's baseline. When most baselines bend or converge by 0.15 character heights
//     or more (a curled page, a book's gutter, a page held at an angle), it moves every column
//     up or down so that each baseline runs level, interpolating between baselines: a line
//     through the body of the page at its mean height, a short one beside it (a label, the end
//     of a line set apart) at the height the lines around it give it, so where lines converge
//     the two keep their spacing. A line runs on straight for four characters past its ends.
//     Bent or not, when the left margin slants (a page held at an angle on surroundings as
//     light as itself, so the perspective step saw no corners), it maps the trapezoid of that
//     margin and its mirror image about the middle onto a rectangle. Listed as "dewarp:lines=N"
//     and "keystone:F" (how much narrower the narrow end was). A flat page costs only the line
//     finding, well under a millisecond.
//   - fractions: finds fractions set in a stack, as maths worksheets print them (digits
//     centred close above and below a short bar; a faint digit broken in pieces is joined),
//     which Tesseract reads as dashes or leaves out as a picture, and redraws each as
//     numerator, slash and denominator on the line's baseline, its digits enlarged to the
//     line's own, so that "2/3" is read as one types it. The rest of the line moves right into
//     the blank space after it; a line without that space is left as printed. Listed as
//     "fractions:N".
package preprocess
