package corpus

import (
	"math/rand/v2"
	"slices"
)

// Languages are the languages of the corpus's pages, as Tesseract codes: English, the
// language of Pages, then those of LanguagePage.
var Languages = []string{"eng", "fra", "deu", "spa"}

// LanguagePage renders page index of the corpus in lang, one of Languages: the pages of
// English are those of NewPage; the others are written with the same layout from notes in
// that language, accents and all. It returns false for a language the corpus has no notes in.
func LanguagePage(lang string, index int) (Page, bool) {
	if lang == "eng" {
		return NewPage(index), true
	}
	subjects, ok := foreignSubjects[lang]
	if !ok {
		return Page{}, false
	}
	// Each language's pages have their own sequence, apart from the English ones'.
	rng := rand.New(rand.NewPCG(Seed+uint64(slices.Index(Languages, lang))<<32, uint64(index)))
	body := 26 + rng.IntN(9)
	blocks := composePage(rng, body, subjects[rng.IntN(len(subjects))])
	for len(blocks) > 1 && height(blocks, body) > PageHeight-2*margin(body) {
		blocks = blocks[:len(blocks)-1]
	}
	img, truth, headings := render(blocks, body)
	return Page{Index: index, Image: img, Truth: truth, BodyPx: body, Headings: headings}, true
}

// words are the headings and dates a page in one language uses.
type words struct {
	keyPoints, method, dates []string
}

// englishWords are those of the English pages.
var englishWords = words{
	keyPoints: []string{"Key points", "Remember", "Summary"},
	method:    []string{"Method", "How to solve it", "Steps"},
	dates:     dates,
}

// wordsOf returns the headings and dates of s's language.
func (s subject) wordsOf() words {
	if s.words.keyPoints == nil {
		return englishWords
	}
	return s.words
}

// foreignSubjects are the notes of the pages in other languages than English, by Tesseract
// code. Their text has the accents and letters of the language (é, à, ç, ü, ß, ñ, ¿): what a
// model for another language loses.
var foreignSubjects = map[string][]subject{
	"fra": {
		{
			course: "Physique 101",
			titles: []string{"Cours 7 : le premier principe", "Cours 3 : forces et mouvement", "Cours 9 : les ondes"},
			sentences: []string{
				"L'énergie d'un système isolé se conserve au cours de chaque transformation.",
				"La variation d'énergie interne est égale à la chaleur reçue moins le travail fourni.",
				"Pour un gaz parfait, l'énergie interne ne dépend que de la température.",
				"Un corps garde sa vitesse tant qu'aucune force extérieure ne s'exerce sur lui.",
				"Le frottement s'oppose toujours au déplacement relatif des deux surfaces.",
				"La période d'un pendule ne dépend pas de la masse accrochée au fil.",
				"Le son se propage plus vite dans l'eau que dans l'air, car l'eau est moins compressible.",
				"Les ondes transportent de l'énergie d'un point à un autre sans déplacer la matière.",
			},
			bullets: []string{
				"la chaleur passe du corps chaud au corps froid",
				"le travail reçu par le gaz est compté positivement",
				"l'énergie s'exprime en joules",
				"vérifier les signes avant d'additionner",
				"dessiner d'abord le bilan des forces",
			},
			steps: []string{
				"Écrire les données et ce que l'on cherche.",
				"Choisir un repère et préciser le sens positif.",
				"Appliquer la loi de conservation au système entier.",
				"Résoudre, puis vérifier les unités du résultat.",
			},
			formulas: []string{"dU = dQ - dW", "F = m * a", "E = 1/2 * m * v^2"},
			words:    frenchWords,
		},
		{
			course: "Histoire 150",
			titles: []string{"Séance 5 : la révolution industrielle", "Séance 2 : les sources", "Séance 8 : le commerce"},
			sentences: []string{
				"La machine à vapeur a éloigné les usines des rivières et les a rapprochées des villes.",
				"Le coton bon marché des colonies alimentait les filatures du nord de l'Angleterre.",
				"Le chemin de fer a fait baisser le coût du transport du charbon et des marchandises.",
				"Le travail des enfants était courant jusqu'aux lois sur les fabriques.",
				"L'historien lit chaque source en pensant à son auteur et à son but.",
				"Les routes commerciales répandaient les idées autant que les marchandises.",
				"L'imprimerie a rendu les brochures bon marché et les opinions rapides.",
				"Les salaires ont augmenté lentement pendant que la population des villes doublait.",
			},
			bullets: []string{
				"une source primaire date de l'époque étudiée",
				"une source secondaire l'interprète plus tard",
				"noter la date et le lieu de chaque document",
				"se demander qui l'a écrit et pour qui",
				"dissertation à rendre le trois mai",
			},
			steps: []string{
				"Identifier l'auteur, la date et le destinataire du document.",
				"Résumer l'idée principale en une phrase.",
				"Le comparer à au moins une autre source.",
				"Juger de sa fiabilité pour répondre à la question.",
			},
			formulas: []string{"croissance = (P1 - P0) / P0 * 100", "salaire réel = salaire nominal / indice des prix"},
			words:    frenchWords,
		},
	},
	"deu": {
		{
			course: "Physik 101",
			titles: []string{"Vorlesung 7: Der erste Hauptsatz", "Vorlesung 3: Kräfte und Bewegung", "Vorlesung 9: Wellen"},
			sentences: []string{
				"Die Energie eines abgeschlossenen Systems bleibt bei jeder Umwandlung erhalten.",
				"Die Änderung der inneren Energie ist gleich der zugeführten Wärme minus der Arbeit.",
				"Für ein ideales Gas hängt die innere Energie nur von der Temperatur ab.",
				"Ein Körper bewegt sich geradlinig weiter, solange keine äußere Kraft auf ihn wirkt.",
				"Die Reibung wirkt immer gegen die Richtung der relativen Bewegung.",
				"Die Schwingungsdauer eines Pendels hängt nicht von der Masse des Körpers ab.",
				"Schall breitet sich im Wasser schneller aus als in der Luft.",
				"Wellen übertragen Energie von einem Ort zum anderen, ohne Materie zu transportieren.",
			},
			bullets: []string{
				"Wärme fließt vom heißen zum kalten Körper",
				"die vom Gas verrichtete Arbeit ist positiv",
				"Energie wird in Joule gemessen",
				"vor dem Addieren die Vorzeichen prüfen",
				"zuerst ein Kräftediagramm zeichnen",
			},
			steps: []string{
				"Gegebene und gesuchte Größen aufschreiben.",
				"Ein Koordinatensystem wählen und die positive Richtung festlegen.",
				"Den Erhaltungssatz auf das ganze System anwenden.",
				"Nach der Unbekannten auflösen und die Einheiten prüfen.",
			},
			formulas: []string{"dU = dQ - dW", "F = m * a", "E = 1/2 * m * v^2"},
			words:    germanWords,
		},
		{
			course: "Geschichte 150",
			titles: []string{"Sitzung 5: Die industrielle Revolution", "Sitzung 2: Quellen", "Sitzung 8: Handel und Reiche"},
			sentences: []string{
				"Die Dampfmaschine löste die Fabriken von den Flüssen und brachte sie in die Städte.",
				"Billige Baumwolle aus den Kolonien versorgte die Spinnereien im Norden Englands.",
				"Die Eisenbahn senkte die Kosten für den Transport von Kohle und Waren.",
				"Kinderarbeit war bis zu den Fabrikgesetzen des neunzehnten Jahrhunderts üblich.",
				"Historiker lesen jede Quelle mit Blick auf ihren Verfasser und ihren Zweck.",
				"Handelswege verbreiteten Ideen und Krankheiten ebenso wie Güter.",
				"Der Buchdruck machte Flugschriften billig und Meinungen schnell.",
				"Die Löhne stiegen langsam, während sich die Bevölkerung der Städte verdoppelte.",
			},
			bullets: []string{
				"Primärquellen stammen aus der Zeit selbst",
				"Sekundärquellen deuten sie später",
				"Datum und Ort jeder Quelle notieren",
				"fragen, wer sie für wen geschrieben hat",
				"Hausarbeit bis zum dritten Mai abgeben",
			},
			steps: []string{
				"Verfasser, Datum und Adressaten der Quelle bestimmen.",
				"Die Hauptaussage in einem Satz zusammenfassen.",
				"Mit mindestens einer weiteren Quelle vergleichen.",
				"Beurteilen, wie zuverlässig sie für die Frage ist.",
			},
			formulas: []string{"Wachstum = (P1 - P0) / P0 * 100", "Reallohn = Nominallohn / Preisindex"},
			words:    germanWords,
		},
	},
	"spa": {
		{
			course: "Física 101",
			titles: []string{"Clase 7: El primer principio", "Clase 3: Fuerzas y movimiento", "Clase 9: Las ondas"},
			sentences: []string{
				"La energía de un sistema aislado se conserva en cada transformación.",
				"La variación de la energía interna es igual al calor recibido menos el trabajo realizado.",
				"Para un gas ideal la energía interna solo depende de la temperatura.",
				"Un cuerpo sigue en línea recta mientras ninguna fuerza externa actúe sobre él.",
				"El rozamiento siempre se opone al movimiento relativo de las superficies.",
				"El periodo de un péndulo no depende de la masa que cuelga del hilo.",
				"El sonido viaja más rápido en el agua que en el aire.",
				"Las ondas llevan energía de un lugar a otro sin transportar materia.",
			},
			bullets: []string{
				"el calor pasa del cuerpo caliente al frío",
				"el trabajo que hace el gas es positivo",
				"la energía se mide en julios",
				"revisar los signos antes de sumar",
				"dibujar primero el diagrama de fuerzas",
			},
			steps: []string{
				"Anotar los datos y lo que se pide.",
				"Elegir un sistema de referencia y el sentido positivo.",
				"Aplicar la ley de conservación a todo el sistema.",
				"Despejar la incógnita y comprobar las unidades.",
			},
			formulas: []string{"dU = dQ - dW", "F = m * a", "E = 1/2 * m * v^2"},
			words:    spanishWords,
		},
		{
			course: "Historia 150",
			titles: []string{"Sesión 5: La revolución industrial", "Sesión 2: Las fuentes", "Sesión 8: Comercio e imperios"},
			sentences: []string{
				"La máquina de vapor alejó las fábricas de los ríos y las llevó a las ciudades.",
				"El algodón barato de las colonias alimentaba las hilanderías del norte de Inglaterra.",
				"El ferrocarril abarató el transporte del carbón y de las mercancías.",
				"El trabajo infantil fue común hasta las leyes fabriles del siglo diecinueve.",
				"El historiador lee cada fuente pensando en su autor y en su propósito.",
				"Las rutas comerciales difundían ideas y enfermedades además de mercancías.",
				"La imprenta abarató los folletos y aceleró la difusión de las opiniones.",
				"¿Por qué los salarios subieron tan despacio mientras la población se duplicaba?",
			},
			bullets: []string{
				"las fuentes primarias son de la época misma",
				"las secundarias las interpretan después",
				"anotar la fecha y el lugar de cada fuente",
				"preguntarse quién la escribió y para quién",
				"el ensayo se entrega el tres de mayo",
			},
			steps: []string{
				"Identificar al autor, la fecha y el destinatario de la fuente.",
				"Resumir la idea principal en una oración.",
				"Compararla con al menos otra fuente.",
				"Juzgar qué tan fiable es para la pregunta.",
			},
			formulas: []string{"crecimiento = (P1 - P0) / P0 * 100", "salario real = salario nominal / índice de precios"},
			words:    spanishWords,
		},
	},
}

var (
	frenchWords = words{
		keyPoints: []string{"Points clés", "À retenir", "Résumé"},
		method:    []string{"Méthode", "Comment résoudre", "Étapes"},
		dates:     []string{"lundi 14 mars", "mardi 3 octobre", "mercredi 22 novembre", "jeudi 9 février", "vendredi 27 janvier", "lundi 5 juin"},
	}
	germanWords = words{
		keyPoints: []string{"Wichtige Punkte", "Merke", "Zusammenfassung"},
		method:    []string{"Vorgehen", "Lösungsweg", "Schritte"},
		dates:     []string{"Montag, 14. März", "Dienstag, 3. Oktober", "Mittwoch, 22. November", "Donnerstag, 9. Februar", "Freitag, 27. Januar", "Montag, 5. Juni"},
	}
	spanishWords = words{
		keyPoints: []string{"Puntos clave", "Para recordar", "Resumen"},
		method:    []string{"Método", "Cómo resolverlo", "Pasos"},
		dates:     []string{"lunes 14 de marzo", "martes 3 de octubre", "miércoles 22 de noviembre", "jueves 9 de febrero", "viernes 27 de enero", "lunes 5 de junio"},
	}
)
