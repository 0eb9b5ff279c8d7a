package api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
)

// BenchmarkUploadBesideSlowBodies times one user's upload alone, then while
// another user holds 100 upload connections that send half a body and
// stall, at the default admission settings. The difference is the delay
// slow clients put on others.
//
//	go test -run '^$' -bench UploadBesideSlowBodies ./api
func BenchmarkUploadBesideSlowBodies(b *testing.B) {
	bundle := apitest.SetupWith(b, func(c *api.Config) { c.UploadConcurrency, c.UploadsPerUser, c.UploadsReceiving = 8, 4, 64 })
	alice, mallory := bundle.User("alice"), bundle.User("mallory")
	aliceCourse, malloryCourse := alice.CreateCourse("Physics"), mallory.CreateCourse("Physics")
	photo := apitest.LecturePNG(b)
	aliceBody, aliceCT := apitest.Form{Fields: map[string]string{"courseId": aliceCourse.ID.String()}, Filename: "p.png", File: photo}.Encode(b)
	upload := func(b *testing.B) {
		for b.Loop() {
			res := alice.Do(http.MethodPost, "/api/uploads", bytes.NewReader(aliceBody.Bytes()), aliceCT)
			require.Equal(b, http.StatusAccepted, res.Status, "%s", res.Body)
		}
	}
	b.Run("alone", upload)

	malloryBody, malloryCT := apitest.Form{Fields: map[string]string{"courseId": malloryCourse.ID.String()}, Filename: "p.png", File: photo}.Encode(b)
	half := malloryBody.Bytes()[:malloryBody.Len()/2]
	refused := 0
	var stalled []*io.PipeWriter
	for range 100 {
		pw, answered := mallory.StartUpload(malloryCT)
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
