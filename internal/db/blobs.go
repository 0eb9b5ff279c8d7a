package db

import (
	"context"
	"fmt"
)

// ReferencedBlobKeys returns those of keys that an upload, one of its
// pages or a page's figure (blob_key) or a document (image_path) still references. Pass keys in batches of about a
// thousand: they travel as one array parameter.
func (q *Queries) ReferencedBlobKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	rows, err := q.db.Query(ctx, `
		SELECT blob_key FROM uploads WHERE blob_key = ANY($1::text[])
		UNION
		SELECT blob_key FROM upload_pages WHERE blob_key = ANY($1::text[])
		UNION
		SELECT blob_key FROM page_figures WHERE blob_key = ANY($1::text[])
		UNION
		SELECT image_path FROM documents WHERE image_path = ANY($1::text[])`, keys)
	if err != nil {
		return nil, fmt.Errorf("find referenced blobs: %w", err)
	}
	defer rows.Close()
	referenced := make(map[string]bool)
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, fmt.Errorf("find referenced blobs: %w", err)
		}
		referenced[key] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find referenced blobs: %w", err)
	}
	return referenced, nil
}
