package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/snapnote/snapnote"
	"github.com/snapnote/snapnote/internal/db"
	"github.com/snapnote/snapnote/internal/queue"
)

// runUpload posts photos from concurrent clients to the real API handler and
// does the same inserts directly (queue.CreateUpload: the upload, its page,
// its OCR job and the audit row in one transaction) from as many goroutines.
func runUpload(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	clients := fs.Int("clients", 8, "concurrent clients, each a user of its own")
	n := fs.Int("n", 200, "uploads in all")
	size := fs.Int("kb", 100, "size of each photo in KB (a PNG of noise)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clients < 1 || *n < *clients {
		return errors.New("want -clients ≥ 1 and -n ≥ -clients")
	}
	scratch, err := newScratchDB(ctx, 20) // DB_MAX_CONNS's default
	if err != nil {
		return err
	}
	defer scratch.drop()
	dir, err := os.MkdirTemp("", "snapnote-bench-upload")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	srv, err := newAPIServer(scratch.Pool, dir+"/blobs", dir, 160<<20)
	if err != nil {
		return err
	}
	defer srv.Close()

	// Every photo differs, as a hash or idempotency check would notice.
	photos := make([][]byte, *n)
	for i := range photos {
		photos[i] = noisePNG(*size<<10, uint64(i))
	}
	users := make([]*apiUser, *clients)
	for i := range users {
		if users[i], err = srv.newUser(fmt.Sprintf("bench|upload-%d", i)); err != nil {
			return err
		}
	}

	var failed atomic.Int64
	viaAPI := timeConcurrent(*n, *clients, func(client, i int) {
		status, body, err := users[client].upload(fmt.Sprintf("photo-%d.png", i), photos[i])
		if err != nil || status != http.StatusAccepted {
			if failed.Add(1) == 1 {
				fmt.Fprintf(os.Stderr, "upload %d: %d %s %v\n", i, status, body, err)
			}
		}
	})

	direct, err := insertDirect(ctx, scratch.Pool, srv.Queue, users, photos, *clients, &failed)
	if err != nil {
		return err
	}
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d of %d uploads failed", f, 2**n)
	}

	fmt.Printf("%d uploads of %d KB from %d clients (a user each), API over loopback vs queue.CreateUpload\n\n",
		*n, len(photos[0])>>10, *clients)
	table([]string{"way", "seconds", "uploads/s", "ratio"},
		[]string{"direct: one transaction (baseline)", secs(direct), rate(*n, direct), "1.00"},
		[]string{"API: POST /api/uploads", secs(viaAPI), rate(*n, viaAPI), ratio(direct, viaAPI)},
	)
	fmt.Println("\ntarget: API ≥ 0.20× direct")
	return nil
}

// insertDirect makes the same rows as the uploads, without HTTP, auth, the
// multipart form, checking the image or storing the blob, and returns the
// time it took; failed counts those that failed.
func insertDirect(ctx context.Context, pool *pgxpool.Pool, q *queue.Queue, users []*apiUser, photos [][]byte, clients int,
	failed *atomic.Int64) (time.Duration, error) {
	d := db.New(pool)
	ids := make([]uuid.UUID, len(users))
	for i := range users {
		u, err := d.UpsertUser(ctx, db.Identity{Subject: fmt.Sprintf("bench|upload-%d", i)})
		if err != nil {
			return 0, err
		}
		ids[i] = u.ID
	}
	return timeConcurrent(len(photos), clients, func(client, i int) {
		id, user := uuid.New(), ids[client]
		sum := sha256.Sum256(photos[i])
		page := db.NewPage{BlobKey: snapnote.PageBlobKey(user, id, 1, ".png"), ContentType: "image/png",
			ByteSize: int64(len(photos[i])), SHA256: hex.EncodeToString(sum[:]), ImageWidth: 320, ImageHeight: 320}
		_, err := q.CreateUpload(ctx, db.NewUpload{ID: id, UserID: user, CourseID: users[client].Course,
			OriginalFilename: fmt.Sprintf("photo-%d.png", i), Pages: []db.NewPage{page}}, db.AuditEntry{UserID: &user})
		if err != nil && failed.Add(1) == 1 {
			fmt.Fprintf(os.Stderr, "direct insert %d: %v\n", i, err)
		}
	}), nil
}

// timeConcurrent runs do for items 0…n-1 from clients goroutines and returns
// the time they took. do gets the client's number and the item.
func timeConcurrent(n, clients int, do func(client, i int)) time.Duration {
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for i := range next {
				do(c, i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return time.Since(start)
}

// noisePNG returns a gray PNG of random pixels about size bytes long: noise
// does not compress, so the file is as large as its pixels.
func noisePNG(size int, seed uint64) []byte {
	side := 1
	for side*side < size {
		side++
	}
	img := image.NewGray(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.Uint32())
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	return buf.Bytes()
}
