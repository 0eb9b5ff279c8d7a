package notes

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDetectLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		want, text string
	}{
		{"en", "The first law of thermodynamics states that the energy of an isolated system is constant. Heat and work are the two ways in which it can change."},
		{"de", "Der erste Hauptsatz der Thermodynamik besagt, dass die Energie eines abgeschlossenen Systems konstant ist. Wärme und Arbeit sind die beiden Formen, in denen sie sich ändern kann."},
		{"fr", "Le premier principe de la thermodynamique affirme que l'énergie d'un système isolé est constante. La chaleur et le travail sont les deux façons dont elle peut changer."},
		{"es", "El primer principio de la termodinámica establece que la energía de un sistema aislado es constante. El calor y el trabajo son las dos formas en que puede cambiar."},
		{"it", "Il primo principio della termodinamica afferma che l'energia di un sistema isolato è costante. Il calore e il lavoro sono i due modi in cui può cambiare."},
		{"pt", "O primeiro princípio da termodinâmica afirma que a energia de um sistema isolado é constante. O calor e o trabalho são as duas formas pelas quais ela pode mudar."},
		{"nl", "De eerste hoofdwet van de thermodynamica zegt dat de energie van een geïsoleerd systeem constant is. Warmte en arbeid zijn de twee manieren waarop die kan veranderen."},
		{"en", "# Lecture notes\n\n- the energy is conserved\n- and it is a state function"},
		{Undetermined, "123 456"},
		{Undetermined, ""},
		{Undetermined, "Thermodynamics"},
		{Undetermined, "E = mc^2, ΔU = Q − W"},
		{Undetermined, "Entropie Enthalpie Carnot Kelvin Boltzmann"},
	} {
		require.Equal(t, tc.want, DetectLanguage(tc.text), "DetectLanguage(%q)", tc.text)
	}
}
