// Package photo checks and decodes the image files users upload: photos of lecture notes taken
// with a phone camera or scanned pages.
//
// Nothing about an upload is trusted. [Sniff] decides the format from the file's first bytes,
// never from its name or declared content type, and recognises JPEG, PNG, WebP, TIFF, GIF and
// BMP. [DecodeConfig] reads only the image header, so a caller can refuse an image whose pixel
// count would exhaust memory before anything is decoded; a tiny file can claim 30000×30000
// pixels. [Decode] then decodes the whole image and turns it upright according to its EXIF
// orientation, as a camera that was held sideways records it. [DecodeReduced] decodes a JPEG at
// 1/2, 1/4 or 1/8 of its width and height with libjpeg's scaled inverse DCT (cgo builds), never
// making the full-size image, and [ReducedDecoder] uses it for OCR: a large photo at half size
// when its reader accepts that, else whole, with memory reserved as [PlanDecode] plans it.
//
// BMP is read by this package's own decoder in every Windows encoding: uncompressed at 1 to 32
// bits per pixel, run-length encoded (RLE8, RLE4) and with bit fields. A JPEG- or PNG-compressed,
// CMYK or OS/2 BMP is refused with an [UnsupportedError] naming the variant.
//
// A file the decoders cannot read is reported with an error wrapping [ErrCorrupt]: retrying will
// not help. An error from the reader itself (a failed download, say) is returned wrapped as it
// is, without ErrCorrupt, so a caller can tell the two apart.
package photo
