package pdf

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strconv"
)

// View sizes: a page is rendered for people to look at with its longer side
// ViewSide pixels (enough to read a page of notes zoomed in on a phone or
// beside the note on a desktop), smaller when MaxPixels says so, down to
// MinViewSide, below which it is refused.
const (
	ViewSide    = 1600
	MinViewSide = 600
	// viewBytesPerPixel is what rendering a view takes per pixel: poppler's
	// RGB bitmap and its PNG output, with room for the encoder's buffers.
	viewBytesPerPixel = 6
)

// View is page Page of a PDF rendered as a PNG for people to look at, or Err
// (wrapping ErrPageTooLarge when the page could not be rendered within the
// reader's limits) saying why not.
type View struct {
	Page          int
	PNG           []byte
	Width, Height int
	Err           error
}

// Views renders every page of the PDF at path as a PNG in colour whose longer
// side is at most ViewSide pixels, one page at a time, and gives each to
// each, which may keep it (its PNG is not reused). Each render is bounded as
// Read's are: the page's pixels by MaxPixels (planned from its size before
// it is rendered), the poppler process by MemoryLimit and PageTimeout, and
// the memory it takes by Reserve. A page refused by them reaches each with
// Err set and the others are still rendered.
//
// Views returns ErrEncrypted, ErrDamaged, a *TooManyPagesError, ctx's error,
// or each's error, which stops it.
func (r *Reader) Views(ctx context.Context, path string, each func(View) error) error {
	in, err := r.info(ctx, path, r.maxPages())
	if err != nil {
		return r.classify(err)
	}
	if in.pages > r.maxPages() {
		return &TooManyPagesError{Pages: in.pages, Max: r.maxPages()}
	}
	if len(in.sizes) < in.pages {
		return fmt.Errorf("pdfinfo gave sizes of %d of %d pages: %w", len(in.sizes), in.pages, ErrDamaged)
	}
	for n := 1; n <= in.pages; n++ {
		v := r.view(ctx, path, n, in.sizes[n-1])
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := each(v); err != nil {
			return err
		}
	}
	return nil
}

// view renders page n, of size in points, as a View.
func (r *Reader) view(ctx context.Context, path string, n int, size [2]float64) View {
	side, w, h, ok := r.fitView(size)
	if !ok {
		return View{Page: n, Err: &PageTooLargeError{WidthMM: size[0] / 72 * 25.4, HeightMM: size[1] / 72 * 25.4}}
	}
	if r.Reserve != nil {
		release, err := r.Reserve(ctx, int64(w)*int64(h)*viewBytesPerPixel)
		if err != nil {
			return View{Page: n, Err: err}
		}
		defer release()
	}
	page := strconv.Itoa(n)
	// A PNG is at most its raw pixels plus a little per row and block.
	maxOut := int64(w+1)*int64(h+1)*3 + 64<<10
	out, err := r.run(ctx, r.pageTimeout(), maxOut, "pdftoppm", "-f", page, "-l", page, "-png",
		"-scale-to", strconv.Itoa(side), "-cropbox", path)
	if err != nil {
		return View{Page: n, Err: r.classify(err)}
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(out))
	if err != nil {
		return View{Page: n, Err: fmt.Errorf("pdftoppm wrote no PNG: %w", ErrDamaged)}
	}
	return View{Page: n, PNG: out, Width: cfg.Width, Height: cfg.Height}
}

// fitView is the longer side a page of size (in points) is rendered at for
// viewing, and the pixel size that gives: ViewSide, or less to keep within
// MaxPixels; ok is false below MinViewSide.
func (r *Reader) fitView(size [2]float64) (side, w, h int, ok bool) {
	long, short := max(size[0], size[1]), min(size[0], size[1])
	if short <= 0 {
		return 0, 0, 0, false
	}
	dims := func(side int) (int, int) {
		s := int(float64(side)*short/long + 0.999)
		if size[0] >= size[1] {
			return side, s
		}
		return s, side
	}
	for side = ViewSide; side >= MinViewSide; side -= 100 {
		if w, h = dims(side); int64(w)*int64(h) <= r.maxPixels() {
			return side, w, h, true
		}
	}
	return 0, 0, 0, false
}
