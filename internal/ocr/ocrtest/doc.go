// Package ocrtest helps test code that reads text from images: it renders known text into a
// page image with the Go fonts (no system fonts needed) and scores what an OCR engine read back
// with the character error rate.
package ocrtest
