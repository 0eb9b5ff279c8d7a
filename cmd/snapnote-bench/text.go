package main

import (
	"math/rand/v2"
	"strings"
)

// The measured queries: a word in most notes, one in a handful, a typo
// only its look-alikes find, a phrase and a word to exclude.
const (
	commonWord = "energy"
	rareWord   = "quasiparticle"
	typo       = "thermodynamcs"
	phrase     = "first law"
	excluded   = "entropy"
)

// topics name courses and start titles, so that titles share words.
var topics = []string{"Thermodynamics", "Linear Algebra", "Organic Chemistry", "Cell Biology", "Microeconomics",
	"Classical Mechanics", "Statistics", "European History", "Electromagnetism", "Calculus", "Genetics",
	"Quantum Physics", "Macroeconomics", "Discrete Mathematics", "Neuroscience", "Fluid Dynamics"}

var titleWords = []string{"Introduction", "Lecture", "Review", "Notes", "Problems", "Exam", "Summary", "Lab",
	"Part", "Chapter", "Seminar", "Overview", "Applications", "Foundations", "Advanced", "Topics"}

// vocabulary is sampled with a skew, so that the first words are common and
// the last rare, as in real prose.
var vocabulary = strings.Fields(`the of and to in is energy that for are as with be by this on system
	which from at an it or equation function we can value first law second rate heat work change time
	force mass field model data theory process state example cell temperature pressure volume matrix
	vector space linear derivative integral limit series probability distribution mean variance sample
	test hypothesis market price demand supply cost elasticity equilibrium entropy enthalpy reaction
	molecule bond electron proton charge current voltage resistance wave frequency momentum velocity
	acceleration gravity orbit planet star light lens mirror protein gene dna rna enzyme membrane
	neuron signal synapse brain memory war empire treaty revolution king parliament trade economy
	growth inflation interest policy government tax graph node edge tree path proof theorem lemma
	induction set relation group ring eigenvalue determinant basis dimension rank kernel image
	thermodynamics kinetic potential conservation isolated closed open boundary condition solution
	constant variable parameter estimate error bias regression correlation causation experiment
	observation measurement unit scale ratio percent total average maximum minimum optimal marginal
	utility consumer producer surplus welfare monopoly competition firm labour capital investment
	saving consumption income wage employment unemployment output productivity technology innovation
	carbon oxygen hydrogen nitrogen acid base salt solvent solute concentration catalyst activation
	mechanism substitution elimination addition oxidation reduction isomer chiral ring aromatic
	mitosis meiosis chromosome allele mutation selection evolution species population ecosystem
	photosynthesis respiration metabolism hormone receptor antibody immune virus bacteria tissue
	laminar turbulent viscosity flow reynolds bernoulli pipe pump compressor turbine nozzle diffuser`)

func word(rng *rand.Rand) string {
	// A square of a uniform number skews towards the front of the list.
	f := rng.Float64()
	return vocabulary[int(f*f*float64(len(vocabulary)))]
}

func title(rng *rand.Rand) string {
	t := topics[rng.IntN(len(topics))] + " " + titleWords[rng.IntN(len(titleWords))]
	if rng.IntN(3) == 0 {
		t += ": " + word(rng) + " and " + word(rng)
	}
	return t
}

// body is a Markdown note of 150–400 words in sentences and paragraphs.
func body(rng *rand.Rand) string {
	var b strings.Builder
	n := 150 + rng.IntN(251)
	rare := -1
	if rng.IntN(500) == 0 { // about two notes per user
		rare = rng.IntN(n)
	}
	b.WriteString("# Notes\n\n")
	for i := 0; i < n; i++ {
		w := word(rng)
		if i == rare {
			w = rareWord
		}
		b.WriteString(w)
		switch {
		case i%60 == 59:
			b.WriteString(".\n\n")
		case rng.IntN(12) == 0:
			b.WriteString(". ")
		default:
			b.WriteString(" ")
		}
	}
	return b.String()
}

// excerpt is the first words of a body, roughly as the pipeline writes it.
func excerpt(body string) string {
	text := strings.TrimPrefix(body, "# Notes\n\n")
	if len(text) > 190 {
		text = text[:strings.LastIndexByte(text[:190], ' ')] + "…"
	}
	return strings.ReplaceAll(text, "\n", " ")
}
