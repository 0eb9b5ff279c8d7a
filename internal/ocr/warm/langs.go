package warm

import (
	"cmp"
	"context"
	"slices"
)

// DefaultLangsPerSlot is how many children, each with its own languages, a slot keeps warm
// unless PoolConfig.LangsPerSlot says otherwise.
//
// Memory decides it. A child's models weigh little (Debian's eng is 4 MB on disk, fra 1.1,
// deu 1.5, spa 2.3): measured here, a child holds 35–38 MB once loaded and 54–58 MB after
// reading an A4 page at 200 dpi (eng 58, fra 56, deu 56, spa 54; one child for "fra+eng" 69),
// most of it the Go runtime, libtesseract and a page's buffers that the allocator keeps. So a
// language costs about a child, some 55 MB, and a pool holds at most Size×LangsPerSlot
// children. Two per slot lets a worker read courses in another language than OCR_LANG while
// the default stays warm; the spare child exists only once a page asked for another language.
// A third language costs a child start (loading its models) rather than another 55 MB per
// slot.
const DefaultLangsPerSlot = 2

// anyLang asks checkout for whichever child a free slot has: orientation detection reads the
// osd model, which every child loads whatever its languages.
const anyLang = ""

// prefer returns a free slot with a child for lang: s when it has one (or lang is anyLang),
// else another free slot that has one warm, taken without waiting; s goes back to the pool
// then. Without such a slot it returns s, which will start a child for lang.
func (p *Pool) prefer(s *slot, lang string) *slot {
	if lang == anyLang || s.has(lang) {
		return s
	}
	var passed []*slot
	defer func() {
		for _, o := range passed {
			p.idle <- o
		}
	}()
	for range len(p.slots) - 1 {
		select {
		case o := <-p.idle:
			if o.has(lang) {
				passed = append(passed, s)
				return o
			}
			passed = append(passed, o)
		default:
			return s
		}
	}
	return s
}

// has reports whether s has a child for lang, in use or warm.
func (s *slot) has(lang string) bool {
	return (s.proc != nil && s.proc.lang == lang) ||
		slices.ContainsFunc(s.spare, func(c *child) bool { return c.lang == lang })
}

// switchLang makes s.proc a running child for lang (anyLang: any running child, or one for
// the pool's languages): the slot's own if it has one, else a new one, which stops the
// slot's least recently used child beyond PoolConfig.LangsPerSlot. A spare child found
// dead is dropped; the one in use is replaced when it fails its page, as before.
func (p *Pool) switchLang(ctx context.Context, s *slot, lang string) error {
	s.spare = slices.DeleteFunc(s.spare, (*child).ended)
	if s.proc != nil && (lang == anyLang || s.proc.lang == lang) {
		return nil
	}
	if lang == anyLang && len(s.spare) > 0 {
		lang = s.spare[0].lang
	}
	want := cmp.Or(lang, p.cfg.Lang)
	if i := slices.IndexFunc(s.spare, func(c *child) bool { return c.lang == want }); i >= 0 {
		next := s.spare[i]
		s.spare = slices.Delete(s.spare, i, i+1)
		s.use(next)
		return nil
	}
	next, err := p.start(ctx, want)
	if err != nil {
		return err
	}
	s.use(next)
	for len(s.spare) > p.cfg.LangsPerSlot-1 {
		last := s.spare[len(s.spare)-1]
		s.spare = s.spare[:len(s.spare)-1]
		// Idle: closing its input ends it at once; Close waits for it like any other.
		go last.stop()
	}
	return nil
}

// use makes next the slot's child in use, keeping the one it had as the most recently used
// spare.
func (s *slot) use(next *child) {
	if s.proc != nil {
		s.spare = slices.Insert(s.spare, 0, s.proc)
	}
	s.proc = next
}

// ended reports whether the child's process has exited.
func (e *child) ended() bool {
	select {
	case <-e.exited:
		return true
	default:
		return false
	}
}
