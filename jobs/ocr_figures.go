package jobs

import (
	"bytes"
	"context"
	"fmt"
	"image/png"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/ocr"
)

// figureContentType is how figures are stored. They are cut from the page as the engine read
// it, gray and straightened, and are mostly line art, which PNG keeps sharp and small.
const figureContentType = "image/png"

// storeFigures stores the figures the engine cut from page n of upload u, each as a PNG blob
// beside the page's image, and returns their rows for SavePageFigures. A store that fails
// fails the page for a retry; a retry writes the same keys again.
func (w *OCRWorker) storeFigures(ctx context.Context, u db.Upload, n int, figures []ocr.Figure) ([]db.Figure, *Failure) {
	out := make([]db.Figure, 0, len(figures))
	for i, f := range figures {
		var buf bytes.Buffer
		if err := png.Encode(&buf, f.Image); err != nil {
			return nil, &Failure{Failure: snapnote.FailStorageUnavailable, Err: fmt.Errorf("encode figure %d: %w", i+1, err)}
		}
		key := snapnote.FigureBlobKey(u.UserID, u.ID, n, i+1, ".png")
		info, err := w.Pipeline.Blobs.Put(ctx, key, &buf, figureContentType)
		if err != nil {
			return nil, &Failure{Failure: snapnote.FailStorageUnavailable, Err: fmt.Errorf("store figure %d: %w", i+1, err)}
		}
		b := f.Image.Bounds()
		out = append(out, db.Figure{BlobKey: key, ContentType: figureContentType, ByteSize: info.Size,
			Width: b.Dx(), Height: b.Dy()})
	}
	return out, nil
}
