// Package storage keeps SnapNote's blobs: uploaded images and database backups.
//
// A blob is addressed by a key, a slash-separated relative path such as
// "uploads/<upload id>/<page id>.png" or "backups/2026-11-27T05-00-00Z.dump".
// Every Store accepts the same keys, so data can move between backends: a key
// must be a valid [io/fs] path (no empty, "." or ".." elements, no leading or
// trailing slash), no element may start with a dot, and it may not contain a
// backslash or NUL byte or be longer than 1024 bytes. Anything else is rejected
// with [ErrInvalidKey].
//
// Two backends implement [Store]:
//
//   - [Local] keeps blobs as files under a root directory, for development and
//     single-host deployments. Writes go to a temporary file that is renamed
//     into place, so readers see the old blob or the new one, never a mix.
//   - [S3] keeps blobs in an S3 bucket (AWS, MinIO or any S3-compatible
//     server). It also implements [Presigner], so the API can redirect
//     downloads to the bucket.
//
// Put accepts readers of unknown length, such as a pg_dump pipe: Local streams
// to disk and S3 switches to a multipart upload once the body outgrows one part,
// holding at most a few parts in memory.
//
// Package storagetest holds the behaviour every Store must have, as a test
// suite that both backends run.
package storage
