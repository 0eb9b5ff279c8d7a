// Package backup makes and restores whole-system backups of SnapNote: the
// database as a pg_dump custom-format archive and, with local blob storage,
// the uploaded images as a tar archive, both streamed straight into blob
// storage beside a small JSON manifest.
//
// A backup lives under one prefix named for the UTC time it started, to the
// microsecond, and a random suffix, so that two backups never share it:
//
//	backups/2026-11-27T03-00-00.123456Z-3fa2c0d1/db.dump        pg_dump -Fc of the database
//	backups/2026-11-27T03-00-00.123456Z-3fa2c0d1/blobs.tar      uploads/… (local storage only)
//	backups/2026-11-27T03-00-00.123456Z-3fa2c0d1/manifest.json  sizes, SHA-256 sums, versions
//
// Backups named by their second alone (backups/2026-11-27T03-00-00Z/), as
// earlier builds made them, are listed, kept and restored like the others.
//
// The manifest is written last, so a prefix without one is an unfinished
// backup and is never offered for restore. Nothing is staged on local disk:
// pg_dump's standard output is the body of a storage Put, hashed and counted
// as it streams, and pg_restore reads the archive from a storage Get.
//
// pg_dump and pg_restore must have the server's major version (an older tool
// cannot read a newer server; a newer one writes archives an older one cannot
// read). They are looked up in /usr/lib/postgresql/MAJOR/bin first, as Debian
// installs every major side by side, then on PATH.
package backup
