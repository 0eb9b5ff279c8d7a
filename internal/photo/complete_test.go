package photo

import (
	"bytes"
	"errors"
	"image/jpeg"
	"testing"
)

func TestCheckComplete(t *testing.T) {
	t.Parallel()
	all := encodeAll(t)
	for contentType, data := range map[string][]byte{
		typePNG: all.png, typeJPEG: all.jpeg, typeGIF: all.gif, typeBMP: all.bmp, typeWebP: tinyWebP,
	} {
		if err := CheckComplete(data, contentType); err != nil {
			t.Errorf("%s whole: %v", contentType, err)
		}
		cut := data[:len(data)*2/3]
		if err := CheckComplete(cut, contentType); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s cut to %d of %d bytes: got %v, want ErrCorrupt", contentType, len(cut), len(data), err)
		}
	}
}

// A truncated photo still holds its EXIF thumbnail's end marker; the check
// must not take that for the end of the photo.
func TestCheckCompleteJPEGWithThumbnail(t *testing.T) {
	t.Parallel()
	var thumb, photo bytes.Buffer
	if err := jpeg.Encode(&thumb, testImage(16, 16), nil); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&photo, testImage(256, 256), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	app1 := append([]byte{0xFF, 0xE1, 0, 0}, "Exif\x00\x00"...)
	app1 = append(app1, thumb.Bytes()...)
	app1[2], app1[3] = byte((len(app1)-2)>>8), byte(len(app1)-2)
	whole := spliceAfterSOI(photo.Bytes(), app1)

	if err := CheckComplete(whole, typeJPEG); err != nil {
		t.Fatalf("whole: %v", err)
	}
	cut := whole[:len(app1)+(len(whole)-len(app1))/2]
	if err := CheckComplete(cut, typeJPEG); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("cut after the thumbnail: got %v, want ErrCorrupt", err)
	}
}
