package main

import (
	"context"
	"log/slog"

	"github.com/snapnote/snapnote/internal/config"
)

// logDevStorage says which blob store `snapnote dev` uses. Local disk is the
// default (STORAGE's own); a STORAGE the developer set, in the environment or
// .env, is honoured as DATABASE_URL and AUTH_MODE are: setting it says they
// mean to try that store (the MinIO of compose.yaml, say), and quietly
// writing to ./data instead would hide that their S3 settings were never
// used.
func logDevStorage(ctx context.Context, cfg *config.Config, logger *slog.Logger) {
	if cfg.Storage == "s3" {
		logger.InfoContext(ctx, "dev stores blobs in S3 because STORAGE=s3 is set; unset it for local storage",
			slog.String("bucket", cfg.S3Bucket), slog.String("endpoint", cfg.S3Endpoint))
		return
	}
	logger.InfoContext(ctx, "dev stores blobs on local disk", slog.String("dir", cfg.StorageDir))
}
