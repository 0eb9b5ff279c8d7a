package photo

import (
	"bytes"
	"image/gif"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzSeeds are whole images in every format and BMP encoding; testdata/fuzz adds files from other encoders.
func fuzzSeeds(t testing.TB) [][]byte {
	e := encodeAll(t)
	seeds := [][]byte{e.jpeg, e.png, e.gif, e.bmp, e.tiff, tinyWebP}
	// A GIF big enough that its LZW data holds the trailer's byte, 0x3B, here and there.
	var big bytes.Buffer
	require.NoError(t, gif.Encode(&big, testImage(64, 48), nil))
	seeds = append(seeds, big.Bytes())
	for _, f := range bmpTestFiles() {
		seeds = append(seeds, f.file.encode())
	}
	return seeds
}

// fuzzMaxPixels keeps the fuzzers' full decodes small: a header can claim any size.
const fuzzMaxPixels = 1 << 20

// FuzzCheckComplete feeds Sniff and CheckComplete any bytes (they must not panic) and, for an image that
// decodes, checks CheckComplete's promise on its prefixes: a prefix it passes must decode too, so an upload cut
// off in transit is refused at the upload rather than failing in the OCR job. A prefix that cuts only bytes the
// decoder does not need (after a JPEG's EOI, say) may pass. TIFF is left out: its check passes everything and
// leaves it to the decoder.
func FuzzCheckComplete(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed, uint16(len(seed)*2/3))
		f.Add(seed, uint16(len(seed)-1))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		contentType, ok := Sniff(data)
		if !ok {
			return
		}
		if CheckComplete(data, contentType) != nil || contentType == typeTIFF || !decodes(data) {
			return
		}
		prefix := data[:int(cut)%len(data)]
		if prefixType, ok := Sniff(prefix); !ok || CheckComplete(prefix, prefixType) != nil {
			return
		}
		_, err := Decode(bytes.NewReader(prefix))
		require.NoError(t, err, "CheckComplete passed %d of the %d bytes of a %s that Decode then refused",
			len(prefix), len(data), contentType)
	})
}

// decodes reports whether data is a small image that Decode reads.
func decodes(data []byte) bool {
	w, h, err := DecodeConfig(bytes.NewReader(data))
	if err != nil || w*h > fuzzMaxPixels {
		return false
	}
	_, err = Decode(bytes.NewReader(data))
	return err == nil
}

// FuzzDecodeConfig checks that reading a header never panics, allocates little whatever size the header claims,
// and answers either positive dimensions or an error wrapping ErrCorrupt (the reader never fails here).
func FuzzDecodeConfig(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Add(pngHeader(30000, 30000))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w, h, err := DecodeConfig(bytes.NewReader(data))
		runtime.ReadMemStats(&after)

		// A TIFF is read whole; anything else reads a header of a few KB.
		require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20+4*len(data)))
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		require.Positive(t, w)
		require.Positive(t, h)
	})
}
