// Package intake receives an upload's multipart body and checks its pages
// by their bytes, before anything is stored: the form streamed under a size
// cap and a read deadline, each file spooled to a temporary file so that a
// slow client holds disk and not memory; then each page's type by its magic
// number, its pixel count from the header, that it is whole, and the memory
// reading it would take. Admission bounds how many bodies are received at
// once. What it refuses is an *Error with the HTTP status and the fields at
// fault, which the API turns into a problem response.
package intake
