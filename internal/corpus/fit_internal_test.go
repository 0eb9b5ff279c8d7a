package corpus

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/font"
)

func TestLinesFitThePage(t *testing.T) {
	t.Parallel()

	for i := range 20 {
		rng := rand.New(rand.NewPCG(Seed, uint64(i)))
		body := 26 + rng.IntN(9)
		full := PageWidth - 2*margin(body)
		for _, b := range layout(rng, body) {
			for _, l := range b.left {
				require.LessOrEqual(t, font.MeasureString(l.face, l.text).Ceil()+l.indent, full, "page %d: %q", i, l.text)
			}
		}
	}
}
