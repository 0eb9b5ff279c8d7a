package queue

import "github.com/riverqueue/river"

// TrashPurgeArgs hard-deletes every user's courses and documents that have
// been in trash longer than the retention period.
type TrashPurgeArgs struct{}

// Kind identifies the job to River.
func (TrashPurgeArgs) Kind() string { return "trash_purge" }

// InsertOpts runs the purge on the maintenance queue at most once a day.
func (TrashPurgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Maintenance, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: Day}}
}

// BackupArgs backs up the database (and, with local storage, the uploaded
// images) into blob storage, then deletes the backups beyond BACKUP_KEEP.
type BackupArgs struct{}

// Kind identifies the job to River.
func (BackupArgs) Kind() string { return "backup" }

// InsertOpts runs backups on the maintenance queue, at most one a day unless
// the periodic job's schedule asks for a shorter period.
func (BackupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Maintenance, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: Day}}
}

// OrphanSweepArgs deletes uploaded blobs that no row references: images whose
// upload never committed, and purged ones whose deletion was given up on.
type OrphanSweepArgs struct{}

// Kind identifies the job to River.
func (OrphanSweepArgs) Kind() string { return "orphan_sweep" }

// InsertOpts runs the sweep on the maintenance queue at most once a day.
func (OrphanSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Maintenance, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: Day}}
}

// blobDeleteBatch bounds the keys one BlobDeleteArgs job carries, so its
// args stay small however much trash a purge removes.
const blobDeleteBatch = 500

// BlobDeleteArgs deletes blobs that no row references any more. It is the
// durable record of a pending deletion: inserted in the transaction that
// removes the rows, retried by River until every key is gone.
type BlobDeleteArgs struct {
	Keys []string `json:"keys"`
}

// Kind identifies the job to River.
func (BlobDeleteArgs) Kind() string { return "blob_delete" }

// InsertOpts puts blob deletions on the maintenance queue. River retries a
// failed one with growing backoff for about three weeks; a key still left
// after that is unreferenced, so the orphan sweep takes it.
func (BlobDeleteArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Maintenance, MaxAttempts: 25}
}
