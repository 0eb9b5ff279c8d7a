package storage

import (
	"context"
	"fmt"
)

// Check describes the store's root directory: a root that was removed or
// whose disk went away answers an error wrapping ErrUnavailable.
func (l *Local) Check(context.Context) error {
	if _, err := l.root.Stat("."); err != nil {
		return fmt.Errorf("check blob root: %w: %w", ErrUnavailable, err)
	}
	return nil
}
