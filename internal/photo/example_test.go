package photo_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"

	"github.com/snapnote/snapnote/internal/photo"
)

// The checks an upload goes through, cheapest first.
func Example() {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 640, 480))); err != nil {
		panic(err)
	}
	upload := buf.Bytes()

	contentType, ok := photo.Sniff(upload[:min(len(upload), 512)])
	if !ok {
		fmt.Println("not an image we accept")
		return
	}
	width, height, err := photo.DecodeConfig(bytes.NewReader(upload))
	if err != nil {
		fmt.Println(err)
		return
	}
	const maxPixels = 50_000_000
	if width*height > maxPixels {
		fmt.Println("too many pixels")
		return
	}
	img, err := photo.Decode(bytes.NewReader(upload))
	if errors.Is(err, photo.ErrCorrupt) {
		fmt.Println("corrupt upload")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(contentType, photo.Extension(contentType), width, height, img.Bounds().Size())
	// Output: image/png .png 640 480 (640,480)
}
