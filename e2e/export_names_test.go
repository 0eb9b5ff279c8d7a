package e2e_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/snapnote/snapnote/api"
	"github.com/snapnote/snapnote/api/apitest"
	"github.com/snapnote/snapnote/internal/pdf/pdftest"
)

// frontMatter is what a note's YAML front matter must read back as.
type frontMatter struct {
	Title       string   `yaml:"title" json:"title"`
	Course      string   `yaml:"course" json:"course"`
	SourcePages []string `yaml:"source_pages" json:"source_pages"`
}

// An export of names made to break opens everywhere: `unzip` and Python's
// zipfile extract every entry, every path component fits 255 bytes, no
// name is one Windows reserves, ends in a dot or space, or holds a bidi or
// invisible character, NFC and NFD spellings of one name get two files,
// and every front matter reads back with the same title and course in
// PyYAML (YAML 1.1) and yaml.v3 (YAML 1.2). A PDF page keeps its .pdf.
func TestExportOfHostileNames(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"unzip", "python3"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s is needed to open the export as a user would", tool)
	}
	require.NoError(t, exec.Command("python3", "-c", "import yaml").Run(), "PyYAML (Debian python3-yaml) is needed")

	b := setup(t)
	alice := b.User("alice")
	courseNames := []string{strings.Repeat("漢", 100), strings.Repeat("😀", 100), "CON", "com1", "Folder.",
		"rtl \u202egpj.exe", "Café", "Cafe\u0301", "NUL.txt", "line\u2028sep"}
	titles := []string{strings.Repeat("字", 150), strings.Repeat("🧪", 120), "AUX", "lpt9.md", "NUL.txt.md", "Com¹",
		"trailing dots...", "trailing space ", "rtl \u202egpj.exe", "zero\u200bwidth", "\ufeffbom", "Café", "Cafe\u0301",
		"c1 \u0080\u0085\u009f end", "nonchar \ufffe\uffff end", "line\u2028sep\u2029para", "tab\tand\nnewline",
		`quote" back\slash`, "del \x7f end", `#^[]|:*?<>`, "..hidden", "a/b\\c", "", "'single' & *star", "- dash: colon",
		"yes", "null", "~", "0x1F", "@at `tick` {brace} %pct !bang"}
	var courses []api.Course
	for _, name := range courseNames {
		courses = append(courses, alice.CreateCourse(name))
	}
	var seeded []apitest.Note
	expected := map[string]int{} // "title\x00course" → notes with it
	for i, title := range titles {
		course := courses[i%len(courses)]
		seeded = append(seeded, apitest.Note{Course: course.ID, Title: title, Body: "Body of " + title})
		expected[title+"\x00"+course.Name]++
	}
	// One title in NFC and NFD, in one course: one file name on macOS.
	for _, title := range []string{"Noël", "Noe\u0308l"} {
		seeded = append(seeded, apitest.Note{Course: courses[1].ID, Title: title, Body: "Body of " + title})
		expected[title+"\x00"+courses[1].Name]++
	}
	alice.SeedNotes(seeded...)
	// A PDF page, read from its text layer, under a reserved name.
	res := alice.Upload(apitest.Form{Fields: map[string]string{"courseId": courses[2].ID.String(), "title": "PRN"}, Filename: "scan.pdf",
		File: pdftest.Text([]string{"Scanned Lecture", "", "A page with a text layer."})})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var up api.Upload
	res.JSON(t, &up)
	require.Equal(t, "done", alice.WaitSettled(up.ID).Status)
	expected["PRN\x00CON"]++

	res = b.Send(http.MethodGet, "/api/export", nil, map[string]string{"Authorization": "Bearer " + alice.Token}, 1<<30)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	dir := t.TempDir()
	archive := filepath.Join(dir, "export.zip")
	require.NoError(t, os.WriteFile(archive, res.Body, 0o600))
	zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
	require.NoError(t, err)

	var entries []string
	seen := map[string]bool{}
	for _, f := range zr.File {
		entries = append(entries, f.Name)
		require.False(t, seen[strings.ToLower(f.Name)], "two entries one file where case is ignored: %q", f.Name)
		seen[strings.ToLower(f.Name)] = true
		for _, part := range strings.Split(f.Name, "/") {
			require.LessOrEqual(t, len(part), 255, "%q", part)
			require.True(t, utf8.ValidString(part), "%q", part)
			require.NotRegexp(t, `[. ]$|^[. ]`, part, "leading or trailing dot or space: %q", part)
			require.NotRegexp(t, `(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])( *\.|$)`, part, "a reserved name: %q", part)
			require.NotRegexp(t, "[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff\ufffe\uffff\\x00-\\x1f\\x7f-\\x9f]", part, "%q", part)
		}
	}
	require.Contains(t, entries, "CON_/PRN_.md")
	require.Contains(t, entries, "CON_/attachments/PRN_ - p1.pdf", "a PDF page keeps its extension")
	emoji := strings.Repeat("😀", 50) // 200 bytes
	require.Contains(t, entries, emoji+"/Noël.md")
	require.Contains(t, entries, emoji+"/Noël (2).md", "the NFD title is the NFC name, made unique")
	require.Contains(t, entries, "Café/~.md")
	require.Contains(t, entries, "Café (2)/null.md", "the NFD course is the NFC name, made unique")
	require.Contains(t, entries, "Folder/NUL_.txt.md.md")
	require.Contains(t, entries, "rtl gpj.exe/Com¹_.md")

	// unzip and Python's zipfile extract every entry.
	unzipped := filepath.Join(dir, "unzip")
	out, err := exec.Command("unzip", "-q", archive, "-d", unzipped).CombinedOutput()
	require.NoError(t, err, "%s", out)
	pythonDir := filepath.Join(dir, "python")
	out, err = exec.Command("python3", "-c", `import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])`,
		archive, pythonDir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, root := range []string{unzipped, pythonDir} {
		var files []string
		require.NoError(t, filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(root, path)
				files = append(files, rel)
			}
			return err
		}))
		var want []string
		for _, e := range entries {
			if !strings.HasSuffix(e, "/") {
				want = append(want, e)
			}
		}
		sort.Strings(files)
		sort.Strings(want)
		require.Equal(t, want, files, "every entry extracted by %s", filepath.Base(root))
	}

	// Every front matter reads back the same in YAML 1.2 (yaml.v3) and 1.1 (PyYAML).
	var mds []string
	got := map[string]int{}
	for _, e := range entries {
		if !strings.HasSuffix(e, ".md") {
			continue
		}
		mds = append(mds, e)
		data, err := os.ReadFile(filepath.Join(unzipped, e))
		require.NoError(t, err)
		var fm frontMatter
		require.NoError(t, yaml.Unmarshal(frontMatterOf(t, string(data)), &fm), "%s", e)
		got[fm.Title+"\x00"+fm.Course]++
	}
	require.Equal(t, expected, got, "yaml.v3 reads every title and course back")
	script := `import sys, json, yaml
out = []
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8", newline="").read()
    head = text.split("---\n", 2)[1]
    out.append(yaml.safe_load(head))
print(json.dumps(out, default=str))`
	args := []string{"-c", script}
	for _, md := range mds {
		args = append(args, filepath.Join(unzipped, md))
	}
	out, err = exec.Command("python3", args...).Output()
	require.NoError(t, err, "PyYAML reads every front matter")
	var parsed []frontMatter
	require.NoError(t, json.Unmarshal(out, &parsed))
	got = map[string]int{}
	for _, fm := range parsed {
		got[fm.Title+"\x00"+fm.Course]++
	}
	require.Equal(t, expected, got, "PyYAML reads every title and course back")
}

// frontMatterOf returns the YAML between a note's two "---" lines.
func frontMatterOf(t *testing.T, md string) []byte {
	t.Helper()
	parts := strings.SplitN(md, "---\n", 3)
	require.Len(t, parts, 3, "front matter in:\n%s", md)
	return []byte(parts[1])
}
