// Package warm keeps Tesseract loaded in child processes of the worker, so a page costs its
// recognition and not the loading of models: a [Pool] of children, each the running binary
// started again ([ServeIfChild]), speaking a small protocol over its stdin and stdout, and
// calling libtesseract through cgo. A child that overruns its page's deadline or crashes is
// killed and replaced. See Pool.
package warm
