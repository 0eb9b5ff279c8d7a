package warm

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"math"

	"github.com/snapnote/snapnote/internal/ocr"
)

// The protocol between a Pool and its child processes, over the child's stdin and
// stdout. Every message is a frame: a 4-byte big-endian length, then that many bytes. The
// child starts by sending childHello (or an error frame when its models do not load), then
// answers each request frame with one response frame, in order, until its stdin closes.
//
// Request:  op u8 · psm u8 · dpi u16 · width u32 · height u32 · width×height 8-bit gray pixels
// Response: status u8, then
//   - statusError: the message, UTF-8, to the end of the frame;
//   - opOrient:    detected u8 · turn u16 · confidence f32;
//   - opRecognize: count u32, then per word: page, block, par, line, left, top, right, bottom
//     u32 · conf f64 · len u16 · text.

// childHello is the first frame a ready child sends: it tells a real child from a program
// that happens to write to its stdout (such as a test binary that does not serve children).
const childHello = "snapnote-ocr-engine/2"

// Request operations.
const (
	// opOrient detects the page's orientation (Tesseract --psm 0, osd data).
	opOrient byte = 1
	// opRecognize reads the page's words with the pool's languages.
	opRecognize byte = 2
	// opHang never answers. Children serve it only when their environment has envTestHang,
	// which only the package's tests set, to stand for a page Tesseract never finishes.
	opHang byte = 0x7f
)

// Response statuses.
const (
	statusOK    byte = 0
	statusError byte = 1
)

// wordHeader is the size of a word in a response before its text.
const wordHeader = 8*4 + 8 + 2

// maxFrame bounds a frame: a page is at most defaultMaxSide² pixels after preprocessing, but
// MaxSide may be raised, so allow a gigabyte, not an unbounded allocation from a corrupt length.
const maxFrame = 1 << 30

// request is one page for a child.
type request struct {
	op  byte
	psm byte
	dpi uint16
	img *image.Gray
}

// response is a child's answer to one request.
type response struct {
	// err is the child's message when it could not read the page; the child is still fine.
	err string
	// For opOrient: whether Tesseract could judge the page, the clockwise turn that makes it
	// upright and Tesseract's confidence.
	detected   bool
	turn       int
	confidence float64
	// For opRecognize: the words in reading order.
	words []ocr.Word
}

// writeFrame writes one frame made of parts.
func writeFrame(w io.Writer, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n > maxFrame {
		return fmt.Errorf("frame of %d bytes exceeds %d", n, maxFrame)
	}
	var head [4]byte
	binary.BigEndian.PutUint32(head[:], uint32(n))
	if _, err := w.Write(head[:]); err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// readFrame reads one frame. A stream that ends before the frame starts returns io.EOF; one
// that ends inside it, io.ErrUnexpectedEOF.
func readFrame(r *bufio.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n > maxFrame {
		return nil, fmt.Errorf("frame of %d bytes exceeds %d", n, maxFrame)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// writeRequest sends req; the pixels go straight from the image, without a copy.
func writeRequest(w io.Writer, req request) error {
	b := req.img.Rect
	width, height := b.Dx(), b.Dy()
	head := make([]byte, 12)
	head[0], head[1] = req.op, req.psm
	binary.BigEndian.PutUint16(head[2:], req.dpi)
	binary.BigEndian.PutUint32(head[4:], uint32(width))
	binary.BigEndian.PutUint32(head[8:], uint32(height))
	if req.img.Stride == width {
		start := req.img.PixOffset(b.Min.X, b.Min.Y)
		return writeFrame(w, head, req.img.Pix[start:start+width*height])
	}
	pix := make([]byte, 0, width*height)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		start := req.img.PixOffset(b.Min.X, y)
		pix = append(pix, req.img.Pix[start:start+width]...)
	}
	return writeFrame(w, head, pix)
}

// parseRequest reads a request frame; the image shares the frame's memory.
func parseRequest(frame []byte) (request, error) {
	if len(frame) < 12 {
		return request{}, fmt.Errorf("request of %d bytes is shorter than its header", len(frame))
	}
	req := request{op: frame[0], psm: frame[1], dpi: binary.BigEndian.Uint16(frame[2:])}
	width, height := int(binary.BigEndian.Uint32(frame[4:])), int(binary.BigEndian.Uint32(frame[8:]))
	if width <= 0 || height <= 0 || len(frame)-12 != width*height {
		return request{}, fmt.Errorf("request of %d pixels for a %d×%d image", len(frame)-12, width, height)
	}
	req.img = &image.Gray{Pix: frame[12:], Stride: width, Rect: image.Rect(0, 0, width, height)}
	return req, nil
}

// encodeResponse returns the frame body of resp, an answer to a request of op.
func encodeResponse(op byte, resp response) []byte {
	if resp.err != "" {
		return append([]byte{statusError}, resp.err...)
	}
	out := []byte{statusOK}
	switch op {
	case opOrient:
		detected := byte(0)
		if resp.detected {
			detected = 1
		}
		out = append(out, detected)
		out = binary.BigEndian.AppendUint16(out, uint16(resp.turn))
		out = binary.BigEndian.AppendUint32(out, math.Float32bits(float32(resp.confidence)))
	case opRecognize:
		out = binary.BigEndian.AppendUint32(out, uint32(len(resp.words)))
		for _, w := range resp.words {
			for _, n := range []int{w.Page, w.Block, w.Par, w.Line, w.Box.Min.X, w.Box.Min.Y, w.Box.Max.X, w.Box.Max.Y} {
				out = binary.BigEndian.AppendUint32(out, uint32(n))
			}
			out = binary.BigEndian.AppendUint64(out, math.Float64bits(w.Conf))
			text := w.Text[:min(len(w.Text), math.MaxUint16)]
			out = binary.BigEndian.AppendUint16(out, uint16(len(text)))
			out = append(out, text...)
		}
	}
	return out
}

// parseResponse reads the frame body of an answer to a request of op.
func parseResponse(op byte, frame []byte) (response, error) {
	short := fmt.Errorf("response of %d bytes is cut short", len(frame))
	if len(frame) < 1 {
		return response{}, short
	}
	status, body := frame[0], frame[1:]
	switch {
	case status == statusError:
		return response{err: string(body)}, nil
	case status != statusOK:
		return response{}, fmt.Errorf("response status %d", status)
	}
	var resp response
	switch op {
	case opOrient:
		if len(body) != 7 {
			return response{}, short
		}
		resp.detected = body[0] == 1
		resp.turn = int(binary.BigEndian.Uint16(body[1:]))
		resp.confidence = float64(math.Float32frombits(binary.BigEndian.Uint32(body[3:])))
	case opRecognize:
		if len(body) < 4 {
			return response{}, short
		}
		n := binary.BigEndian.Uint32(body)
		body = body[4:]
		resp.words = make([]ocr.Word, 0, min(n, uint32(len(body)/wordHeader)))
		for range n {
			if len(body) < wordHeader {
				return response{}, short
			}
			w := ocr.Word{
				Page:  int(binary.BigEndian.Uint32(body)),
				Block: int(binary.BigEndian.Uint32(body[4:])),
				Par:   int(binary.BigEndian.Uint32(body[8:])),
				Line:  int(binary.BigEndian.Uint32(body[12:])),
				Box: image.Rect(int(binary.BigEndian.Uint32(body[16:])), int(binary.BigEndian.Uint32(body[20:])),
					int(binary.BigEndian.Uint32(body[24:])), int(binary.BigEndian.Uint32(body[28:]))),
				Conf: math.Float64frombits(binary.BigEndian.Uint64(body[32:])),
			}
			size := int(binary.BigEndian.Uint16(body[40:]))
			body = body[wordHeader:]
			if len(body) < size {
				return response{}, short
			}
			w.Text, body = string(body[:size]), body[size:]
			resp.words = append(resp.words, w)
		}
	}
	return resp, nil
}
