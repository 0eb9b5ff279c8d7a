package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// heicFile encodes upright as a phone with EXIF orientation o stores it (an RGB JPEG), and
// turns that into HEIC with libheif's heif-enc, which keeps the EXIF block as it is.
func heicFile(t *testing.T, upright *image.RGBA, o int) []byte {
	t.Helper()
	_, err := exec.LookPath("heif-enc")
	require.NoError(t, err, "the tests need heif-enc: apt-get install libheif-examples (scripts/deps.sh does)")
	w, h := upright.Bounds().Dx(), upright.Bounds().Dy()
	sw, sh := w, h
	if o >= 5 {
		sw, sh = h, w
	}
	stored := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for y := range h {
		for x := range w {
			sx, sy := storedPixel(o, x, y, w, h)
			stored.SetRGBA(sx, sy, upright.RGBAAt(x, y))
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, stored, &jpeg.Options{Quality: 95}))
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jpg"), filepath.Join(dir, "out.heic")
	require.NoError(t, os.WriteFile(in, spliceAfterSOI(buf.Bytes(), exifSegment(uint16(o), binary.BigEndian)), 0o600))
	msg, err := exec.Command("heif-enc", "-q", "90", "-o", out, in).CombinedOutput()
	require.NoError(t, err, "%s", msg)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	return data
}

// bigOrientationImage is orientationImage at four times the size, 256×128: HEVC codes blocks
// of 8 pixels and more, and its chroma is subsampled.
func bigOrientationImage() *image.RGBA {
	small := orientationImage()
	img := image.NewRGBA(image.Rect(0, 0, 256, 128))
	for y := range 128 {
		for x := range 256 {
			img.SetRGBA(x, y, small.RGBAAt(x/4, y/4))
		}
	}
	return img
}

func TestHEIFWithEXIFTurnDecodesUpright(t *testing.T) {
	t.Parallel()

	upright := bigOrientationImage()
	file := heicFile(t, upright, 6)

	typ, ok := Sniff(file)
	require.True(t, ok)
	require.Equal(t, "image/heif", typ)
	require.Equal(t, ".heic", Extension(typ))
	require.NoError(t, CheckComplete(file, typ))
	w, h, err := DecodeConfig(bytes.NewReader(file))
	require.NoError(t, err)
	require.Equal(t, []int{128, 256}, []int{w, h}, "stored sideways, as the header says")
	plan, err := PlanDecode(file)
	require.NoError(t, err)
	require.Equal(t, Plan{ContentType: typ, Width: 128, Height: 256, DecodedBytesPerPixel: 1.5, Rotates: true}, plan)

	img, err := Decode(bytes.NewReader(file))
	require.NoError(t, err)
	requireSameImage(t, upright, img, 64, 48)
}

func TestHEIFBroken(t *testing.T) {
	t.Parallel()

	file := heicFile(t, bigOrientationImage(), 1)
	typ, ok := Sniff(file)
	require.True(t, ok)

	t.Run("cut off", func(t *testing.T) {
		t.Parallel()
		cut := file[:len(file)-100]
		typ, ok := Sniff(cut)
		require.True(t, ok, "the ftyp box is still there")
		require.ErrorIs(t, CheckComplete(cut, typ), ErrCorrupt)
		_, _, err := DecodeConfig(bytes.NewReader(cut))
		require.ErrorIs(t, err, ErrCorrupt)
		_, err = Decode(bytes.NewReader(cut))
		require.ErrorIs(t, err, ErrCorrupt)
	})
	t.Run("no meta box", func(t *testing.T) {
		t.Parallel()
		// ftyp, then mdat alone.
		ftypSize := binary.BigEndian.Uint32(file)
		mdat := append(binary.BigEndian.AppendUint32(nil, 16), []byte("mdat\x00\x00\x00\x00\x00\x00\x00\x00")...)
		broken := append(bytes.Clone(file[:ftypSize]), mdat...)
		require.ErrorIs(t, CheckComplete(broken, typ), ErrCorrupt)
	})
	t.Run("coded data damaged", func(t *testing.T) {
		t.Parallel()
		// The boxes are whole, so the API's check passes; the decoder meets the damage.
		damaged := bytes.Clone(file)
		mdat := bytes.Index(damaged, []byte("mdat"))
		require.Positive(t, mdat)
		for i := mdat + 4; i < len(damaged); i++ {
			damaged[i] = 0xFF
		}
		require.NoError(t, CheckComplete(damaged, typ))
		_, err := Decode(bytes.NewReader(damaged))
		require.ErrorIs(t, err, ErrCorrupt)
	})
	t.Run("not HEIF brands", func(t *testing.T) {
		t.Parallel()
		mp4 := append(binary.BigEndian.AppendUint32(nil, 24), []byte("ftypisom\x00\x00\x02\x00isomiso2")...)
		_, ok := Sniff(mp4)
		require.False(t, ok, "an MP4 video is not an image")
	})
}

// heif-convert's output held open after it exited, here by a process that left its group, is
// cut after a grace, and the error says nothing of the image: not ErrCorrupt, so the upload
// does not fail as unreadable and the job is retried.
func TestHEIFOutputLeftOpen(t *testing.T) {
	file := heicFile(t, bigOrientationImage(), 1)
	dir := t.TempDir()
	stub := "#!/bin/sh\nsetsid sleep 60 &\necho $! >" + filepath.Join(dir, "pid") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "heif-convert"), []byte(stub), 0o700))
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Cleanup(func() {
		pid, err := os.ReadFile(filepath.Join(dir, "pid"))
		require.NoError(t, err)
		require.NoError(t, exec.Command("kill", strings.TrimSpace(string(pid))).Run())
	})

	_, err := Decode(bytes.NewReader(file))
	require.ErrorIs(t, err, exec.ErrWaitDelay)
	require.NotErrorIs(t, err, ErrCorrupt)
}
