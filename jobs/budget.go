package jobs

import (
	"context"
	"math"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// Budget is memory, in bytes, that OCR jobs take from in proportion to what
// their pages need, so that however many run at once, the pages they hold
// decoded stay within it.
type Budget struct {
	size  int64
	sem   *semaphore.Weighted
	inUse atomic.Int64
}

// NewBudget returns a budget of size bytes.
func NewBudget(size int64) *Budget {
	return &Budget{size: size, sem: semaphore.NewWeighted(size)}
}

// Size is the whole budget; a nil Budget has no bound.
func (b *Budget) Size() int64 {
	if b == nil {
		return math.MaxInt64
	}
	return b.size
}

// InUse is how much of the budget the pages being read hold now.
func (b *Budget) InUse() int64 {
	if b == nil {
		return 0
	}
	return b.inUse.Load()
}

// take waits until n bytes are free and takes them, or returns ctx's error.
// n must not be above Size. A nil Budget gives everything at once.
func (b *Budget) take(ctx context.Context, n int64) (release func(), err error) {
	if b == nil {
		return func() {}, nil
	}
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	b.inUse.Add(n)
	return func() { b.inUse.Add(-n); b.sem.Release(n) }, nil
}
