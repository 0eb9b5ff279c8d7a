package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os/exec"
)

// command runs a PostgreSQL client program with the database's connection
// settings. Its context is cancelled by kill, which stops the program.
type command struct {
	name   string
	cmd    *exec.Cmd
	stderr stderrTail
	kill   context.CancelFunc
	waited bool
	err    error
}

func newCommand(ctx context.Context, t tool, databaseURL string, args ...string) (*command, error) {
	dbURL, env, err := libpqTarget(databaseURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &command{name: t.Name, kill: cancel}
	c.cmd = exec.CommandContext(ctx, t.Path, append(args, "--dbname="+dbURL)...)
	c.cmd.Env = env
	c.cmd.Stderr = &c.stderr
	return c, nil
}

// wait waits for the program once and returns its failure with what it
// wrote to standard error.
func (c *command) wait() error {
	if c.waited {
		return c.err
	}
	c.waited = true
	if err := c.cmd.Wait(); err != nil {
		c.err = fmt.Errorf("%s: %w: %s", c.name, err, c.stderr.String())
	}
	c.kill()
	return c.err
}

// stop kills the program if it still runs and reaps it; after wait, or
// before the program started, it only releases the context.
func (c *command) stop() {
	c.kill()
	if !c.waited && c.cmd.Process != nil {
		_ = c.wait() // killed on purpose: the caller reports why
	}
}

// outputReader reads a program's standard output. At the end of the output
// it waits for the program and turns a failed exit into a read error, so a
// dump cut short by a failing pg_dump is never stored as if complete.
type outputReader struct {
	r io.Reader
	c *command
}

func (o outputReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if errors.Is(err, io.EOF) {
		if werr := o.c.wait(); werr != nil {
			return n, werr
		}
	}
	return n, err
}

// digest hashes and counts the bytes written to it, reporting the running
// total to progress.
type digest struct {
	hash     hash.Hash
	n        int64
	base     int64 // bytes counted before this archive, for progress
	progress func(int64)
}

func newDigest(base int64, progress func(int64)) *digest {
	return &digest{hash: sha256.New(), base: base, progress: progress}
}

func (d *digest) Write(p []byte) (int, error) {
	d.hash.Write(p)
	d.n += int64(len(p))
	if d.progress != nil {
		d.progress(d.base + d.n)
	}
	return len(p), nil
}

func (d *digest) sum() string {
	return hex.EncodeToString(d.hash.Sum(nil))
}

// verify checks what the digest saw against want.
func (d *digest) verify(want File) error {
	if d.n != want.Size || d.sum() != want.SHA256 {
		return fmt.Errorf("%s does not match its manifest: %d bytes with SHA-256 %s, want %d bytes with SHA-256 %s",
			want.Key, d.n, d.sum(), want.Size, want.SHA256)
	}
	return nil
}

// holdBackSize is how much of an archive copyHoldingLast keeps back.
const holdBackSize = 256 << 10

// copyHoldingLast copies src to dst but holds the last chunk back until src
// is exhausted and verify passes. pg_restore cannot finish an archive
// without its last bytes, so an archive that fails verification is never
// committed: the caller kills pg_restore instead, and its single
// transaction rolls back.
func copyHoldingLast(dst io.Writer, src io.Reader, verify func() error) error {
	bufs := [2][]byte{make([]byte, holdBackSize), make([]byte, holdBackSize)}
	var held []byte
	for i := 0; ; i ^= 1 {
		n, err := io.ReadFull(src, bufs[i])
		if n > 0 {
			if _, werr := dst.Write(held); werr != nil {
				return werr
			}
			held = bufs[i][:n]
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if err := verify(); err != nil {
				return err
			}
			_, err := dst.Write(held)
			return err
		}
		if err != nil {
			return err
		}
	}
}
