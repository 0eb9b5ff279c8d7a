package auth

import (
	"fmt"
	"path/filepath"
)

// DevKeyPath is the file under dir that holds the dev signing key.
func DevKeyPath(dir string) string { return filepath.Join(dir, devKeyFile) }

// LoadDevKey reads the dev signing key that LoadOrCreateDevKey made in dir,
// and never makes one: a tool that signs tokens for a running server (such
// as `snapnote token`) must use that server's key, and a second key would
// only sign tokens the server refuses. Returns an error wrapping
// fs.ErrNotExist when dir holds no key, and an error naming the file when
// it cannot be read or parsed.
func LoadDevKey(dir string) (*DevKey, error) {
	path := DevKeyPath(dir)
	key, err := readDevKey(path)
	if err != nil {
		return nil, err
	}
	kid, err := thumbprintKID(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("computing kid of dev signing key %s: %w", path, err)
	}
	return &DevKey{key: key, kid: kid}, nil
}
