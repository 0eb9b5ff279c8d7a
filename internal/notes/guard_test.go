package notes

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckContent(t *testing.T) {
	t.Parallel()
	const ocr = "Heat Transfer\n\nConduction moves heat through a solid by molecular colli-\nsions; the rate is\nq = -k A dT/dx (Fourier's law).\n\nConvectlon moves heat with a flowing fluid."
	for _, tt := range []struct {
		name     string
		markdown string
		reason   string
	}{
		{"same text", ocr, ""},
		{"formatted", "# Heat Transfer\n\n**Conduction** moves heat through a solid by molecular collisions; the rate is\n\n$$q = -k A \\frac{dT}{dx}$$\n\n(*Fourier's law*).\n\n- **Convection** moves heat with a flowing fluid.\n", ""},
		{"link syntax is not a word", "# Heat Transfer\n\nConduction moves heat through a solid by molecular collisions; the rate is q = -k A dT/dx ([Fourier's law](https://en.wikipedia.org/wiki/Thermal_conduction_law_of_heat_transfer_fourier)).\n\nConvection moves heat with a flowing fluid.", ""},
		{"second paragraph gone", "# Heat Transfer\n\nConduction moves heat through a solid by molecular collisions.", "dropped"},
		{"summary", "Heat moves by conduction and convection.", "dropped"},
		{"explanation added", ocr + "\n\nRadiation transfers energy by electromagnetic waves without any medium, following Stefan Boltzmann scaling with temperature.", "added"},
		{"nothing", "```\n```", "without"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := checkContent(ocr, tt.markdown)
			if tt.reason == "" {
				require.Empty(t, v.reason, "recall %.2f novelty %.2f", v.recall, v.novelty)
				return
			}
			require.Contains(t, v.reason, tt.reason, "recall %.2f novelty %.2f", v.recall, v.novelty)
		})
	}
}

func TestCheckContentShortNotes(t *testing.T) {
	t.Parallel()
	require.Empty(t, checkContent("Entropy", "# Entropy\n").reason)
	require.Empty(t, checkContent("Entropy grows", "# Entropy\n").reason, "one word off a short note passes")
	require.Empty(t, checkContent("| — .", "").reason, "no words in, none needed out")
	require.Contains(t, checkContent("| — . a", "# Notes on Heat and Thermodynamics\n").reason, "added")
	require.Contains(t, checkContent("Entropy grows", "").reason, "without")
}

func TestCheckContentKeepsCellsAndItems(t *testing.T) {
	t.Parallel()
	const ocr = "# Units\n\n| Quantity | Unit |\n| --- | --- |\n| Energy | joule |\n| Power | watt |\n| Force | newton |\n\n- heat flows from hot to cold\n  - never back by itself\n- work done by the gas is positive\n"
	require.Empty(t, checkContent(ocr, ocr).reason)
	require.Empty(t, checkContent(ocr, "# Units\n\n| Quantity | Unit |\n|:--|:--|\n| Energy | joule |\n| Power | watt |\n| Force | newton |\n\n"+
		"- Heat flows from hot to cold,\n  - never back by itself.\n- Work done by the gas is positive.\n").reason, "fixes and alignment are fine")
	// The words survive in a sentence, but the table lost its cells.
	require.Equal(t, "kept 2 of the 8 table cells", checkContent(ocr,
		"# Units\n\nQuantity and unit: energy in joule, power in watt, force in newton.\n\n| Quantity | Unit |\n| --- | --- |\n\n"+
			"- heat flows from hot to cold\n  - never back by itself\n- work done by the gas is positive\n").reason)
	require.Equal(t, "kept 2 of the 3 list items", checkContent(ocr, strings.Replace(ocr, "\n  - never", " never", 1)).reason)
}
