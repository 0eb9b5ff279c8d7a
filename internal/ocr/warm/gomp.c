//go:build cgo

// A single-threaded stand-in for the four functions of GNU OpenMP's runtime (libgomp) through
// which libtesseract opens its parallel regions. The children read with one thread each
// (OMP_THREAD_LIMIT=1), and libgomp then runs a region on the calling thread too, but first
// allocates a team for it and, at its end, wakes the team's barrier with a futex system call
// even though no other thread waits there. Tesseract's LSTM opens a region of "parallel
// sections" for each of its gates at every step along a text line: about 50,000 a page, each
// a system call, a fifth of a page's processor time on this virtual machine.
//
// The program defines these functions, so the dynamic linker binds libtesseract's calls to
// them before libgomp's. Each runs the region's body once on the calling thread, the sections
// in order, exactly as libgomp does with one thread. libtesseract calls no other part of
// libgomp that keeps a team's state (warm's tests check both).

struct sections {
	unsigned next, count;
};

// The sections region running on this thread, innermost first.
static __thread struct sections *current;

// #pragma omp parallel: the body once, with no team (omp_get_num_threads() is then 1 and
// omp_get_thread_num() 0, so a loop shared out in the body runs whole).
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags) {
	fn(data);
}

// #pragma omp parallel sections: the body, which asks GOMP_sections_next for sections
// 1 to count and runs each, until it answers 0.
void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned num_threads, unsigned count,
                            unsigned flags) {
	struct sections s = {1, count}, *outer = current;
	current = &s;
	fn(data);
	current = outer;
}

unsigned GOMP_sections_next(void) {
	return current->next <= current->count ? current->next++ : 0;
}

// The end of a sections region without a barrier: nothing to wait for.
void GOMP_sections_end_nowait(void) {}
