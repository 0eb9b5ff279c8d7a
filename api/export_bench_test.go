package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/api/apitest"
)

// BenchmarkExport streams the export of 1,000 notes, each with a page
// image of about 100 KB, and reports its throughput.
//
//	go test -run '^$' -bench Export -benchtime 3x ./api
func BenchmarkExport(b *testing.B) {
	bundle := apitest.Setup(b)
	alice := bundle.User("alice")
	course := alice.CreateCourse("Physics")
	userID := alice.ID()
	image := bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16)
	var seeded []apitest.Note
	for i := range 1000 {
		key := snapnote.PageBlobKey(userID, uuid.New(), 1, ".jpg")
		_, err := bundle.Blobs.Put(context.Background(), key, bytes.NewReader(image), "image/jpeg")
		require.NoError(b, err)
		seeded = append(seeded, apitest.Note{Course: course.ID, Title: fmt.Sprintf("Lecture %d", i),
			Body: "# Lecture\n\nThe first law states that energy is conserved.\n", ImageKey: key})
	}
	ids := alice.SeedNotes(seeded...)
	for i, id := range ids {
		// Each note's page, as the pipeline would have placed it.
		_, err := bundle.Pool.Exec(context.Background(), `
			WITH u AS (INSERT INTO uploads (id, user_id, course_id, status, stage, blob_key, content_type, byte_size,
				sha256, image_width, image_height, finished_at, document_id)
				VALUES (gen_random_uuid(), $1, $2, 'done', 'extract', $3, 'image/jpeg', $4, repeat('0', 64), 100, 100, now(), $5)
				RETURNING id)
			INSERT INTO upload_pages (upload_id, n, blob_key, content_type, byte_size, sha256, image_width, image_height,
				status, document_id, position)
			SELECT u.id, 1, $3, 'image/jpeg', $4, repeat('0', 64), 100, 100, 'done', $5, 1 FROM u`,
			userID, course.ID, seeded[i].ImageKey, len(image), id)
		require.NoError(b, err)
	}
	var size int64
	for b.Loop() {
		req, err := http.NewRequest(http.MethodGet, bundle.Server.URL+"/api/export", nil)
		require.NoError(b, err)
		req.Header.Set("Authorization", "Bearer "+alice.Token)
		res, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		size, err = io.Copy(io.Discard, res.Body)
		require.NoError(b, err)
		require.NoError(b, res.Body.Close())
		require.Equal(b, http.StatusOK, res.StatusCode)
	}
	b.SetBytes(size)
}
