package api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
)

// BenchmarkUploadBesideSlowBodies times one user's upload alone, then while
// another user holds 100 upload connections that send half a body and
// stall, at the default admission settings. The difference is the delay
// slow clients put on others.
//
//	go test -run '^$' -bench UploadBesideSlowBodies ./api
func BenchmarkUploadBesideSlowBodies(b *testing.B) {
	bundle := setupWith(b, func(c *api.Config) { c.UploadConcurrency, c.UploadsPerUser, c.UploadsReceiving = 8, 4, 64 })
	alice, mallory := bundle.user("alice"), bundle.user("mallory")
	aliceCourse, malloryCourse := alice.createCourse("Physics"), mallory.createCourse("Physics")
	photo := lecturePNG(b)
	aliceBody, aliceCT := form{fields: map[string]string{"courseId": aliceCourse.ID.String()}, filename: "p.png", file: photo}.encode(b)
	upload := func(b *testing.B) {
		for b.Loop() {
			res := alice.do(http.MethodPost, "/api/uploads", bytes.NewReader(aliceBody.Bytes()), aliceCT)
			require.Equal(b, http.StatusAccepted, res.Status, "%s", res.Body)
		}
	}
	b.Run("alone", upload)

	malloryBody, malloryCT := form{fields: map[string]string{"courseId": malloryCourse.ID.String()}, filename: "p.png", file: photo}.encode(b)
	half := malloryBody.Bytes()[:malloryBody.Len()/2]
	refused := 0
	var stalled []*io.PipeWriter
	for range 100 {
		pw, answered := mallory.startUpload(malloryCT)
		go func() { _, _ = pw.Write(half) }()
		select {
		case status := <-answered: // refused before its body was read
			require.Equal(b, http.StatusTooManyRequests, status)
			refused++
			_ = pw.Close()
		case <-time.After(200 * time.Millisecond): // admitted: it stalls mid-body
			stalled = append(stalled, pw)
		}
	}
	b.Cleanup(func() {
		for _, pw := range stalled {
			_ = pw.CloseWithError(io.ErrUnexpectedEOF)
		}
	})
	b.Logf("slow bodies: %d stalled mid-body, %d refused at once (429)", len(stalled), refused)
	b.Run("beside 100 slow bodies", upload)
}
