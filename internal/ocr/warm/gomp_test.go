//go:build cgo && linux

package warm

import (
	"bufio"
	"debug/elf"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// standIn names the functions of libgomp that gomp.c defines.
var standIn = []string{"GOMP_parallel", "GOMP_parallel_sections", "GOMP_sections_next", "GOMP_sections_end_nowait"}

// TestOpenMPStandIn checks what gomp.c relies on: libtesseract calls no GOMP_ function but
// its four (another might keep a team or a sections region of libgomp's own); and the program
// exports them, so the dynamic linker binds libtesseract's calls to them. The words read
// are checked against the tesseract command, which runs libgomp itself, by
// TestChildProcessesReadLikeTheCommand (package tesseract).
func TestOpenMPStandIn(t *testing.T) {
	lib := loadedLibrary(t, "libtesseract.so")
	var gomp []string
	for _, s := range dynamicSymbols(t, lib) {
		if s.Section == elf.SHN_UNDEF && strings.HasPrefix(s.Name, "GOMP_") {
			gomp = append(gomp, s.Name)
		}
	}
	if len(gomp) == 0 {
		t.Skipf("%s is built without OpenMP: the stand-in goes unused", lib)
	}
	for _, name := range gomp {
		require.Contains(t, standIn, name, "%s calls %s, which gomp.c does not stand in for", lib, name)
	}

	exe, err := os.Executable()
	require.NoError(t, err)
	syms := dynamicSymbols(t, exe)
	for _, name := range standIn {
		i := slices.IndexFunc(syms, func(s elf.Symbol) bool { return s.Name == name })
		require.GreaterOrEqual(t, i, 0, "%s is not in the program's dynamic symbols", name)
		require.NotEqual(t, elf.SHN_UNDEF, syms[i].Section, "the program does not define %s", name)
	}
}

// dynamicSymbols returns the dynamic symbols of the ELF file at path.
func dynamicSymbols(t *testing.T, path string) []elf.Symbol {
	f, err := elf.Open(path)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	syms, err := f.DynamicSymbols()
	require.NoError(t, err)
	return syms
}

// loadedLibrary returns the path of the shared library this process mapped whose file name
// starts with prefix.
func loadedLibrary(t *testing.T, prefix string) string {
	maps, err := os.Open("/proc/self/maps")
	require.NoError(t, err)
	defer func() { _ = maps.Close() }()
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if path := fields[len(fields)-1]; strings.HasPrefix(path[strings.LastIndex(path, "/")+1:], prefix) {
			return path
		}
	}
	require.NoError(t, sc.Err())
	t.Fatalf("no %s* mapped into this process", prefix)
	return ""
}
