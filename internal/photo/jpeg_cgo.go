//go:build cgo

package photo

// #cgo LDFLAGS: -ljpeg
// #include <setjmp.h>
// #include <stdio.h>
// #include <stdlib.h>
// #include <string.h>
// #include <jpeglib.h>
//
// struct snapnote_jpeg_error {
// 	struct jpeg_error_mgr mgr;
// 	jmp_buf jump;
// 	char message[JMSG_LENGTH_MAX];
// };
//
// static void snapnote_jpeg_exit(j_common_ptr cinfo) {
// 	struct snapnote_jpeg_error *e = (struct snapnote_jpeg_error *)cinfo->err;
// 	e->mgr.format_message(cinfo, e->message);
// 	longjmp(e->jump, 1);
// }
//
// // A warning means damaged data that libjpeg would paper over: stop, so that Go's
// // decoder gives its verdict on the file.
// static void snapnote_jpeg_warn(j_common_ptr cinfo, int level) {
// 	if (level < 0) snapnote_jpeg_exit(cinfo);
// }
//
// // snapnote_jpeg_size reads the header and returns, through w, h and gray, the size of
// // the image decoded at 1/reduction and whether it is gray. It returns 0, or -1 with
// // message filled in.
// static int snapnote_jpeg_size(const unsigned char *data, unsigned long size, int reduction,
// 		int *w, int *h, int *gray, char *message) {
// 	struct jpeg_decompress_struct cinfo;
// 	struct snapnote_jpeg_error err;
// 	cinfo.err = jpeg_std_error(&err.mgr);
// 	err.mgr.error_exit = snapnote_jpeg_exit;
// 	err.mgr.emit_message = snapnote_jpeg_warn;
// 	if (setjmp(err.jump)) {
// 		jpeg_destroy_decompress(&cinfo);
// 		memcpy(message, err.message, JMSG_LENGTH_MAX);
// 		return -1;
// 	}
// 	jpeg_create_decompress(&cinfo);
// 	jpeg_mem_src(&cinfo, data, size);
// 	jpeg_read_header(&cinfo, TRUE);
// 	if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
// 		jpeg_destroy_decompress(&cinfo);
// 		strcpy(message, "CMYK is not scaled");
// 		return -1;
// 	}
// 	cinfo.scale_num = 1;
// 	cinfo.scale_denom = reduction;
// 	jpeg_calc_output_dimensions(&cinfo);
// 	*w = cinfo.output_width;
// 	*h = cinfo.output_height;
// 	*gray = cinfo.jpeg_color_space == JCS_GRAYSCALE;
// 	jpeg_destroy_decompress(&cinfo);
// 	return 0;
// }
//
// // snapnote_jpeg_decode decodes at 1/reduction into dst, w×h pixels of one byte (gray) or
// // four (R, G, B, opaque alpha), rows packed, as snapnote_jpeg_size found them. It returns
// // 0, or -1 with message filled in.
// static int snapnote_jpeg_decode(const unsigned char *data, unsigned long size, int reduction,
// 		unsigned char *dst, int w, int h, int gray, char *message) {
// 	struct jpeg_decompress_struct cinfo;
// 	struct snapnote_jpeg_error err;
// 	cinfo.err = jpeg_std_error(&err.mgr);
// 	err.mgr.error_exit = snapnote_jpeg_exit;
// 	err.mgr.emit_message = snapnote_jpeg_warn;
// 	if (setjmp(err.jump)) {
// 		jpeg_destroy_decompress(&cinfo);
// 		memcpy(message, err.message, JMSG_LENGTH_MAX);
// 		return -1;
// 	}
// 	jpeg_create_decompress(&cinfo);
// 	jpeg_mem_src(&cinfo, data, size);
// 	jpeg_read_header(&cinfo, TRUE);
// 	cinfo.scale_num = 1;
// 	cinfo.scale_denom = reduction;
// 	cinfo.out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
// #ifdef JCS_EXTENSIONS
// 	if (!gray) cinfo.out_color_space = JCS_EXT_RGBA;
// #endif
// 	jpeg_start_decompress(&cinfo);
// 	if ((int)cinfo.output_width != w || (int)cinfo.output_height != h) {
// 		jpeg_destroy_decompress(&cinfo);
// 		strcpy(message, "output size changed");
// 		return -1;
// 	}
// 	int stride = gray ? w : 4 * w;
// 	while (cinfo.output_scanline < cinfo.output_height) {
// 		unsigned char *row = dst + (size_t)cinfo.output_scanline * stride;
// 		jpeg_read_scanlines(&cinfo, &row, 1);
// 		if (cinfo.out_color_space == JCS_RGB) { // three bytes a pixel: spread them to four
// 			for (int x = w - 1; x >= 0; x--) {
// 				row[4*x+3] = 255; row[4*x+2] = row[3*x+2]; row[4*x+1] = row[3*x+1]; row[4*x] = row[3*x];
// 			}
// 		}
// 	}
// 	jpeg_finish_decompress(&cinfo);
// 	jpeg_destroy_decompress(&cinfo);
// 	return 0;
// }
import "C"

import (
	"errors"
	"image"
	"unsafe"
)

// scalesJPEG: this build decodes JPEGs at a reduced scale with libjpeg(-turbo).
const scalesJPEG = true

// errScaledJPEG is wrapped when libjpeg cannot read a JPEG at a reduced scale; Decode then
// reads it, and its error is the one that says what is wrong.
var errScaledJPEG = errors.New("libjpeg could not read the jpeg")

// decodeJPEGReduced decodes a JPEG at 1/reduction of its width and height (1, 2, 4 or 8)
// with libjpeg's scaled inverse DCT, which never makes the full-size image, straight into
// the returned image's pixels: an *image.Gray for a gray JPEG, an *image.RGBA otherwise.
// The EXIF orientation is not applied. A CMYK JPEG, or data libjpeg warns about (truncated,
// damaged), returns an error wrapping errScaledJPEG.
func decodeJPEGReduced(data []byte, reduction int) (image.Image, error) {
	if len(data) == 0 {
		return nil, errScaledJPEG
	}
	src := (*C.uchar)(unsafe.Pointer(&data[0]))
	var message [C.JMSG_LENGTH_MAX]C.char
	var w, h, gray C.int
	if C.snapnote_jpeg_size(src, C.ulong(len(data)), C.int(reduction), &w, &h, &gray, &message[0]) != 0 {
		return nil, jpegError(message[:])
	}
	rect := image.Rect(0, 0, int(w), int(h))
	if rect.Empty() {
		return nil, errScaledJPEG
	}
	var img image.Image
	var pixels []byte
	if gray != 0 {
		m := image.NewGray(rect)
		img, pixels = m, m.Pix
	} else {
		m := image.NewRGBA(rect)
		img, pixels = m, m.Pix
	}
	if C.snapnote_jpeg_decode(src, C.ulong(len(data)), C.int(reduction), (*C.uchar)(unsafe.Pointer(&pixels[0])),
		w, h, gray, &message[0]) != 0 {
		return nil, jpegError(message[:])
	}
	return img, nil
}

// jpegError wraps libjpeg's message in errScaledJPEG.
func jpegError(message []C.char) error {
	return errors.Join(errScaledJPEG, errors.New(C.GoString(&message[0])))
}
