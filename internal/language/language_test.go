package language_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/snapnote/snapnote/internal/language"
)

func TestDetectTesseract(t *testing.T) {
	t.Parallel()
	installed := []string{"eng", "fra", "deu", "spa"}
	for _, tc := range []struct {
		want, text string
	}{
		// As the English model reads French, German and Spanish: accents lost or changed.
		{"fra", "La variation d'energie interne est egale a la chaleur regue moins le travail fourni."},
		{"deu", "Die Anderung der inneren Energie ist gleich der zugefuhrten Warme minus der Arbeit."},
		{"spa", "La variacion de la energia interna es igual al calor recibido menos el trabajo realizado."},
		{"eng", "The change in internal energy equals the heat added minus the work done by the gas."},
		// Italian is known but not installed; numbers say nothing.
		{"", "Il primo principio della termodinamica afferma che l'energia di un sistema isolato è costante."},
		{"", "123 456 789"},
	} {
		require.Equal(t, tc.want, language.DetectTesseract(tc.text, installed), "DetectTesseract(%q)", tc.text)
	}
	require.Empty(t, language.DetectTesseract("Le frottement s'oppose toujours au déplacement relatif des surfaces.", []string{"eng"}),
		"a language without data is never chosen")
}

func TestTesseract(t *testing.T) {
	t.Parallel()
	require.Equal(t, "fra", language.Tesseract("fr"))
	require.Equal(t, "deu", language.Tesseract("de"))
	require.Empty(t, language.Tesseract(language.Undetermined))
	require.Empty(t, language.Tesseract("xx"))
}
